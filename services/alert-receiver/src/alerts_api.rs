//! `GET /alerts`: the kept alerts, one entry per alert (a notification carrying three
//! alerts gives three entries), oldest first, optionally filtered by status, alertname
//! and receiver.
//!
//! The answer is bounded, whatever the history holds: at most `limit` entries (the
//! newest matching ones) and at most its share of the answer budget in bytes
//! ([`crate::work_limits`]). Each entry repeats its notification's receiver name, so
//! without the byte bound a few notifications with a long receiver name and many tiny
//! alerts could turn a 32 MiB history into gigabytes of answer. At most
//! `--max-alerts-answers` answers are built or sent at once (a request waits briefly
//! for a slot, then gets 503), and each is sent in chunks under a deadline
//! ([`crate::answer_stream`]), so clients that do not read cannot pile answers up.
//! Entries are serialized straight from the history, newest first until a bound is
//! hit, then sent oldest first.

use std::mem::size_of;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use service_runtime::errors::ApiError;

use crate::alert_filter::AlertsQuery;
use crate::answer_stream::{self, Answer};
use crate::heap_size::allocation;
use crate::payload::{Alert, AlertStatus, LabelSet};
use crate::ring::{NotificationRing, StoredNotification};
use crate::state::AppState;

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
    entries: Vec<Box<[u8]>>,
    /// Heap bytes of `entries`, allocator overhead included.
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
    let limits = state.limits();
    let slot = limits.answer_permit().await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many GET /alerts answers in progress; retry shortly",
        )
    })?;
    let max_bytes = limits.answer_bytes();
    let selection = state
        .with_history(|ring| select(ring, &query, max_bytes))
        .await
        .map_err(|error| {
            tracing::error!(%error, "cannot serialize an alert");
            ApiError::internal()
        })?;
    let body = answer_stream::send(
        answer(selection),
        slot,
        limits.settings().answer_send_timeout,
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Serializes the newest matching alerts until `limit` entries or `max_bytes` of heap
/// are reached, and counts every match.
fn select(
    ring: &NotificationRing,
    query: &AlertsQuery,
    max_bytes: usize,
) -> Result<Selection, serde_json::Error> {
    let mut selection = Selection::default();
    let mut full = false;
    let mut scratch = Vec::new();
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
            scratch.clear();
            serde_json::to_writer(&mut scratch, &ReceivedAlert::new(stored, alert))?;
            // The entry's own block and its slot in the list (which may double).
            let cost = allocation(scratch.len()) + 2 * size_of::<Box<[u8]>>();
            if selection.bytes + cost > max_bytes {
                full = true;
                continue;
            }
            selection.bytes += cost;
            selection.entries.push(scratch.as_slice().into());
        }
    }
    Ok(selection)
}

/// The answer of a selection: `{"alerts":[...],"total":N,"matched":M,"truncated":bool}`.
fn answer(selection: Selection) -> Answer {
    let total = selection.entries.len();
    let tail = format!(
        "],\"total\":{total},\"matched\":{},\"truncated\":{}}}",
        selection.matched,
        total < selection.matched
    );
    Answer::new(selection.entries, tail)
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

    /// The whole body of an answer.
    fn render(selection: Selection) -> Vec<u8> {
        let mut answer = answer(selection);
        std::iter::from_fn(|| answer.next_chunk())
            .collect::<Vec<_>>()
            .concat()
    }

    fn body(ring: &NotificationRing, pairs: &[(&str, &str)]) -> serde_json::Value {
        let selection = select(ring, &query(pairs), usize::MAX).expect("serializes");
        serde_json::from_slice(&render(selection)).expect("the body is JSON")
    }

    fn ring_of(keys: &[&str]) -> NotificationRing {
        let mut ring = NotificationRing::new(bounds(100, usize::MAX));
        for key in keys {
            let mut item = stored(key);
            // Name each notification's alerts after its key, to follow them.
            for alert in &mut item.notification.alerts {
                alert.labels.insert("alertname", key);
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
        let body = body(&ring_of(&[]), &[]);
        assert_eq!(
            body,
            serde_json::json!({"alerts": [], "total": 0, "matched": 0, "truncated": false})
        );
    }

    #[test]
    fn a_limit_keeps_the_newest_alerts_oldest_first() {
        let ring = ring_of(&["a", "b", "c"]);
        let all = body(&ring, &[]);
        assert_eq!(names(&all), ["a", "a", "b", "b", "c", "c"]);
        assert_eq!(
            (&all["total"], &all["truncated"]),
            (&6.into(), &false.into())
        );
        let limited = body(&ring, &[("limit", "3")]);
        assert_eq!(names(&limited), ["b", "c", "c"]);
        assert_eq!(limited["total"], 3);
        assert_eq!(limited["matched"], 6);
        assert_eq!(limited["truncated"], true);
    }

    #[test]
    fn entries_match_the_stored_alert() {
        let ring = ring_of(&["a"]);
        let body = body(&ring, &[("limit", "1")]);
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
        let max = 16 * 1024 * 1024;
        let selection = select(&ring, &query(&[("limit", "10000")]), max).expect("serializes");
        assert!(selection.bytes <= max, "{} bytes", selection.bytes);
        let body = render(selection);
        assert!(body.len() <= max, "{} bytes", body.len());
        let body: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(body["matched"], 40);
        assert_eq!(body["truncated"], true);
        let total = body["total"].as_u64().expect("total");
        assert!((10..40).contains(&total), "{total}");
    }
}
