//! Grafana for the local stack: started only when a `grafana` binary is found,
//! provisioned with the rendered datasource and dashboard provider, and given a
//! generated admin password kept in a file in the stack's directory.

use std::path::Path;

use anyhow::Result;

use super::StackOptions;
use super::configs::RenderedConfigs;
use crate::supervisor::Supervisor;

/// Whether Grafana runs.
#[derive(Debug, Clone)]
pub enum GrafanaStatus {
    /// Not asked for (tests).
    NotRequested,
    /// Asked for but skipped; the reason says what to install.
    Skipped(String),
    /// Running.
    Running {
        /// Its URL.
        url: String,
        /// File holding the generated admin password.
        password_file: std::path::PathBuf,
    },
}

/// Starts Grafana if `program` is known.
pub(super) fn start(
    _supervisor: &mut Supervisor,
    program: Option<&Path>,
    options: &StackOptions,
    _dir: &Path,
    _configs: &RenderedConfigs,
    _repo: &Path,
) -> Result<GrafanaStatus> {
    if !options.grafana {
        return Ok(GrafanaStatus::NotRequested);
    }
    let Some(_program) = program else {
        return Ok(GrafanaStatus::Skipped(format!(
            "no grafana binary on PATH ({})",
            crate::tools::Tool::Grafana.install_hint()
        )));
    };
    Ok(GrafanaStatus::Skipped(String::from("not wired yet")))
}
