//! Rendering the stack's configs with the repository's pure Nix functions
//! (`nix/lib/prometheus-config.nix`, `alertmanager-config.nix`,
//! `grafana-provisioning.nix`) for this stack's ports and intervals.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::StackOptions;
use super::durations::{go_duration, parse_go_duration};
use super::names;
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
    /// The Alertmanager route an alert with `labels` takes: the first child of the
    /// root route whose matchers all match (lookout's tree has one level and no
    /// `continue`), else the root route.
    pub fn route_for(&self, labels: &BTreeMap<String, String>) -> Option<&Value> {
        let root = self.alertmanager.get("route")?;
        let children = root.get("routes").and_then(Value::as_array);
        Some(
            children
                .into_iter()
                .flatten()
                .find(|route| route_matches(route, labels))
                .unwrap_or(root),
        )
    }

    /// The receiver an alert with `labels` is routed to.
    pub fn receiver_for(&self, labels: &BTreeMap<String, String>) -> Option<String> {
        self.route_for(labels)?
            .get("receiver")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The group wait applying to an alert with `labels` (a child route inherits
    /// the root's when it sets none).
    pub fn group_wait_for(&self, labels: &BTreeMap<String, String>) -> Option<Duration> {
        let own = self.route_for(labels)?.get("group_wait");
        let inherited = self.alertmanager.get("route")?.get("group_wait");
        parse_go_duration(own.or(inherited)?.as_str()?)
    }
}

/// Whether every matcher of `route` matches `labels`. Only the equality and
/// inequality matchers lookout uses (`name="value"`, `name!="value"`) are
/// understood; any other matcher makes the route not match.
fn route_matches(route: &Value, labels: &BTreeMap<String, String>) -> bool {
    let Some(matchers) = route.get("matchers").and_then(Value::as_array) else {
        return false;
    };
    matchers.iter().all(|matcher| {
        let Some(text) = matcher.as_str() else {
            return false;
        };
        let (name, negated, value) = match text.split_once("!=") {
            Some((name, value)) => (name, true, value),
            None => match text.split_once('=') {
                Some((name, value)) if !value.starts_with('~') && !name.ends_with('=') => {
                    (name, false, value)
                }
                _ => return false,
            },
        };
        let value = value.trim().trim_matches('"');
        let actual = labels.get(name.trim()).map_or("", String::as_str);
        (actual == value) != negated
    })
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
            // Critical alerts keep their own immediate group wait; their group
            // interval (which paces resolved notifications) follows ours.
            "criticalGroupInterval": go_duration(options.alertmanager.group_interval),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn configs() -> RenderedConfigs {
        RenderedConfigs {
            prometheus_file: PathBuf::new(),
            alertmanager_file: PathBuf::new(),
            prometheus: Value::Null,
            alertmanager: json!({
                "route": {
                    "receiver": "default",
                    "group_wait": "1s",
                    "routes": [
                        {"receiver": "watchdog", "matchers": ["alertname=\"Watchdog\""], "group_wait": "0s"},
                        {"receiver": "critical", "matchers": ["severity=\"critical\""]},
                        {"receiver": "quiet", "matchers": ["alertname!=\"Loud\"", "team=ops"]}
                    ]
                }
            }),
            rule_files: Vec::new(),
        }
    }

    #[test]
    fn routes_follow_the_first_matching_child() {
        let c = configs();
        let watchdog = labels(&[("alertname", "Watchdog"), ("severity", "none")]);
        assert_eq!(c.receiver_for(&watchdog).as_deref(), Some("watchdog"));
        assert_eq!(c.group_wait_for(&watchdog), Some(Duration::ZERO));
        let page = labels(&[("alertname", "ServiceDown"), ("severity", "critical")]);
        assert_eq!(c.receiver_for(&page).as_deref(), Some("critical"));
        assert_eq!(c.group_wait_for(&page), Some(Duration::from_secs(1)));
        let ops = labels(&[("alertname", "Other"), ("team", "ops")]);
        assert_eq!(c.receiver_for(&ops).as_deref(), Some("quiet"));
        let loud = labels(&[("alertname", "Loud"), ("team", "ops")]);
        assert_eq!(c.receiver_for(&loud).as_deref(), Some("default"));
    }

    #[test]
    fn external_labels_with_a_dollar_are_refused() {
        // Prometheus 3 would expand `${HOSTNAME}` from its environment, 2.x not.
        let scratch = tempfile::tempdir().expect("tempdir");
        let render = |labels: Value| {
            call_nix_function(
                &crate::tools::repo_dir(),
                "prometheus-config.nix",
                &json!({"targets": {}, "externalLabels": labels}),
                scratch.path(),
            )
        };
        let plain = render(json!({"site": "eu-1"})).expect("renders");
        assert_eq!(plain["global"]["external_labels"]["site"], "eu-1");
        let err = render(json!({"site": "${HOSTNAME}"})).expect_err("refused");
        assert!(
            format!("{err:#}").contains("external label site"),
            "{err:#}"
        );
    }
}
