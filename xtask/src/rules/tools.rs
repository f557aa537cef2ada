//! The external tools the rules checks run, and how to install each one.

use std::process::{Command, Output};

use anyhow::{Context, bail};

/// An external program and the hint printed when it is missing.
pub(super) struct Tool {
    /// Names to try, in order, on PATH.
    pub(super) names: &'static [&'static str],
    /// How to get it.
    pub(super) install: &'static str,
}

pub(super) const PROMTOOL: Tool = Tool {
    names: &["promtool"],
    install: "apt-get install prometheus (Debian), or `nix develop` (pkgs.prometheus.cli)",
};
pub(super) const AMTOOL: Tool = Tool {
    names: &["amtool"],
    install: "apt-get install prometheus-alertmanager (Debian), or `nix develop`",
};
/// Debian names the daemon `prometheus-alertmanager`, nixpkgs `alertmanager`.
pub(super) const ALERTMANAGER: Tool = Tool {
    names: &["alertmanager", "prometheus-alertmanager"],
    install: "apt-get install prometheus-alertmanager (Debian), or `nix develop`",
};
pub(super) const NIX_INSTANTIATE: Tool = Tool {
    names: &["nix-instantiate"],
    install: "apt-get install nix-bin (Debian), or any Nix installation",
};

impl Tool {
    /// A command for the first of the tool's names that can be started.
    pub(super) fn command(&self) -> anyhow::Result<Command> {
        for name in self.names {
            let probe = Command::new(name).arg("--version").output();
            if probe.is_ok() {
                return Ok(Command::new(name));
            }
        }
        bail!(
            "{} is not installed (not on PATH): {}",
            self.names.join(" or "),
            self.install
        )
    }
}

/// Runs the tool with `args`; a non-zero exit is an error carrying its output.
pub(super) fn run_tool(tool: &Tool, args: &[String]) -> anyhow::Result<Output> {
    let mut command = tool.command()?;
    let output = command
        .args(args)
        .output()
        .with_context(|| format!("cannot run {}", tool.names[0]))?;
    if !output.status.success() {
        bail!(
            "`{} {}` exited with {}:\n{}{}",
            tool.names[0],
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output)
}
