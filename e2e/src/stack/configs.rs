//! Rendering the stack's configs with the repository's pure Nix functions
//! (`nix/lib/prometheus-config.nix`, `alertmanager-config.nix`,
//! `grafana-provisioning.nix`) for this stack's ports and intervals.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::StackOptions;
use super::names;
use super::processes::go_duration;
use crate::render::{call_nix_function, write_config};

/// Alertmanager's grouping timings (short in tests, so delivery is quick).
#[derive(Debug, Clone, Copy)]
pub struct AlertmanagerTimings {
    /// Wait before the first notification of a new group.
    pub group_wait: Duration,
    /// Wait before notifying about changes to a group already notified.
    pub group_interval: Duration,
    /// Wait before repeating an unchanged notification.
    pub repeat_interval: Duration,
}

/// The config files written for one stack, and what they hold.
#[derive(Debug, Clone)]
pub struct RenderedConfigs {
    /// `prometheus.yml` (JSON, which is YAML).
    pub prometheus_file: PathBuf,
    /// `alertmanager.yml`.
    pub alertmanager_file: PathBuf,
    /// The rendered Prometheus config.
    pub prometheus: Value,
    /// The rendered Alertmanager config.
    pub alertmanager: Value,
    /// The rule files Prometheus loads, unmodified from `rules/`.
    pub rule_files: Vec<PathBuf>,
}

impl RenderedConfigs {
    /// The receiver the Alertmanager routing tree sends `alertname` to, following
    /// the first matching child route of the root (as Alertmanager does with
    /// `continue: false`), or the root receiver.
    pub fn receiver_for(&self, alertname: &str) -> Option<String> {
        let route = self.alertmanager.get("route")?;
        let routes = route.get("routes").and_then(Value::as_array);
        for child in routes.into_iter().flatten() {
            if route_matches_alertname(child, alertname) {
                return child
                    .get("receiver")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
        }
        route
            .get("receiver")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// Whether a route's matchers select exactly this alert name (only `alertname`
/// equality matchers are understood; anything else does not match).
fn route_matches_alertname(route: &Value, alertname: &str) -> bool {
    let matchers = route.get("matchers").and_then(Value::as_array);
    matchers
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|matcher| {
            let compact: String = matcher.chars().filter(|c| !c.is_whitespace()).collect();
            compact == format!("alertname=\"{alertname}\"")
                || compact == format!("alertname={alertname}")
        })
        || route
            .get("match")
            .and_then(|m| m.get("alertname"))
            .and_then(Value::as_str)
            == Some(alertname)
}

/// The repository's rule files, `rules/*.rules.yml`, sorted.
pub fn rule_files(repo: &Path) -> Result<Vec<PathBuf>> {
    let dir = repo.join("rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.to_str().is_some_and(|p| p.ends_with(".rules.yml")))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{} holds no *.rules.yml file", dir.display());
    }
    Ok(files)
}

/// Renders and writes every config into `dir`.
pub(super) fn render(
    repo: &Path,
    dir: &Path,
    options: &StackOptions,
    with_grafana: bool,
) -> Result<RenderedConfigs> {
    let scratch = dir.join("render");
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let rule_files = rule_files(repo)?;
    let ports = &options.ports;
    let local = |port: u16| format!("127.0.0.1:{port}");
    let mut targets = serde_json::Map::new();
    targets.insert(
        names::USER_SERVICE.into(),
        json!([local(ports.user_service)]),
    );
    targets.insert(
        names::ORDER_SERVICE.into(),
        json!([local(ports.order_service)]),
    );
    targets.insert(
        names::ALERT_RECEIVER.into(),
        json!([local(ports.alert_receiver)]),
    );
    targets.insert(
        names::NODE_EXPORTER.into(),
        json!([local(ports.node_exporter)]),
    );
    targets.insert(
        names::ALERTMANAGER.into(),
        json!([local(ports.alertmanager)]),
    );
    targets.insert(names::PROMETHEUS.into(), json!([local(ports.prometheus)]));
    if with_grafana {
        targets.insert(names::GRAFANA.into(), json!([local(ports.grafana)]));
    }
    let prometheus = call_nix_function(
        repo,
        "prometheus-config.nix",
        &json!({
            "targets": targets,
            "scrapeInterval": go_duration(options.scrape_interval),
            "evaluationInterval": go_duration(options.evaluation_interval),
            "ruleFiles": rule_files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "alertmanagers": [local(ports.alertmanager)],
        }),
        &scratch,
    )?;
    let alertmanager = call_nix_function(
        repo,
        "alertmanager-config.nix",
        &json!({
            "webhookUrl": format!("http://127.0.0.1:{}/webhook", ports.alert_receiver),
            "groupWait": go_duration(options.alertmanager.group_wait),
            "groupInterval": go_duration(options.alertmanager.group_interval),
            "repeatInterval": go_duration(options.alertmanager.repeat_interval),
        }),
        &scratch,
    )?;
    let prometheus_file = dir.join("prometheus.yml");
    let alertmanager_file = dir.join("alertmanager.yml");
    write_config(&prometheus_file, &prometheus)?;
    write_config(&alertmanager_file, &alertmanager)?;
    Ok(RenderedConfigs {
        prometheus_file,
        alertmanager_file,
        prometheus,
        alertmanager,
        rule_files,
    })
}
