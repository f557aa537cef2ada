//! `GET /alerts`: every kept alert, one entry per alert (a notification carrying three
//! alerts gives three entries), oldest first, optionally filtered by status,
//! alertname and receiver.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Serialize;
use service_runtime::errors::ApiError;

use crate::alert_filter::AlertFilter;
use crate::payload::{AlertStatus, LabelSet};
use crate::state::AppState;

/// One received alert with the context of the notification that carried it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAlert {
    /// Alertmanager receiver the notification was sent to.
    pub receiver: String,
    /// Status of this alert (not of its group).
    pub status: AlertStatus,
    /// The alert's labels.
    pub labels: LabelSet,
    /// The alert's annotations.
    pub annotations: LabelSet,
    /// When the alert started (RFC 3339, from Alertmanager).
    pub starts_at: String,
    /// When the alert ended (`0001-01-01T00:00:00Z` while firing).
    pub ends_at: String,
    /// Link to the expression that produced the alert.
    #[serde(rename = "generatorURL")]
    pub generator_url: String,
    /// Alertmanager's fingerprint of the label set.
    pub fingerprint: String,
    /// When this receiver accepted the notification (RFC 3339 UTC).
    pub received_at: String,
}

/// The body of `GET /alerts`.
#[derive(Debug, Serialize)]
pub struct AlertsPage {
    /// Matching alerts, oldest first.
    pub alerts: Vec<ReceivedAlert>,
    /// `alerts.len()`, for quick checks with `jq .total`.
    pub total: usize,
}

/// Handles `GET /alerts`.
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<AlertsPage>, ApiError> {
    let Query(pairs) = query.map_err(|rejection| {
        ApiError::bad_request(format!("bad query: {}", rejection.body_text()))
    })?;
    let filter =
        AlertFilter::from_pairs(pairs).map_err(|error| ApiError::bad_request(error.to_string()))?;
    let alerts = state
        .with_history(|history| {
            history
                .flat_map(|stored| {
                    let receiver = &stored.notification.receiver;
                    stored
                        .notification
                        .alerts
                        .iter()
                        .filter(|alert| filter.matches(receiver, alert))
                        .map(|alert| ReceivedAlert {
                            receiver: receiver.clone(),
                            status: alert.status,
                            labels: alert.labels.clone(),
                            annotations: alert.annotations.clone(),
                            starts_at: alert.starts_at.clone(),
                            ends_at: alert.ends_at.clone(),
                            generator_url: alert.generator_url.clone(),
                            fingerprint: alert.fingerprint.clone(),
                            received_at: stored.received_at.clone(),
                        })
                })
                .collect::<Vec<_>>()
        })
        .await;
    Ok(Json(AlertsPage {
        total: alerts.len(),
        alerts,
    }))
}
