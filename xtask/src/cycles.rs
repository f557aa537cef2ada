//! `cargo xtask cycles`: fails when modules of a workspace crate import each other.
//!
//! Every target of every workspace package (libraries, binaries, tests, examples,
//! as `cargo metadata` lists them) is read from its root file down its `mod`
//! declarations; [`graph`] says exactly which references make an edge and what
//! a cycle is. Each cycle is printed with one `file:line` per edge.

mod graph;
mod scan;
mod tokens;
mod tree;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// One crate target: its package, kind and root file.
struct Target {
    package: String,
    kind: String,
    root: PathBuf,
}

pub(crate) fn run() -> anyhow::Result<()> {
    let targets = workspace_targets()?;
    let mut cycles = 0;
    for target in &targets {
        cycles += report(target)?;
    }
    println!(
        "module cycles: {cycles} in {} targets of the workspace",
        targets.len()
    );
    if cycles > 0 {
        bail!("{cycles} import cycle(s) between modules");
    }
    Ok(())
}

/// Prints the cycles of one target; returns how many.
fn report(target: &Target) -> anyhow::Result<usize> {
    let tree = tree::read(&target.root)
        .with_context(|| format!("reading {} ({})", target.package, target.kind))?;
    let found = graph::cycles(&tree);
    let root = std::env::current_dir().unwrap_or_default();
    for cycle in &found {
        let parent = if cycle.parent.is_empty() {
            "crate root".to_owned()
        } else {
            cycle.parent.join("::")
        };
        println!(
            "{} ({} {}): cycle under {parent} between {}",
            target.package,
            target.kind,
            target.root.display(),
            cycle.members.join(", ")
        );
        for (from, to, reference) in &cycle.edges {
            let file = reference
                .file
                .strip_prefix(&root)
                .unwrap_or(&reference.file);
            println!(
                "  {from} -> {to}: {}:{} names {}",
                file.display(),
                reference.line,
                reference.to.join("::")
            );
        }
    }
    Ok(found.len())
}

fn workspace_targets() -> anyhow::Result<Vec<Target>> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    targets_of(&serde_json::from_slice(&output.stdout).context("cargo metadata output")?)
}

fn targets_of(metadata: &serde_json::Value) -> anyhow::Result<Vec<Target>> {
    let packages = metadata["packages"]
        .as_array()
        .context("cargo metadata has no packages")?;
    let mut targets = Vec::new();
    for package in packages {
        let name = package["name"].as_str().unwrap_or("?");
        for target in package["targets"].as_array().into_iter().flatten() {
            let root = target["src_path"]
                .as_str()
                .with_context(|| format!("a target of {name} has no src_path"))?;
            let kind = target["kind"][0].as_str().unwrap_or("?");
            targets.push(Target {
                package: name.to_owned(),
                kind: kind.to_owned(),
                root: Path::new(root).to_path_buf(),
            });
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crate on disk with the layout of `files` (path, contents).
    fn crate_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary directory");
        for (path, contents) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
            std::fs::write(path, contents).expect("write");
        }
        dir
    }

    fn cycles_in(files: &[(&str, &str)]) -> Vec<graph::Cycle> {
        let dir = crate_with(files);
        let tree = tree::read(&dir.path().join("lib.rs")).expect("reads");
        graph::cycles(&tree)
    }

    #[test]
    fn a_cycle_between_top_level_modules_is_found() {
        let found = cycles_in(&[
            ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
            ("a.rs", "use crate::b::B;\npub struct A;"),
            ("b/mod.rs", "mod inner;\npub struct B;"),
            ("b/inner.rs", "fn f() { let _ = crate::a::A; }"),
            ("c.rs", "use crate::a::A;"),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].members, ["a", "b"]);
        assert!(found[0].parent.is_empty());
        let lines: Vec<usize> = found[0].edges.iter().map(|edge| edge.2.line).collect();
        assert_eq!(lines, [1, 1]);
    }

    #[test]
    fn a_cycle_between_nested_siblings_is_found() {
        let found = cycles_in(&[
            ("lib.rs", "mod stack;"),
            ("stack.rs", "mod configs;\nmod processes;"),
            ("stack/configs.rs", "use super::processes::Spec;"),
            (
                "stack/processes.rs",
                "pub struct Spec;\n#[cfg(test)]\nmod tests { use super::super::configs; }",
            ),
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].parent, ["stack"]);
        assert_eq!(found[0].members, ["configs", "processes"]);
    }

    #[test]
    fn parents_children_and_one_way_edges_are_no_cycle() {
        let found = cycles_in(&[
            ("lib.rs", "mod a;\nmod b;\npub struct Root;\nuse a::A;"),
            ("a/mod.rs", "mod child;\npub struct A;\nuse crate::b::B;"),
            (
                "a/child.rs",
                "use super::A;\nuse crate::Root;\n// crate::b::x\n",
            ),
            ("b.rs", "pub struct B;\nconst S: &str = \"crate::a::A\";"),
        ]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_missing_module_file_is_an_error() {
        let dir = crate_with(&[("lib.rs", "mod gone;")]);
        let error = tree::read(&dir.path().join("lib.rs")).expect_err("missing file");
        assert!(format!("{error:#}").contains("mod gone;"), "{error:#}");
    }
}
