//! `cargo xtask stack`: builds every binary, then runs the local stack
//! (`lookout-stack` from the e2e crate) on the well-known ports of
//! `nix/ports.json` until Ctrl-C.

use anyhow::{Context, bail, ensure};
use std::os::unix::process::CommandExt;
use std::process::Command;

pub(crate) fn run(args: &[String]) -> anyhow::Result<()> {
    let status = Command::new("cargo")
        .args(["build", "--workspace", "--bins", "--locked"])
        .status()
        .context("running cargo build")?;
    ensure!(status.success(), "cargo build failed");
    let stack = std::path::Path::new("target/debug/lookout-stack");
    ensure!(stack.is_file(), "{} was not built", stack.display());
    // Replace this process with the stack runner: Ctrl-C then reaches only the
    // runner, which stops everything it started before the shell prompt returns.
    let err = Command::new(stack).args(args).exec();
    bail!("starting {}: {err}", stack.display())
}
