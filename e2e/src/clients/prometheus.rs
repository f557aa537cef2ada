//! Client for the Prometheus HTTP API v1 (targets, rules, alerts, alertmanagers,
//! instant queries).

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::get_json;

/// Label set of a series or an alert.
pub type Labels = BTreeMap<String, String>;

/// A Prometheus server's API.
#[derive(Debug, Clone)]
pub struct PrometheusClient {
    client: reqwest::Client,
    base: String,
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    status: String,
    data: Option<T>,
    error: Option<String>,
}

/// One active scrape target.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// Target labels after relabelling (`job`, `instance`, ...).
    pub labels: Labels,
    /// URL scraped.
    pub scrape_url: String,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// Error of the last scrape, empty when it succeeded.
    pub last_error: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetsData {
    active_targets: Vec<Target>,
}

/// One rule group as loaded.
#[derive(Debug, Clone, Deserialize)]
pub struct RuleGroup {
    /// Group name.
    pub name: String,
    /// File the group was loaded from.
    pub file: String,
    /// Rules of the group.
    pub rules: Vec<Rule>,
}

/// One alerting or recording rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Alert name or recorded metric name.
    pub name: String,
    /// `alerting` or `recording`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    /// Last evaluation error, if any.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When the rule was last evaluated (RFC 3339); Prometheus reports the zero
    /// time `0001-01-01T00:00:00Z` for a rule not evaluated yet.
    #[serde(default)]
    pub last_evaluation: Option<String>,
    /// Alerting rules: `inactive`, `pending` or `firing`.
    #[serde(default)]
    pub state: Option<String>,
    /// Alerting rules: the `for` duration in seconds.
    #[serde(default)]
    pub duration: Option<f64>,
}

impl Rule {
    /// Whether Prometheus has evaluated the rule at least once.
    pub fn has_been_evaluated(&self) -> bool {
        self.last_evaluation
            .as_deref()
            .is_some_and(|at| !at.is_empty() && !at.starts_with("0001-01-01"))
    }

    /// The last evaluation's error, when it failed (`health` "err" or an error text).
    pub fn evaluation_error(&self) -> Option<String> {
        let error = self.last_error.as_deref().unwrap_or_default();
        if self.health == "err" || !error.is_empty() {
            Some(format!("health {}: {error}", self.health))
        } else {
            None
        }
    }
}

#[derive(Debug, Deserialize)]
struct RulesData {
    groups: Vec<RuleGroup>,
}

/// One active (pending or firing) alert.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Alert labels including `alertname`.
    pub labels: Labels,
    /// Annotations (summary, description, runbook_url).
    pub annotations: Labels,
    /// `pending` or `firing`.
    pub state: String,
    /// When the alert became active (RFC 3339).
    pub active_at: Option<String>,
    /// Value of the expression when last evaluated.
    pub value: String,
}

impl Alert {
    /// The `alertname` label.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }
}

#[derive(Debug, Deserialize)]
struct AlertsData {
    alerts: Vec<Alert>,
}

/// One Alertmanager Prometheus sends to.
#[derive(Debug, Clone, Deserialize)]
pub struct AlertmanagerTarget {
    /// Its alerts endpoint.
    pub url: String,
}

/// Alertmanagers as discovered by Prometheus.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alertmanagers {
    /// Alertmanagers alerts are sent to.
    pub active_alertmanagers: Vec<AlertmanagerTarget>,
    /// Alertmanagers dropped by relabelling.
    pub dropped_alertmanagers: Vec<AlertmanagerTarget>,
}

/// One series of an instant-query result.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    /// Series labels.
    pub metric: Labels,
    /// `[timestamp, "value"]`.
    pub value: (f64, String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryData {
    result_type: String,
    result: serde_json::Value,
}

impl PrometheusClient {
    /// A client for the Prometheus at `base` (e.g. `http://127.0.0.1:9090`).
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// Base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn api<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let envelope: Envelope<T> = get_json(&self.client, &url, query).await?;
        match (envelope.status.as_str(), envelope.data) {
            ("success", Some(data)) => Ok(data),
            _ => bail!(
                "{url} failed: {}",
                envelope.error.unwrap_or_else(|| envelope.status.clone())
            ),
        }
    }

    /// `GET /api/v1/targets?state=active`.
    pub async fn targets(&self) -> Result<Vec<Target>> {
        let data: TargetsData = self.api("/api/v1/targets", &[("state", "active")]).await?;
        Ok(data.active_targets)
    }

    /// `GET /api/v1/rules`.
    pub async fn rule_groups(&self) -> Result<Vec<RuleGroup>> {
        let data: RulesData = self.api("/api/v1/rules", &[]).await?;
        Ok(data.groups)
    }

    /// `GET /api/v1/alerts`: pending and firing alerts.
    pub async fn alerts(&self) -> Result<Vec<Alert>> {
        let data: AlertsData = self.api("/api/v1/alerts", &[]).await?;
        Ok(data.alerts)
    }

    /// `GET /api/v1/alertmanagers`.
    pub async fn alertmanagers(&self) -> Result<Alertmanagers> {
        self.api("/api/v1/alertmanagers", &[]).await
    }

    /// `GET /api/v1/query`: an instant query. Vector results are returned as is, a
    /// scalar as one series without labels; matrices and strings are errors.
    pub async fn query(&self, promql: &str) -> Result<Vec<Sample>> {
        let data: QueryData = self.api("/api/v1/query", &[("query", promql)]).await?;
        match data.result_type.as_str() {
            "vector" => Ok(serde_json::from_value(data.result)?),
            "scalar" => {
                let value: (f64, String) = serde_json::from_value(data.result)?;
                Ok(vec![Sample {
                    metric: Labels::new(),
                    value,
                }])
            }
            other => bail!("query {promql} returned a {other}, expected a vector"),
        }
    }
}
