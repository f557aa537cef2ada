//! Client for the alert receiver's history (`GET /alerts?status=&alertname=`).

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

/// One webhook notification as the receiver stored it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredNotification {
    /// RFC 3339 UTC time the receiver accepted it.
    pub received_at: String,
    /// The notification Alertmanager sent.
    pub notification: Notification,
}

/// The parts of an Alertmanager webhook notification the test checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// `firing` or `resolved`.
    pub status: String,
    /// Alertmanager receiver that sent it.
    pub receiver: String,
    /// Labels the group is formed by.
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    /// The alerts of the group.
    pub alerts: Vec<NotifiedAlert>,
}

/// One alert inside a notification.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotifiedAlert {
    /// `firing` or `resolved`.
    pub status: String,
    /// Labels (`alertname`, `job`, `severity`, ...).
    pub labels: BTreeMap<String, String>,
    /// Annotations (`summary`, `description`, `runbook_url`).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339 start time.
    pub starts_at: String,
}

/// One delivered alert, flattened out of its notification.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// When the receiver accepted the notification (RFC 3339).
    pub received_at: String,
    /// Alertmanager receiver name.
    pub receiver: String,
    /// The alert.
    pub alert: NotifiedAlert,
}

impl ReceiverClient {
    /// A client for the receiver at `base` (e.g. `http://127.0.0.1:5001`).
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `GET /alerts` with optional `status` and `alertname` filters.
    pub async fn notifications(
        &self,
        status: Option<&str>,
        alertname: Option<&str>,
    ) -> Result<Vec<StoredNotification>> {
        let url = format!("{}/alerts", self.base);
        let mut query = Vec::new();
        if let Some(status) = status {
            query.push(("status", status));
        }
        if let Some(alertname) = alertname {
            query.push(("alertname", alertname));
        }
        get_json(&self.client, &url, &query).await
    }

    /// Every delivered alert named `alertname` with the given `status`, one entry
    /// per alert per notification, oldest first.
    pub async fn deliveries(&self, alertname: &str, status: &str) -> Result<Vec<Delivery>> {
        let stored = self.notifications(None, Some(alertname)).await?;
        Ok(stored
            .into_iter()
            .flat_map(|item| {
                let received_at = item.received_at;
                let receiver = item.notification.receiver;
                item.notification
                    .alerts
                    .into_iter()
                    .filter(|alert| {
                        alert.status == status
                            && alert.labels.get("alertname").map(String::as_str) == Some(alertname)
                    })
                    .map(move |alert| Delivery {
                        received_at: received_at.clone(),
                        receiver: receiver.clone(),
                        alert,
                    })
            })
            .collect())
    }
}
