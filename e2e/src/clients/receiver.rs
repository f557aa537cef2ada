//! Client for the alert receiver's history (`GET /alerts?status=&alertname=`),
//! which lists every received alert, one entry per alert, oldest first.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::Deserialize;

use super::get_json;

/// The alert receiver's API.
#[derive(Debug, Clone)]
pub struct ReceiverClient {
    client: reqwest::Client,
    base: String,
}

/// One delivered alert with the context of its notification.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAlert {
    /// Alertmanager receiver the notification was sent to.
    pub receiver: String,
    /// `firing` or `resolved` (this alert's status, not its group's).
    pub status: String,
    /// Labels (`alertname`, `job`, `severity`, ...).
    pub labels: BTreeMap<String, String>,
    /// Annotations (`summary`, `description`, `runbook_url`).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339 start time, from Alertmanager.
    pub starts_at: String,
    /// Alertmanager's fingerprint of the label set.
    pub fingerprint: String,
    /// When the receiver accepted the notification (RFC 3339 UTC).
    pub received_at: String,
}

#[derive(Debug, Deserialize)]
struct AlertsPage {
    alerts: Vec<ReceivedAlert>,
}

impl ReceiverClient {
    /// A client for the receiver at `base` (e.g. `http://127.0.0.1:5001`).
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /alerts` filtered by `status` (`firing`/`resolved`) and `alertname`.
    pub async fn alerts(
        &self,
        status: Option<&str>,
        alertname: Option<&str>,
    ) -> Result<Vec<ReceivedAlert>> {
        let url = format!("{}/alerts", self.base);
        let mut query = Vec::new();
        if let Some(status) = status {
            query.push(("status", status));
        }
        if let Some(alertname) = alertname {
            query.push(("alertname", alertname));
        }
        let page: AlertsPage = get_json(&self.client, &url, &query).await?;
        Ok(page.alerts)
    }
}
