//! The module tree of one crate target, found by following `mod name;` from its
//! root file as rustc does (`name.rs` or `name/mod.rs`; `#[path]` is not used in
//! lookout and not supported), with every reference resolved to an absolute
//! module path.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::scan::scan;

/// A module path from the crate root (`["faults", "layer"]`); the root is empty.
pub(super) type ModulePath = Vec<String>;

/// A reference resolved to absolute paths.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    /// The module the reference is written in.
    pub(super) from: ModulePath,
    /// What it names: a module, or an item inside one.
    pub(super) to: ModulePath,
    pub(super) file: PathBuf,
    pub(super) line: usize,
}

#[derive(Debug, Default)]
pub(super) struct Tree {
    pub(super) modules: BTreeSet<ModulePath>,
    pub(super) references: Vec<Resolved>,
}

/// Reads the target whose root file is `root` and every file module below it.
pub(super) fn read(root: &Path) -> anyhow::Result<Tree> {
    let mut tree = Tree::default();
    tree.modules.insert(Vec::new());
    let dir = root.parent().context("root file has no directory")?;
    read_file(root, &[], dir, &mut tree)?;
    Ok(tree)
}

/// `module_dir` is where the file's child modules live: its own directory for
/// `lib.rs`, `main.rs` and `mod.rs` files, `<stem>/` next to any other file.
fn read_file(
    file: &Path,
    module: &[String],
    module_dir: &Path,
    tree: &mut Tree,
) -> anyhow::Result<()> {
    let source =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let scanned = scan(&source);
    for inline in &scanned.inline_modules {
        tree.modules.insert([module, inline].concat());
    }
    for reference in scanned.references {
        let from = [module, &reference.inline[..]].concat();
        if let Some(to) = resolve(&from, &reference.path) {
            tree.references.push(Resolved {
                from,
                to,
                file: file.to_path_buf(),
                line: reference.line,
            });
        }
    }
    for (inline, name) in scanned.file_modules {
        let dir = inline
            .iter()
            .fold(module_dir.to_path_buf(), |dir, part| dir.join(part));
        let child = [module, &inline[..], std::slice::from_ref(&name)].concat();
        let flat = dir.join(format!("{name}.rs"));
        let nested = dir.join(&name).join("mod.rs");
        let child_file = if flat.is_file() {
            flat
        } else if nested.is_file() {
            nested
        } else {
            bail!(
                "{} declares `mod {name};` but neither {} nor {} exists",
                file.display(),
                flat.display(),
                nested.display()
            );
        };
        tree.modules.insert(child.clone());
        read_file(&child_file, &child, &dir.join(&name), tree)?;
    }
    Ok(())
}

/// The absolute path `path` names when written inside module `from`, or `None`
/// for a `super` above the crate root.
fn resolve(from: &[String], path: &[String]) -> Option<ModulePath> {
    let mut segments = path.iter().peekable();
    let mut absolute = match segments.next()?.as_str() {
        "crate" => Vec::new(),
        "self" => from.to_vec(),
        "super" => from.split_last()?.1.to_vec(),
        _ => return None,
    };
    while segments.peek().is_some_and(|segment| *segment == "super") {
        segments.next();
        absolute.pop()?;
    }
    absolute.extend(segments.cloned());
    Some(absolute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> ModulePath {
        text.split("::")
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn anchors_resolve_against_the_module() {
        let from = path("a::b");
        assert_eq!(resolve(&from, &path("crate::x::y")), Some(path("x::y")));
        assert_eq!(resolve(&from, &path("self::c")), Some(path("a::b::c")));
        assert_eq!(resolve(&from, &path("super::c")), Some(path("a::c")));
        assert_eq!(resolve(&from, &path("super::super::d")), Some(path("d")));
        assert_eq!(resolve(&from, &path("super::super::super::d")), None);
    }
}
