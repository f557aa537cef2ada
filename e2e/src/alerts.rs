//! Following one alert through the pipeline: pending and firing in Prometheus,
//! held by Alertmanager, delivered to the alert receiver. Every wait is bounded
//! and its timeout message shows what each API held at the last poll.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use anyhow::Result;

use crate::clients::alertmanager::{AlertmanagerClient, AmAlert};
use crate::clients::prometheus::{Alert, PrometheusClient};
use crate::clients::receiver::{ReceivedAlert, ReceiverClient};
use crate::wait::{Probe, wait_until};

/// Selects alerts by name and a subset of their labels.
#[derive(Debug, Clone)]
pub struct AlertSelector {
    /// The `alertname`.
    pub name: String,
    /// Other labels that must be equal.
    pub labels: BTreeMap<String, String>,
}

impl AlertSelector {
    /// Alerts named `name`, any labels.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            labels: BTreeMap::new(),
        }
    }

    /// Also require `label` = `value`.
    pub fn with(mut self, label: &str, value: &str) -> Self {
        self.labels.insert(label.to_owned(), value.to_owned());
        self
    }

    /// Whether a label set is selected.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        labels.get("alertname") == Some(&self.name)
            && self
                .labels
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
    }
}

impl fmt::Display for AlertSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.labels.is_empty() {
            let pairs: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            write!(f, "{{{}}}", pairs.join(", "))?;
        }
        Ok(())
    }
}

fn label_summary(labels: &BTreeMap<String, String>) -> String {
    let name = labels.get("alertname").map_or("?", String::as_str);
    let job = labels
        .get("job")
        .map_or(String::new(), |job| format!("{{job={job}}}"));
    format!("{name}{job}")
}

/// Waits until Prometheus reports the selected alert in `state` (`pending` or
/// `firing`).
pub async fn wait_prometheus_state(
    prometheus: &PrometheusClient,
    selector: &AlertSelector,
    state: &str,
    timeout: Duration,
) -> Result<Alert> {
    wait_until(
        &format!("{selector} to be {state} in Prometheus"),
        timeout,
        || async {
            let alerts = prometheus.alerts().await?;
            if let Some(alert) = alerts
                .iter()
                .find(|alert| selector.matches(&alert.labels) && alert.state == state)
            {
                return Ok(Probe::Ready(alert.clone()));
            }
            let seen: Vec<String> = alerts
                .iter()
                .map(|a| format!("{}={}", label_summary(&a.labels), a.state))
                .collect();
            Ok(Probe::Pending(format!(
                "Prometheus alerts: [{}]",
                seen.join(", ")
            )))
        },
    )
    .await
}

/// Waits until Alertmanager holds the selected alert and `accept` approves it
/// (e.g. active, or suppressed by an inhibition).
pub async fn wait_alertmanager<F>(
    alertmanager: &AlertmanagerClient,
    selector: &AlertSelector,
    what: &str,
    timeout: Duration,
    accept: F,
) -> Result<AmAlert>
where
    F: Fn(&AmAlert) -> bool,
{
    wait_until(
        &format!("{selector} to be {what} in Alertmanager"),
        timeout,
        || async {
            let alerts = alertmanager.alerts().await?;
            if let Some(alert) = alerts
                .iter()
                .find(|alert| selector.matches(&alert.labels) && accept(alert))
            {
                return Ok(Probe::Ready(alert.clone()));
            }
            let seen: Vec<String> = alerts
                .iter()
                .map(|a| {
                    format!(
                        "{}={} inhibitedBy={:?}",
                        label_summary(&a.labels),
                        a.status.state,
                        a.status.inhibited_by
                    )
                })
                .collect();
            Ok(Probe::Pending(format!(
                "Alertmanager alerts: [{}]",
                seen.join(", ")
            )))
        },
    )
    .await
}

/// Waits until the alert receiver has a delivery of the selected alert with
/// `status` (`firing` or `resolved`); returns the first such delivery.
pub async fn wait_delivered(
    receiver: &ReceiverClient,
    selector: &AlertSelector,
    status: &str,
    timeout: Duration,
) -> Result<ReceivedAlert> {
    wait_until(
        &format!("{selector} to be delivered {status} to the alert receiver"),
        timeout,
        || async {
            let delivered = receiver.alerts(Some(status), Some(&selector.name)).await?;
            if let Some(alert) = delivered
                .iter()
                .find(|alert| selector.matches(&alert.labels))
            {
                return Ok(Probe::Ready(alert.clone()));
            }
            let everything = receiver.alerts(None, None).await?;
            let seen: Vec<String> = everything
                .iter()
                .map(|a| format!("{}:{}->{}", label_summary(&a.labels), a.status, a.receiver))
                .collect();
            Ok(Probe::Pending(format!(
                "receiver holds {} alerts: [{}]",
                seen.len(),
                seen.join(", ")
            )))
        },
    )
    .await
}

/// Fails unless a delivered alert carries the alert contract: a `severity`
/// label and non-empty `summary`, `description` and `runbook_url` annotations.
pub fn check_alert_contract(alert: &ReceivedAlert, severity: &str) -> Result<()> {
    let name = label_summary(&alert.labels);
    anyhow::ensure!(
        alert.labels.get("severity").map(String::as_str) == Some(severity),
        "{name}: expected severity {severity}, got labels {:?}",
        alert.labels
    );
    for key in ["summary", "description", "runbook_url"] {
        anyhow::ensure!(
            alert
                .annotations
                .get(key)
                .is_some_and(|text| !text.trim().is_empty()),
            "{name}: annotation {key} missing or empty in {:?}",
            alert.annotations
        );
    }
    Ok(())
}
