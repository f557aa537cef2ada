//! `cargo xtask vm-lint`: the VM test scripts checked the way the NixOS test
//! driver checks them when it builds a test (nixos/lib/testing/driver.nix),
//! so a slip fails here instead of under `nix flake check`:
//!
//! - pyflakes on the script as the driver runs it, with the node names and the
//!   driver's globals as builtins (`PYFLAKES_BUILTINS`);
//! - mypy `--no-implicit-optional` on the script after the driver's globals
//!   and one `name: QemuMachine` line per node, against the stubs of the
//!   driver API in `nix/tests/driver-stubs` (written from the upstream source);
//! - every driver method the scripts call is one `docs/vm-tests.md` lists as
//!   read upstream, and no console wait has a timeout (see `vmlint/waits.rs`).
//!
//! The tests, their nodes, their preamble's names and types, and their files
//! come from `nix/tests/lint.nix` (rendered with nix-instantiate). pyflakes and
//! mypy are pinned in `xtask/vm-lint-requirements.txt` (`.ci/run` installs
//! them); a missing or other version fails the run.

mod linters;
mod script;
mod tests_listing;
mod waits;

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

const USAGE: &str = "usage: cargo xtask vm-lint";

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    if !args.is_empty() {
        bail!("{USAGE}");
    }
    let started = Instant::now();
    let python = linters::check_installed()?;
    let tests = tests_listing::load(Path::new("."))?;
    tests_listing::check_complete(Path::new("nix/tests"), &tests)?;
    let documented = waits::documented_methods(Path::new("docs/vm-tests.md"))?;

    let work_dir = Path::new("target/vm-lint");
    std::fs::create_dir_all(work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;
    let mut failures = Vec::new();
    for test in &tests {
        let files = script::read_files(&test.files)?;
        let mut problems = waits::check(&test.python_names(), &files, &documented);
        problems.extend(linters::pyflakes(&python, work_dir, test, &files)?);
        problems.extend(linters::mypy(&python, work_dir, test, &files)?);
        if problems.is_empty() {
            println!(
                "vm-lint: {}: pyflakes, mypy and wait primitives ok",
                test.name
            );
        } else {
            for problem in &problems {
                println!("vm-lint: {}: {problem}", test.name);
            }
            failures.push(test.name.clone());
        }
    }
    println!(
        "vm-lint: {} test scripts in {:.1}s",
        tests.len(),
        started.elapsed().as_secs_f64()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("VM test scripts with problems: {}", failures.join(", "))
    }
}
