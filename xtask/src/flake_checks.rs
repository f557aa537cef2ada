//! `cargo xtask flake-checks [CHECK...]`: the checks of `nix/checks.nix`, each run
//! on a copy of exactly its file set, so a file that a check reads but its set
//! lacks fails here, not only under `nix flake check`.
//!
//! For every check (or the ones named), the set of `nix/sources.nix` is rendered
//! with `nix-instantiate --eval --strict --json`, its files (as git knows them)
//! are copied into an empty directory, and the check's command runs there with
//! Debian's tools (twins.rs says which, and how each differs).
//!
//! The cargo twins share one target directory, `target/flake-checks`, so
//! dependencies are built once, not per set. Not the work tree's own `target/`:
//! cargo keys a workspace crate's artifacts by its path relative to the
//! workspace root, so a copy's build would replace the work tree's (with the
//! copy's CARGO_MANIFEST_DIR compiled into xtask) and look fresh to it. For the
//! same reason every copy gets fresh modification times: the workspace's own
//! crates are compiled again in each copy, never taken from another one. The
//! copies sit outside the repository (no parent `.cargo/` or `.git` to lean on).

mod copy;
mod seed;
mod special;
mod twins;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use twins::{CHECKS, FlakeCheck, NOT_TWINNED, Twin};

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if args.iter().any(|arg| arg.starts_with('-')) {
        println!("usage: cargo xtask flake-checks [CHECK...]");
        bail!("flake-checks takes check names only, got {args:?}");
    }
    let sets = load_sets()?;
    check_every_set_is_twinned(&sets)?;
    let selected: Vec<&FlakeCheck> = if args.is_empty() {
        CHECKS.iter().collect()
    } else {
        let unknown: Vec<&String> = args
            .iter()
            .filter(|arg| !CHECKS.iter().any(|check| check.name == arg.as_str()))
            .collect();
        ensure!(unknown.is_empty(), "no twinned check named {unknown:?}");
        CHECKS
            .iter()
            .filter(|check| args.iter().any(|arg| arg == check.name))
            .collect()
    };

    let files = copy::repository_files()?;
    let work_tree_target = std::env::current_dir()?.join("target");
    let target_dir = work_tree_target.join("flake-checks");
    if seed::seed_once(&work_tree_target, &target_dir)? {
        println!("flake-checks: target/flake-checks seeded with the dependencies of target/debug");
    }
    let scratch = scratch_dir()?;
    let started = Instant::now();
    let mut failed = Vec::new();
    for check in selected.iter().copied() {
        let begun = Instant::now();
        println!("\n==> {} (twin)", check.name);
        if !check.note.is_empty() {
            println!("    twin: {}", check.note);
        }
        let result = run_one(check, &sets[check.name], &files, &scratch, &target_dir);
        let seconds = begun.elapsed().as_secs_f64();
        match result {
            Ok(()) => println!("<== {}: ok ({seconds:.1}s)", check.name),
            Err(err) => {
                println!("<== {}: FAILED ({seconds:.1}s): {err:#}", check.name);
                failed.push(check.name);
            }
        }
    }
    std::fs::remove_dir_all(&scratch).with_context(|| format!("removing {}", scratch.display()))?;
    for (name, reason) in NOT_TWINNED {
        println!("not twinned: {name}: {reason}");
    }
    println!(
        "flake-checks: {} twinned, {} failed, in {:.0}s",
        selected.len(),
        failed.len(),
        started.elapsed().as_secs_f64()
    );
    ensure!(
        failed.is_empty(),
        "failed on their file sets: {}",
        failed.join(", ")
    );
    Ok(())
}

/// The sets of nix/sources.nix: check name -> repository-relative paths.
fn load_sets() -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let value = crate::nixcheck::eval_json("import ./nix/sources.nix")?;
    serde_json::from_value(value).context("nix/sources.nix is not an attrset of path lists")
}

/// Every set is twinned or named as not twinned, and every twin has its set.
fn check_every_set_is_twinned(sets: &BTreeMap<String, Vec<String>>) -> anyhow::Result<()> {
    let known = |name: &str| {
        CHECKS.iter().any(|check| check.name == name)
            || NOT_TWINNED.iter().any(|(other, _)| *other == name)
    };
    let untwinned: Vec<&String> = sets.keys().filter(|name| !known(name)).collect();
    ensure!(
        untwinned.is_empty(),
        "sets of nix/sources.nix with no twin in xtask/src/flake_checks/twins.rs: {untwinned:?}"
    );
    let setless: Vec<&str> = CHECKS
        .iter()
        .map(|check| check.name)
        .filter(|name| !sets.contains_key(*name))
        .collect();
    ensure!(
        setless.is_empty(),
        "twinned checks with no set in nix/sources.nix: {setless:?}"
    );
    Ok(())
}

/// A fixed, empty directory for this work tree's copies, outside it.
fn scratch_dir() -> anyhow::Result<PathBuf> {
    let root = std::env::current_dir()?;
    // FNV-1a of the work tree's path: one place per work tree, stable across runs.
    let hash = root
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        });
    let dir = std::env::temp_dir().join(format!("lookout-flake-checks-{hash:016x}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("emptying {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

fn run_one(
    check: &FlakeCheck,
    set: &[String],
    files: &[String],
    scratch: &Path,
    target_dir: &Path,
) -> anyhow::Result<()> {
    let selected = copy::select(check.name, set, files)?;
    let copy = scratch.join(check.name);
    copy::copy_into(&selected, &copy)?;
    println!(
        "    set: {} paths, {} files, copied to {}",
        set.len(),
        selected.len(),
        copy.display()
    );
    match check.twin {
        Twin::Commands(commands) => {
            for command in commands {
                run_command(command, &copy, target_dir)?;
            }
            Ok(())
        }
        Twin::ConfigRender => special::config_render(&copy, &scratch.join("config-render.out")),
        Twin::NixStyle => special::nix_style(&copy, files),
    }
}

fn run_command(command: &[&str], dir: &Path, target_dir: &Path) -> anyhow::Result<()> {
    let (program, args) = command.split_first().context("empty command")?;
    println!("    $ {}", command.join(" ").replace('\n', "; "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .with_context(|| format!("cannot start {program}"))?;
    ensure!(
        status.success(),
        "`{}` exited with {status}",
        command.join(" ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{CHECKS, NOT_TWINNED, check_every_set_is_twinned};
    use std::collections::BTreeMap;

    fn sets(names: &[&str]) -> BTreeMap<String, Vec<String>> {
        names
            .iter()
            .map(|name| ((*name).to_owned(), vec!["Cargo.toml".to_owned()]))
            .collect()
    }

    fn every_name() -> Vec<&'static str> {
        CHECKS
            .iter()
            .map(|check| check.name)
            .chain(NOT_TWINNED.iter().map(|(name, _)| *name))
            .collect()
    }

    /// The real nix/sources.nix (tests run in xtask/), rendered by nix-instantiate.
    #[test]
    fn every_set_of_nix_sources_is_twinned() {
        let value = crate::nixcheck::eval_json("import ../nix/sources.nix").expect("renders");
        let real: BTreeMap<String, Vec<String>> =
            serde_json::from_value(value).expect("attrset of path lists");
        check_every_set_is_twinned(&real).expect("every set twinned");
        assert!(real["rules-xtask"].contains(&"docs/runbooks.md".to_owned()));
    }

    #[test]
    fn a_set_without_twin_fails() {
        let mut names = every_name();
        names.push("new-check");
        let err = check_every_set_is_twinned(&sets(&names)).expect_err("untwinned set");
        assert!(err.to_string().contains("new-check"), "{err}");
    }

    #[test]
    fn a_twin_without_set_fails() {
        let names: Vec<&str> = every_name()
            .into_iter()
            .filter(|name| *name != "rules-xtask")
            .collect();
        let err = check_every_set_is_twinned(&sets(&names)).expect_err("setless twin");
        assert!(err.to_string().contains("rules-xtask"), "{err}");
    }
}
