//! Copies one file set of `nix/sources.nix` into an empty directory: exactly the
//! files git knows under the set's paths, as a flake's source holds them.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail, ensure};

/// The files git tracks (in its index) that exist in the work tree, relative to
/// the repository root (the current directory). Untracked files are left out, as a
/// flake's source leaves them out: a new file not yet `git add`-ed fails here too.
pub(super) fn repository_files() -> anyhow::Result<Vec<String>> {
    let output = Command::new("git")
        .args(["ls-files", "-z", "--cached"])
        .output()
        .context("running git ls-files (is git installed?)")?;
    ensure!(
        output.status.success(),
        "git ls-files failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let listing = String::from_utf8(output.stdout).context("git ls-files printed non-UTF-8")?;
    let mut files: Vec<String> = listing
        .split('\0')
        .filter(|name| !name.is_empty() && Path::new(name).is_file())
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// The files of `files` that `set` takes: a path names a file or a directory.
/// A path with no file under it fails, as lib.fileset fails on a missing path.
pub(super) fn select<'a>(
    name: &str,
    set: &[String],
    files: &'a [String],
) -> anyhow::Result<Vec<&'a str>> {
    let mut selected = Vec::new();
    for path in set {
        let path = path.trim_end_matches('/');
        ensure!(
            !path.is_empty() && !path.starts_with('/') && !path.split('/').any(|part| part == ".."),
            "set {name}: {path:?} is not a repository-relative path"
        );
        let under: Vec<&str> = files
            .iter()
            .map(String::as_str)
            .filter(|file| {
                *file == path
                    || file
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .collect();
        if under.is_empty() {
            bail!("set {name}: {path} is not in the repository (lib.fileset would fail on it too)");
        }
        selected.extend(under);
    }
    selected.sort_unstable();
    selected.dedup();
    Ok(selected)
}

/// Copies `files` from the current directory into `dest`, which must not exist.
/// The copies get fresh modification times, so cargo compiles the workspace's
/// crates from them rather than reusing another copy's artifacts.
pub(super) fn copy_into(files: &[&str], dest: &Path) -> anyhow::Result<()> {
    ensure!(!dest.exists(), "{} already exists", dest.display());
    for file in files {
        let target = dest.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::copy(file, &target).with_context(|| format!("copying {file}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::select;

    fn files() -> Vec<String> {
        [
            "Cargo.toml",
            "docs/runbooks.md",
            "docs/x.md",
            "rules/a.yml",
            "rulesets/b",
        ]
        .map(str::to_owned)
        .to_vec()
    }

    #[test]
    fn a_path_takes_the_file_or_everything_under_the_directory() {
        let set = ["rules".to_owned(), "docs/runbooks.md".to_owned()];
        let files = files();
        assert_eq!(
            select("s", &set, &files).expect("selects"),
            vec!["docs/runbooks.md", "rules/a.yml"]
        );
    }

    #[test]
    fn a_missing_or_escaping_path_fails() {
        let files = files();
        let missing = select("s", &["docs/runbook.md".to_owned()], &files);
        assert!(
            missing
                .expect_err("missing")
                .to_string()
                .contains("docs/runbook.md")
        );
        assert!(select("s", &["../etc".to_owned()], &files).is_err());
        assert!(select("s", &["/etc".to_owned()], &files).is_err());
    }
}
