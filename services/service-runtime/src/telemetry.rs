//! Logging set-up: `tracing` events to stdout, as text or JSON lines, filtered by
//! an EnvFilter directive (`--log-level`).

use std::io::IsTerminal;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global `tracing` subscriber.
///
/// `level` is an EnvFilter directive (`info`, `debug`, `info,hyper=debug`, ...).
/// Text output uses colour only when stdout is a terminal, so journald gets plain
/// lines. Fails on an invalid directive or if a subscriber is already installed.
pub fn init(level: &str, format: LogFormat) -> anyhow::Result<()> {
    let filter =
        EnvFilter::try_new(level).with_context(|| format!("invalid --log-level {level:?}"))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stdout);
    let installed = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stdout().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    installed.map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))
}
