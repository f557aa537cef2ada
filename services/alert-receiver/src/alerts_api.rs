//! `GET /alerts`: the kept alerts, one entry per alert (a notification carrying three
//! alerts gives three entries), oldest first, optionally filtered by status, alertname
//! and receiver.
//!
//! The answer is bounded, whatever the history holds: at most `limit` entries (the
//! newest matching ones) and at most [`MAX_RESPONSE_BYTES`] of them. Each entry
//! repeats its notification's receiver name, so without the byte bound a few
//! notifications with a long receiver name and many tiny alerts could turn a 32 MiB
//! history into gigabytes of answer. Entries are serialized straight from the history
//! (no copies), newest first until a bound is hit, then written out oldest first.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use service_runtime::errors::ApiError;

use crate::alert_filter::AlertsQuery;
use crate::payload::{Alert, AlertStatus, LabelSet};
use crate::ring::{NotificationRing, StoredNotification};
use crate::state::AppState;

/// The most bytes of entries one answer carries (16 MiB).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// One received alert with the context of the notification that carried it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedAlert<'a> {
    /// Alertmanager receiver the notification was sent to.
    pub receiver: &'a str,
    /// Status of this alert (not of its group).
    pub status: AlertStatus,
    /// The alert's labels.
    pub labels: &'a LabelSet,
    /// The alert's annotations.
    pub annotations: &'a LabelSet,
    /// When the alert started (RFC 3339, from Alertmanager).
    pub starts_at: &'a str,
    /// When the alert ended (`0001-01-01T00:00:00Z` while firing).
    pub ends_at: &'a str,
    /// Link to the expression that produced the alert.
    #[serde(rename = "generatorURL")]
    pub generator_url: &'a str,
    /// Alertmanager's fingerprint of the label set.
    pub fingerprint: &'a str,
    /// When this receiver accepted the notification (RFC 3339 UTC).
    pub received_at: &'a str,
}

impl<'a> ReceivedAlert<'a> {
    /// The entry for `alert`, carried by `stored`.
    pub fn new(stored: &'a StoredNotification, alert: &'a Alert) -> Self {
        Self {
            receiver: &stored.notification.receiver,
            status: alert.status,
            labels: &alert.labels,
            annotations: &alert.annotations,
            starts_at: &alert.starts_at,
            ends_at: &alert.ends_at,
            generator_url: &alert.generator_url,
            fingerprint: &alert.fingerprint,
            received_at: &stored.received_at,
        }
    }
}

/// The serialized entries chosen for an answer, newest first.
#[derive(Debug, Default)]
struct Selection {
    entries: Vec<Vec<u8>>,
    bytes: usize,
    /// Kept alerts matching the filter, returned or not.
    matched: usize,
}

/// Handles `GET /alerts`. The body is
/// `{"alerts":[...],"total":N,"matched":M,"truncated":bool}`: `total` entries
/// returned, `matched` kept alerts passing the filter, `truncated` when a bound cut
/// the answer short (the oldest matching alerts are the ones left out).
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(pairs) = query.map_err(|rejection| {
        ApiError::bad_request(format!("bad query: {}", rejection.body_text()))
    })?;
    let query =
        AlertsQuery::from_pairs(pairs).map_err(|error| ApiError::bad_request(error.to_string()))?;
    let selection = state
        .with_history(|ring| select(ring, &query))
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot serialize an alert");
            ApiError::internal()
        })?;
    let body = render(selection);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Serializes the newest matching alerts until `limit` or [`MAX_RESPONSE_BYTES`] is
/// reached, and counts every match.
fn select(ring: &NotificationRing, query: &AlertsQuery) -> Result<Selection, serde_json::Error> {
    let mut selection = Selection::default();
    let mut full = false;
    for stored in ring.iter().rev() {
        let receiver = &stored.notification.receiver;
        for alert in stored.notification.alerts.iter().rev() {
            if !query.filter.matches(receiver, alert) {
                continue;
            }
            selection.matched += 1;
            full = full || selection.entries.len() == query.limit;
            if full {
                continue;
            }
            let entry = serde_json::to_vec(&ReceivedAlert::new(stored, alert))?;
            // +1 for the separating comma.
            if selection.bytes + entry.len() + 1 > MAX_RESPONSE_BYTES {
                full = true;
                continue;
            }
            selection.bytes += entry.len() + 1;
            selection.entries.push(entry);
        }
    }
    Ok(selection)
}

/// Writes the answer body, entries oldest first.
fn render(selection: Selection) -> Vec<u8> {
    let total = selection.entries.len();
    let tail = format!(
        "],\"total\":{total},\"matched\":{},\"truncated\":{}}}",
        selection.matched,
        total < selection.matched
    );
    let mut body = Vec::with_capacity(selection.bytes + tail.len() + 16);
    body.extend_from_slice(b"{\"alerts\":[");
    for (index, entry) in selection.entries.into_iter().rev().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&entry);
    }
    body.extend_from_slice(tail.as_bytes());
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert_filter::AlertsQuery;
    use crate::ring::tests::{bounds, stored};

    fn query(pairs: &[(&str, &str)]) -> AlertsQuery {
        let pairs = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        AlertsQuery::from_pairs(pairs).expect("valid query")
    }

    fn answer(ring: &NotificationRing, pairs: &[(&str, &str)]) -> serde_json::Value {
        let selection = select(ring, &query(pairs)).expect("serializes");
        serde_json::from_slice(&render(selection)).expect("the body is JSON")
    }

    fn ring_of(keys: &[&str]) -> NotificationRing {
        let mut ring = NotificationRing::new(bounds(100, usize::MAX));
        for key in keys {
            let mut item = stored(key);
            // Name each notification's alerts after its key, to follow them.
            for alert in &mut item.notification.alerts {
                alert.labels.insert("alertname".into(), (*key).to_owned());
            }
            ring.push(item);
        }
        ring
    }

    fn names(answer: &serde_json::Value) -> Vec<&str> {
        answer["alerts"]
            .as_array()
            .expect("alerts array")
            .iter()
            .map(|alert| alert["labels"]["alertname"].as_str().expect("alertname"))
            .collect()
    }

    #[test]
    fn an_empty_history_is_an_empty_untruncated_page() {
        let body = answer(&ring_of(&[]), &[]);
        assert_eq!(
            body,
            serde_json::json!({"alerts": [], "total": 0, "matched": 0, "truncated": false})
        );
    }

    #[test]
    fn a_limit_keeps_the_newest_alerts_oldest_first() {
        let ring = ring_of(&["a", "b", "c"]);
        let all = answer(&ring, &[]);
        assert_eq!(names(&all), ["a", "a", "b", "b", "c", "c"]);
        assert_eq!(
            (&all["total"], &all["truncated"]),
            (&6.into(), &false.into())
        );
        let limited = answer(&ring, &[("limit", "3")]);
        assert_eq!(names(&limited), ["b", "c", "c"]);
        assert_eq!(limited["total"], 3);
        assert_eq!(limited["matched"], 6);
        assert_eq!(limited["truncated"], true);
    }

    #[test]
    fn entries_match_the_stored_alert() {
        let ring = ring_of(&["a"]);
        let body = answer(&ring, &[("limit", "1")]);
        let item = ring.iter().next().expect("one kept");
        let alert = &item.notification.alerts[1];
        let expected = serde_json::to_value(ReceivedAlert::new(item, alert)).expect("JSON");
        assert_eq!(body["alerts"][0], expected);
        assert_eq!(body["alerts"][0]["receivedAt"], item.received_at.as_str());
        assert_eq!(
            body["alerts"][0]["generatorURL"],
            alert.generator_url.as_str()
        );
    }

    #[test]
    fn the_answer_never_exceeds_the_byte_bound() {
        // Two alerts per notification, each entry repeating a 1 MiB receiver name:
        // 20 notifications would make a 40 MiB answer.
        let mut ring = NotificationRing::new(bounds(100, usize::MAX));
        for i in 0..20 {
            let mut item = stored(&format!("k{i}"));
            item.notification.receiver = "r".repeat(1024 * 1024);
            ring.push(item);
        }
        let selection = select(&ring, &query(&[("limit", "10000")])).expect("serializes");
        let body = render(selection);
        assert!(
            body.len() <= MAX_RESPONSE_BYTES + 100,
            "{} bytes",
            body.len()
        );
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(body["matched"], 40);
        assert_eq!(body["truncated"], true);
        let total = body["total"].as_u64().expect("total");
        assert!((10..40).contains(&total), "{total}");
    }
}
