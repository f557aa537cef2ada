//! Grafana for the local stack: started only when a `grafana` binary is found,
//! provisioned with what `nix/lib/grafana-provisioning.nix` renders (the
//! Prometheus datasource and the dashboards of `dashboards/`), with a generated
//! admin password and secret key kept in files in the stack's directory and
//! referenced through `$__file{…}`, as the NixOS module does.

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::json;

use super::durations::go_duration;
use super::{StackOptions, names};
use crate::render::{call_nix_function, write_config};
use crate::supervisor::{ProcessSpec, Supervisor};
use crate::tools::Tool;

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
        password_file: PathBuf,
    },
}

/// Starts Grafana if `program` is known and its home directory (the static files
/// and `conf/defaults.ini` shipped with it) can be found.
pub(super) fn start(
    supervisor: &mut Supervisor,
    program: Option<&Path>,
    options: &StackOptions,
    dir: &Path,
    repo: &Path,
) -> Result<GrafanaStatus> {
    if !options.grafana {
        return Ok(GrafanaStatus::NotRequested);
    }
    let Some(program) = program else {
        return Ok(GrafanaStatus::Skipped(format!(
            "no {} binary on PATH and {} unset ({})",
            Tool::Grafana.candidates().join("/"),
            Tool::Grafana.env_var(),
            Tool::Grafana.install_hint()
        )));
    };
    let Some(home) = home_path(program) else {
        return Ok(GrafanaStatus::Skipped(format!(
            "found {} but not its home directory (conf/defaults.ini); set GRAFANA_HOMEPATH",
            program.display()
        )));
    };
    let grafana_dir = dir.join("grafana");
    let provisioning = grafana_dir.join("provisioning");
    for sub in ["datasources", "dashboards", "plugins", "alerting"] {
        std::fs::create_dir_all(provisioning.join(sub))
            .with_context(|| format!("creating {}", provisioning.join(sub).display()))?;
    }
    let rendered = call_nix_function(
        repo,
        "grafana-provisioning.nix",
        &json!({
            "prometheusUrl": format!("http://127.0.0.1:{}", options.ports.prometheus),
            "dashboardsPath": repo.join("dashboards").display().to_string(),
            "scrapeInterval": go_duration(options.scrape_interval),
        }),
        &dir.join("render"),
    )?;
    write_config(
        &provisioning.join("datasources/lookout.yaml"),
        &rendered["datasources"],
    )?;
    write_config(
        &provisioning.join("dashboards/lookout.yaml"),
        &rendered["dashboards"],
    )?;
    let password_file = grafana_dir.join("admin-password");
    let secret_key_file = grafana_dir.join("secret-key");
    write_secret(&password_file)?;
    write_secret(&secret_key_file)?;
    let ini = grafana_dir.join("grafana.ini");
    std::fs::write(
        &ini,
        format!(
            "[server]\nhttp_addr = 127.0.0.1\nhttp_port = {port}\n\
             [paths]\ndata = {data}\nlogs = {logs}\nplugins = {plugins}\nprovisioning = {prov}\n\
             [security]\nadmin_user = admin\nadmin_password = $__file{{{password}}}\n\
             secret_key = $__file{{{secret}}}\n\
             [auth.anonymous]\nenabled = false\n\
             [analytics]\nreporting_enabled = false\ncheck_for_updates = false\n",
            port = options.ports.grafana,
            data = grafana_dir.join("data").display(),
            logs = grafana_dir.join("logs").display(),
            plugins = grafana_dir.join("plugins").display(),
            prov = provisioning.display(),
            password = password_file.display(),
            secret = secret_key_file.display(),
        ),
    )
    .with_context(|| format!("writing {}", ini.display()))?;
    // `grafana server` is the current CLI; the older `grafana-server` takes the
    // same flags without the subcommand.
    let mut args = Vec::new();
    if program.file_name().is_some_and(|name| name == "grafana") {
        args.push("server".to_owned());
    }
    args.extend([
        format!("--homepath={}", home.display()),
        format!("--config={}", ini.display()),
    ]);
    supervisor.start(ProcessSpec::new(
        names::GRAFANA,
        program.to_path_buf(),
        args,
    ))?;
    Ok(GrafanaStatus::Running {
        url: format!("http://127.0.0.1:{}", options.ports.grafana),
        password_file,
    })
}

/// Grafana's home: `GRAFANA_HOMEPATH`, else `share/grafana` next to the binary
/// (Nix, tarballs), else Debian's `/usr/share/grafana`.
fn home_path(program: &Path) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(home) = std::env::var_os("GRAFANA_HOMEPATH") {
        candidates.push(PathBuf::from(home));
    }
    let resolved = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    if let Some(prefix) = resolved.parent().and_then(Path::parent) {
        candidates.push(prefix.join("share/grafana"));
        candidates.push(prefix.to_path_buf());
    }
    candidates.push(PathBuf::from("/usr/share/grafana"));
    candidates
        .into_iter()
        .find(|home| home.join("conf/defaults.ini").is_file())
}

/// Writes 32 random hex characters into a file only its owner can read.
fn write_secret(path: &Path) -> Result<()> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut random| random.read_exact(&mut bytes))
        .context("reading /dev/urandom")?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    // Created with mode 0600 so the secret is never readable by others, not even
    // for the moment between creating and restricting the file.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| file.write_all(hex.as_bytes()))
        .with_context(|| format!("writing {}", path.display()))
}
