//! What one source file says about modules: the `mod name;` it declares, its
//! inline `mod name { ... }` blocks, and every path that starts with `crate`,
//! `super` or `self` (in `use` trees, braces expanded, and in code), each tagged
//! with the inline module it appears in.

use super::tokens::{Token, tokenize};

/// A path as written, relative to the inline module it appears in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    /// Inline modules (`mod tests { ... }`) around the path, outermost first.
    pub(super) inline: Vec<String>,
    /// Segments, starting with `crate`, `super` or `self`.
    pub(super) path: Vec<String>,
    pub(super) line: usize,
}

#[derive(Debug, Default)]
pub(super) struct FileScan {
    /// `mod name;` declarations: (inline modules around it, name).
    pub(super) file_modules: Vec<(Vec<String>, String)>,
    /// Inline modules, each as its path of inline names.
    pub(super) inline_modules: Vec<Vec<String>>,
    pub(super) references: Vec<Reference>,
}

const ANCHORS: [&str; 3] = ["crate", "super", "self"];

pub(super) fn scan(source: &str) -> FileScan {
    let tokens = tokenize(source);
    let mut scan = FileScan::default();
    // Inline modules open around the cursor, with the brace depth inside each.
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut index = 0;
    let inline_path =
        |open: &[(String, usize)]| open.iter().map(|(name, _)| name.clone()).collect();
    while let Some((token, line)) = tokens.get(index) {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                if open.last().is_some_and(|(_, inner)| *inner == depth) {
                    open.pop();
                }
                depth -= 1;
            }
            Token::Ident(word) if word == "mod" => {
                if let Some((Token::Ident(name), _)) = tokens.get(index + 1) {
                    match tokens.get(index + 2) {
                        Some((Token::Punct(';'), _)) => {
                            scan.file_modules.push((inline_path(&open), name.clone()));
                        }
                        Some((Token::Punct('{'), _)) => {
                            open.push((name.clone(), depth + 1));
                            scan.inline_modules.push(inline_path(&open));
                        }
                        _ => {}
                    }
                }
            }
            // `use<'a>` is a precise-capturing bound, not an import.
            Token::Ident(word)
                if word == "use"
                    && tokens.get(index + 1).map(|(token, _)| token)
                        != Some(&Token::Punct('<')) =>
            {
                let end = tokens[index..]
                    .iter()
                    .position(|(token, _)| *token == Token::Punct(';'))
                    .map_or(tokens.len(), |offset| index + offset);
                for path in expand_use(&tokens[index + 1..end]) {
                    if path
                        .first()
                        .is_some_and(|first| ANCHORS.contains(&first.as_str()))
                    {
                        scan.references.push(Reference {
                            inline: inline_path(&open),
                            path,
                            line: *line,
                        });
                    }
                }
                index = end;
                continue;
            }
            Token::Ident(word)
                if ANCHORS.contains(&word.as_str())
                    && tokens.get(index + 1).map(|(token, _)| token) == Some(&Token::PathSep) =>
            {
                let mut path = vec![word.clone()];
                index += 1;
                while let (Some((Token::PathSep, _)), Some((Token::Ident(next), _))) =
                    (tokens.get(index), tokens.get(index + 1))
                {
                    path.push(next.clone());
                    index += 2;
                }
                scan.references.push(Reference {
                    inline: inline_path(&open),
                    path,
                    line: *line,
                });
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    scan
}

/// Every path of a `use` tree (`a::{b, c::{d, self}, e as f, *}`); a trailing
/// `self` names its prefix, `as` renames are dropped, `*` ends a path.
fn expand_use(tokens: &[(Token, usize)]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut position = 0;
    expand_tree(tokens, &mut position, &[], &mut paths);
    paths
}

fn expand_tree(
    tokens: &[(Token, usize)],
    position: &mut usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix.to_vec();
    let mut names_prefix = false;
    while let Some((token, _)) = tokens.get(*position) {
        *position += 1;
        match token {
            Token::Ident(word) if word == "as" => {
                *position += 1;
            }
            Token::Ident(word) if word == "self" && !path.is_empty() => names_prefix = true,
            Token::Ident(word) if word != "pub" => path.push(word.clone()),
            Token::PathSep => {}
            Token::Punct('{') => {
                loop {
                    expand_tree(tokens, position, &path, out);
                    match tokens.get(*position) {
                        Some((Token::Punct(','), _)) => *position += 1,
                        Some((Token::Punct('}'), _)) => {
                            *position += 1;
                            break;
                        }
                        _ => break,
                    }
                }
                return;
            }
            Token::Punct(',') | Token::Punct('}') => {
                *position -= 1;
                break;
            }
            _ => {}
        }
    }
    if path.len() > prefix.len() || names_prefix {
        out.push(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(scan: &FileScan) -> Vec<String> {
        scan.references
            .iter()
            .map(|reference| {
                let mut text = reference.inline.join("/");
                text.push('|');
                text.push_str(&reference.path.join("::"));
                text
            })
            .collect()
    }

    #[test]
    fn use_trees_are_expanded() {
        let scan = scan(
            "use crate::{a::{self, B as C}, d::*};\nuse super::e;\nuse std::fmt;\n\
             pub(crate) use self::f::G;",
        );
        assert_eq!(
            paths(&scan),
            [
                "|crate::a",
                "|crate::a::B",
                "|crate::d",
                "|super::e",
                "|self::f::G"
            ]
        );
    }

    #[test]
    fn paths_in_code_and_inline_modules_are_found() {
        let source = "mod child;\nfn f() { crate::x::y(); self.z(); }\n\
                      #[cfg(test)]\nmod tests {\n use super::*;\n fn g() { super::super::w::v(); }\n}\n\
                      fn h() { crate::after(); }";
        let scan = scan(source);
        assert_eq!(scan.file_modules, [(vec![], "child".to_owned())]);
        assert_eq!(scan.inline_modules, [vec!["tests".to_owned()]]);
        assert_eq!(
            paths(&scan),
            [
                "|crate::x::y",
                "tests|super",
                "tests|super::super::w::v",
                "|crate::after"
            ]
        );
        assert_eq!(scan.references[0].line, 2);
    }
}
