//! Client for the Alertmanager API v2 (alerts with their inhibition state, status).

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;

use super::get_json;

/// An Alertmanager's API.
#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    client: reqwest::Client,
    base: String,
}

/// One alert as Alertmanager holds it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmAlert {
    /// Labels, including `alertname`.
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// When it started (RFC 3339).
    pub starts_at: String,
    /// Fingerprint of the label set.
    pub fingerprint: String,
    /// Routing and suppression state.
    pub status: AmAlertStatus,
    /// Receivers the alert is routed to.
    pub receivers: Vec<AmReceiver>,
}

impl AmAlert {
    /// The `alertname` label.
    pub fn name(&self) -> &str {
        self.labels.get("alertname").map_or("", String::as_str)
    }
}

/// Whether an alert is active or suppressed, and by what.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmAlertStatus {
    /// `active`, `suppressed` or `unprocessed`.
    pub state: String,
    /// Fingerprints of the alerts inhibiting this one.
    pub inhibited_by: Vec<String>,
    /// Ids of the silences muting this one.
    pub silenced_by: Vec<String>,
}

/// A receiver name.
#[derive(Debug, Clone, Deserialize)]
pub struct AmReceiver {
    /// The receiver's name in the routing config.
    pub name: String,
}

/// Part of `GET /api/v2/status`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmStatus {
    /// Cluster state (`disabled` for a single instance started with an empty
    /// `--cluster.listen-address`).
    pub cluster: AmCluster,
    /// Loaded configuration.
    pub config: AmConfig,
    /// Version information.
    pub version_info: BTreeMap<String, String>,
}

/// Cluster part of the status.
#[derive(Debug, Clone, Deserialize)]
pub struct AmCluster {
    /// `ready`, `settling` or `disabled`.
    pub status: String,
    /// This peer's name in the cluster (empty when clustering is off).
    #[serde(default)]
    pub name: String,
    /// The live members of the cluster, this peer included (none when off).
    #[serde(default)]
    pub peers: Vec<AmPeer>,
}

/// One member of an Alertmanager cluster.
#[derive(Debug, Clone, Deserialize)]
pub struct AmPeer {
    /// Its name (a ULID chosen at start).
    pub name: String,
    /// Its gossip address, `host:port`.
    pub address: String,
}

/// Config part of the status.
#[derive(Debug, Clone, Deserialize)]
pub struct AmConfig {
    /// The loaded configuration as YAML.
    pub original: String,
}

impl AlertmanagerClient {
    /// A client for the Alertmanager at `base` (e.g. `http://127.0.0.1:9093`).
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

    /// `GET /api/v2/alerts`, including inhibited and silenced alerts.
    pub async fn alerts(&self) -> Result<Vec<AmAlert>> {
        let url = format!("{}/api/v2/alerts", self.base);
        get_json(
            &self.client,
            &url,
            &[
                ("active", "true"),
                ("inhibited", "true"),
                ("silenced", "true"),
            ],
        )
        .await
    }

    /// `GET /api/v2/status`.
    pub async fn status(&self) -> Result<AmStatus> {
        let url = format!("{}/api/v2/status", self.base);
        get_json(&self.client, &url, &[]).await
    }
}
