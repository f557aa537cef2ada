//! Seeds `target/flake-checks` from the work tree's own dev build.
//!
//! On a fresh machine the twins would otherwise compile every dependency again
//! (about 18 minutes on 2 busy cores, measured), although CI's earlier steps
//! have just built the same crates.io dependencies with the same profile into
//! `target/debug`. Cargo keys a dependency's artifacts by its package, version,
//! features and profile, not by the workspace's path, so those artifacts are
//! valid for the copies too. The work tree's own crates come along but are never
//! reused: each copy's sources get fresh modification times, newer than any
//! seeded artifact, so cargo rebuilds them from the copy.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, ensure};

/// The parts of a cargo profile directory worth copying: the compiled crates,
/// build-script outputs and fingerprints (incremental state is per crate of the
/// work tree and would not be reused).
const REUSABLE: &[&str] = &["deps", "build", ".fingerprint"];

/// Copies the reusable parts of `target/debug` into `target_dir/debug` once,
/// when `target_dir` does not exist yet. Returns whether it copied anything.
pub(super) fn seed_once(work_tree_target: &Path, target_dir: &Path) -> anyhow::Result<bool> {
    let source = work_tree_target.join("debug");
    if target_dir.exists() || !source.is_dir() {
        return Ok(false);
    }
    let destination = target_dir.join("debug");
    std::fs::create_dir_all(&destination)
        .with_context(|| format!("creating {}", destination.display()))?;
    for part in REUSABLE {
        let from = source.join(part);
        if !from.exists() {
            continue;
        }
        let status = Command::new("cp")
            .args(["-a", "--reflink=auto"])
            .arg(&from)
            .arg(&destination)
            .status()
            .context("running cp")?;
        ensure!(
            status.success(),
            "copying {} into {} failed with {status}",
            from.display(),
            destination.display()
        );
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::seed_once;

    #[test]
    fn copies_the_reusable_parts_once_and_leaves_incremental_state_out() {
        let temp = tempfile::tempdir().unwrap();
        let target = temp.path().join("target");
        for part in ["deps", "build", ".fingerprint", "incremental"] {
            std::fs::create_dir_all(target.join("debug").join(part)).unwrap();
            std::fs::write(target.join("debug").join(part).join("artifact"), part).unwrap();
        }
        let seeded = target.join("flake-checks");
        assert!(seed_once(&target, &seeded).unwrap());
        for part in ["deps", "build", ".fingerprint"] {
            assert!(
                seeded.join("debug").join(part).join("artifact").is_file(),
                "{part}"
            );
        }
        assert!(!seeded.join("debug/incremental").exists());
        // A second run keeps what the twins built since.
        std::fs::write(seeded.join("debug/deps/artifact"), "rebuilt").unwrap();
        assert!(!seed_once(&target, &seeded).unwrap());
        assert_eq!(
            std::fs::read_to_string(seeded.join("debug/deps/artifact")).unwrap(),
            "rebuilt"
        );
    }

    #[test]
    fn nothing_to_seed_without_a_dev_build() {
        let temp = tempfile::tempdir().unwrap();
        assert!(
            !seed_once(
                &temp.path().join("target"),
                &temp.path().join("target/flake-checks")
            )
            .unwrap()
        );
    }
}
