//! Rust source cut into the only tokens the cycle check needs: identifiers,
//! `::` and single punctuation characters, each with its line. Comments, string
//! and character literals are dropped, so a path in a doc comment or a message
//! is never taken for an import.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// An identifier or keyword (`crate`, `super`, `mod`, ...), `$` prefix dropped.
    Ident(String),
    /// `::`
    PathSep,
    /// Any other punctuation character (`{`, `}`, `;`, `,`, `*`, ...).
    Punct(char),
}

/// The tokens of `source`, each with its 1-based line.
pub(super) fn tokenize(source: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut index = 0;
    while let Some(&current) = chars.get(index) {
        let next = chars.get(index + 1).copied();
        if current == '\n' {
            line += 1;
            index += 1;
        } else if current.is_whitespace() {
            index += 1;
        } else if current == '/' && next == Some('/') {
            while chars.get(index).is_some_and(|c| *c != '\n') {
                index += 1;
            }
        } else if current == '/' && next == Some('*') {
            index = skip_block_comment(&chars, index, &mut line);
        } else if let Some(end) = raw_string_end(&chars, index) {
            line += chars[index..end].iter().filter(|c| **c == '\n').count();
            index = end;
        } else if current == '"' {
            index = skip_quoted(&chars, index + 1, '"', &mut line);
        } else if current == '\'' {
            index = skip_char_or_lifetime(&chars, index);
        } else if current.is_alphanumeric() || current == '_' {
            let start = index;
            while chars
                .get(index)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_')
            {
                index += 1;
            }
            let word: String = chars[start..index].iter().collect();
            tokens.push((Token::Ident(word), line));
        } else if current == ':' && next == Some(':') {
            tokens.push((Token::PathSep, line));
            index += 2;
        } else {
            // `$crate` in macros is `crate`: the `$` carries no meaning here.
            if current != '$' {
                tokens.push((Token::Punct(current), line));
            }
            index += 1;
        }
    }
    tokens
}

/// Block comments nest in Rust.
fn skip_block_comment(chars: &[char], mut index: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while index < chars.len() {
        match (chars[index], chars.get(index + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                index += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                index += 2;
                if depth == 0 {
                    return index;
                }
            }
            (character, _) => {
                if character == '\n' {
                    *line += 1;
                }
                index += 1;
            }
        }
    }
    index
}

/// Skips to just after the closing `quote`, honouring backslash escapes.
fn skip_quoted(chars: &[char], mut index: usize, quote: char, line: &mut usize) -> usize {
    while let Some(&character) = chars.get(index) {
        match character {
            '\\' => index += 2,
            '\n' => {
                *line += 1;
                index += 1;
            }
            _ if character == quote => return index + 1,
            _ => index += 1,
        }
    }
    index
}

/// `'x'`, `'\n'`, `'\u{..}'` are literals; `'a` (no closing quote) is a lifetime.
fn skip_char_or_lifetime(chars: &[char], index: usize) -> usize {
    match (chars.get(index + 1), chars.get(index + 2)) {
        (Some('\\'), _) => skip_quoted(chars, index + 1, '\'', &mut 0),
        (Some(_), Some('\'')) => index + 3,
        _ => index + 1,
    }
}

/// The end of a raw string (`r"..."`, `r#"..."#`, `br#"..."#`) starting at `index`.
fn raw_string_end(chars: &[char], index: usize) -> Option<usize> {
    let previous_is_word = index > 0
        && chars
            .get(index - 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_');
    if previous_is_word {
        return None;
    }
    let mut cursor = index;
    if chars.get(cursor) == Some(&'b') {
        cursor += 1;
    }
    if chars.get(cursor) != Some(&'r') {
        return None;
    }
    cursor += 1;
    let hashes = chars[cursor..].iter().take_while(|c| **c == '#').count();
    cursor += hashes;
    if chars.get(cursor) != Some(&'"') {
        return None;
    }
    cursor += 1;
    while cursor < chars.len() {
        if chars[cursor] == '"' && chars[cursor + 1..].iter().take(hashes).all(|c| *c == '#') {
            let end = cursor + 1 + hashes;
            if end <= chars.len() {
                return Some(end);
            }
        }
        cursor += 1;
    }
    Some(chars.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(source: &str) -> Vec<String> {
        tokenize(source)
            .into_iter()
            .filter_map(|(token, _)| match token {
                Token::Ident(word) => Some(word),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_chars_are_dropped() {
        let source = "a // crate::x\n/* b /* nested */ crate::y */ c \"crate::z \\\" q\" \
                      r#\"crate::w\"# '\"' 'static d '\\'' e";
        assert_eq!(idents(source), ["a", "c", "static", "d", "e"]);
    }

    #[test]
    fn lines_and_path_separators_are_kept() {
        let tokens = tokenize("use\n$crate::a;");
        assert_eq!(
            tokens,
            [
                (Token::Ident("use".to_owned()), 1),
                (Token::Ident("crate".to_owned()), 2),
                (Token::PathSep, 2),
                (Token::Ident("a".to_owned()), 2),
                (Token::Punct(';'), 2),
            ]
        );
    }
}
