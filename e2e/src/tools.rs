//! Locating the programs a stack runs: our own Rust binaries and the external
//! tools (Prometheus, Alertmanager, node exporter, nix-instantiate, Grafana).
//! A missing program is an error that says what to install, never a skip.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// An external program the stack needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// The Prometheus server.
    Prometheus,
    /// The Alertmanager.
    Alertmanager,
    /// The Prometheus node exporter (host metrics for the host dashboard).
    NodeExporter,
    /// `nix-instantiate`, which renders the configs from `nix/lib`.
    NixInstantiate,
    /// Grafana (optional: only the local stack runner starts it).
    Grafana,
}

impl Tool {
    /// Environment variable that overrides the search.
    pub fn env_var(self) -> &'static str {
        match self {
            Tool::Prometheus => "PROMETHEUS_BIN",
            Tool::Alertmanager => "ALERTMANAGER_BIN",
            Tool::NodeExporter => "NODE_EXPORTER_BIN",
            Tool::NixInstantiate => "NIX_INSTANTIATE_BIN",
            Tool::Grafana => "GRAFANA_BIN",
        }
    }

    /// Program names searched on `PATH`, in order (upstream name, then Debian's).
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            Tool::Prometheus => &["prometheus"],
            Tool::Alertmanager => &["alertmanager", "prometheus-alertmanager"],
            Tool::NodeExporter => &["prometheus-node-exporter", "node_exporter"],
            Tool::NixInstantiate => &["nix-instantiate"],
            Tool::Grafana => &["grafana", "grafana-server"],
        }
    }

    /// What to install when the program is missing.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Prometheus => "apt-get install prometheus",
            Tool::Alertmanager => "apt-get install prometheus-alertmanager",
            Tool::NodeExporter => "apt-get install prometheus-node-exporter",
            Tool::NixInstantiate => "apt-get install nix-bin",
            Tool::Grafana => "install Grafana (e.g. from Grafana's apt repository, or nix develop)",
        }
    }
}

/// The path of `tool`: its environment variable if set, else the first candidate
/// found on `PATH`.
pub fn locate_tool(tool: Tool) -> Result<PathBuf> {
    locate_with(
        tool,
        std::env::var_os(tool.env_var()).map(PathBuf::from),
        std::env::var_os("PATH"),
    )
}

/// [`locate_tool`] with the override and `PATH` given explicitly (testable
/// without touching the process environment).
fn locate_with(
    tool: Tool,
    override_path: Option<PathBuf>,
    path_var: Option<OsString>,
) -> Result<PathBuf> {
    if let Some(path) = override_path {
        if is_executable(&path) {
            return Ok(path);
        }
        bail!(
            "{}={} is not an executable file",
            tool.env_var(),
            path.display()
        );
    }
    let dirs: Vec<PathBuf> = path_var
        .map(|value| std::env::split_paths(&value).collect())
        .unwrap_or_default();
    for name in tool.candidates() {
        if let Some(path) = dirs
            .iter()
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
        {
            return Ok(path);
        }
    }
    bail!(
        "{} not found on PATH (looked for {}); install it ({}) or set {}",
        tool.candidates()[0],
        tool.candidates().join(", "),
        tool.install_hint(),
        tool.env_var()
    )
}

/// The repository root: `LOOKOUT_REPO_DIR`, else the workspace this crate was built in.
pub fn repo_dir() -> PathBuf {
    match std::env::var_os("LOOKOUT_REPO_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    }
}

/// Directory holding our Rust binaries: `LOOKOUT_BIN_DIR`, else the workspace's
/// `target/debug` (the test command runs `cargo build --workspace --bins` first).
pub fn lookout_bin_dir() -> PathBuf {
    match std::env::var_os("LOOKOUT_BIN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(target) => PathBuf::from(target).join("debug"),
            None => repo_dir().join("target/debug"),
        },
    }
}

/// The path of one of our binaries (`user-service`, `alert-receiver`, ...).
pub fn lookout_binary(name: &str) -> Result<PathBuf> {
    let path = lookout_bin_dir().join(name);
    if is_executable(&path) {
        Ok(path)
    } else {
        bail!(
            "{} is missing: run `cargo build --workspace --bins` first (or set LOOKOUT_BIN_DIR)",
            path.display()
        )
    }
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_hint_and_candidates() {
        for tool in [
            Tool::Prometheus,
            Tool::Alertmanager,
            Tool::NodeExporter,
            Tool::NixInstantiate,
            Tool::Grafana,
        ] {
            assert!(!tool.candidates().is_empty());
            assert!(!tool.install_hint().is_empty());
        }
    }

    #[test]
    fn a_missing_tool_names_its_package_and_variable() {
        let empty = tempfile::tempdir().expect("tempdir");
        let err = locate_with(
            Tool::Alertmanager,
            None,
            Some(empty.path().as_os_str().to_owned()),
        )
        .expect_err("nothing on this PATH");
        let text = err.to_string();
        assert!(
            text.contains("apt-get install prometheus-alertmanager")
                && text.contains("ALERTMANAGER_BIN"),
            "{text}"
        );
    }

    #[test]
    fn debian_names_are_found_and_overrides_are_checked() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let debian = dir.path().join("prometheus-alertmanager");
        std::fs::write(&debian, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&debian, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let found = locate_with(
            Tool::Alertmanager,
            None,
            Some(dir.path().as_os_str().to_owned()),
        )
        .expect("found under its Debian name");
        assert_eq!(found, debian);
        let err = locate_with(Tool::Alertmanager, Some(dir.path().join("nope")), None)
            .expect_err("a bad override is an error, not a fallback");
        assert!(err.to_string().contains("ALERTMANAGER_BIN="), "{err}");
    }

    #[test]
    fn missing_binary_names_the_build_command() {
        let err = lookout_binary("no-such-lookout-binary").expect_err("must be missing");
        assert!(
            err.to_string().contains("cargo build --workspace --bins"),
            "{err}"
        );
    }
}
