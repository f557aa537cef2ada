//! The Alertmanager webhook payload (version "4"), as Alertmanager 0.25 sends it, and
//! the checks that turn a request body into one.
//!
//! Parsing takes three passes over the body so that each kind of bad input gets its
//! own message (bytes that are not JSON at all, JSON whose `version` is not "4", and a
//! version-4 document with a missing or mistyped field) without ever building a
//! generic JSON tree, which took ten times the body's size: the first two passes
//! allocate next to nothing, the last builds the notification directly.

mod json_shape;

use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::heap_size::{allocation, string};
use json_shape::VersionProbe;

pub use crate::label_set::LabelSet;

/// The only payload version this receiver understands (Alertmanager ≥ 0.16 sends it).
pub const SUPPORTED_VERSION: &str = "4";

/// Whether an alert (or a whole notification) is firing or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// The alert is active.
    Firing,
    /// The alert has ended.
    Resolved,
}

impl AlertStatus {
    /// The wire spelling, also used as a metric label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }
}

impl fmt::Display for AlertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One webhook notification: a group of alerts sent to one receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Payload version, always [`SUPPORTED_VERSION`] once parsed.
    pub version: String,
    /// Key identifying the alert group in Alertmanager.
    pub group_key: String,
    /// How many alerts Alertmanager left out because of `max_alerts`.
    #[serde(default)]
    pub truncated_alerts: u64,
    /// Firing if at least one alert of the group fires.
    pub status: AlertStatus,
    /// Name of the Alertmanager receiver that sent this notification.
    pub receiver: String,
    /// Labels the group is formed by.
    #[serde(default)]
    pub group_labels: LabelSet,
    /// Labels every alert of the group shares.
    #[serde(default)]
    pub common_labels: LabelSet,
    /// Annotations every alert of the group shares.
    #[serde(default)]
    pub common_annotations: LabelSet,
    /// Link back to the Alertmanager that sent the notification.
    #[serde(rename = "externalURL", default)]
    pub external_url: String,
    /// The alerts of the group (JSON objects only: see
    /// [`json_shape::alerts_as_objects`]).
    #[serde(deserialize_with = "json_shape::alerts_as_objects")]
    pub alerts: Vec<Alert>,
}

/// One alert inside a notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Firing or resolved.
    pub status: AlertStatus,
    /// Identifying labels (`alertname`, `job`, `severity`, ...).
    pub labels: LabelSet,
    /// Annotations (`summary`, `description`, `runbook_url`, ...).
    #[serde(default)]
    pub annotations: LabelSet,
    /// RFC 3339 start time, as Alertmanager wrote it.
    pub starts_at: String,
    /// RFC 3339 end time; `0001-01-01T00:00:00Z` while firing.
    #[serde(default)]
    pub ends_at: String,
    /// Link to the expression that produced the alert.
    #[serde(rename = "generatorURL", default)]
    pub generator_url: String,
    /// Alertmanager's fingerprint of the label set.
    pub fingerprint: String,
}

impl Notification {
    /// Heap bytes this notification owns (its inline fields are counted by whoever
    /// holds it).
    pub fn heap_bytes(&self) -> usize {
        string(&self.version)
            + string(&self.group_key)
            + string(&self.receiver)
            + string(&self.external_url)
            + self.group_labels.heap_bytes()
            + self.common_labels.heap_bytes()
            + self.common_annotations.heap_bytes()
            + allocation(self.alerts.capacity() * std::mem::size_of::<Alert>())
            + self.alerts.iter().map(Alert::heap_bytes).sum::<usize>()
    }
}

impl Alert {
    fn heap_bytes(&self) -> usize {
        self.labels.heap_bytes()
            + self.annotations.heap_bytes()
            + string(&self.starts_at)
            + string(&self.ends_at)
            + string(&self.generator_url)
            + string(&self.fingerprint)
    }

    /// The `alertname` label, or "" when the alert has none.
    pub fn alertname(&self) -> &str {
        self.labels.get("alertname").unwrap_or("")
    }
}

/// Why a request body is not a version-4 notification.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    /// The body is not JSON.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// JSON, but not an object with a string `version`.
    #[error("not an Alertmanager webhook payload: expected a JSON object with a \"version\" field")]
    NotAPayload,
    /// A payload of another version.
    #[error("unsupported webhook payload version {found:?}, expected {SUPPORTED_VERSION:?}")]
    UnsupportedVersion {
        /// The version the sender announced.
        found: String,
    },
    /// A version-4 payload with a missing or mistyped field.
    #[error("invalid version 4 payload: {0}")]
    InvalidField(String),
    /// A version-4 payload without alerts (Alertmanager never sends one).
    #[error("invalid version 4 payload: \"alerts\" is empty")]
    NoAlerts,
}

/// Parses and checks a request body.
pub fn parse_notification(body: &[u8]) -> Result<Notification, PayloadError> {
    serde_json::from_slice::<IgnoredAny>(body)
        .map_err(|e| PayloadError::MalformedJson(e.to_string()))?;
    let version = serde_json::from_slice::<VersionProbe>(body)
        .ok()
        .and_then(|probe| probe.0)
        .ok_or(PayloadError::NotAPayload)?;
    if version != SUPPORTED_VERSION {
        return Err(PayloadError::UnsupportedVersion { found: version });
    }
    let mut notification: Notification =
        serde_json::from_slice(body).map_err(|e| PayloadError::InvalidField(e.to_string()))?;
    if notification.alerts.is_empty() {
        return Err(PayloadError::NoAlerts);
    }
    // Growing the array left up to half of it unused; keep only what is needed.
    notification.alerts.shrink_to_fit();
    Ok(notification)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRING: &str = include_str!("../tests/fixtures/alertmanager-0.25-firing.json");
    const RESOLVED: &str = include_str!("../tests/fixtures/alertmanager-0.25-resolved.json");

    #[test]
    fn parses_a_real_alertmanager_firing_notification() {
        let n = parse_notification(FIRING.as_bytes()).expect("fixture parses");
        assert_eq!(n.status, AlertStatus::Firing);
        assert_eq!(n.receiver, "webhook");
        assert_eq!(n.alerts.len(), 2);
        assert_eq!(n.alerts[0].alertname(), "HighErrorRate");
        assert_eq!(n.alerts[0].ends_at, "0001-01-01T00:00:00Z");
        assert_eq!(n.group_labels.get("job"), Some("user-service"));
    }

    #[test]
    fn parses_a_real_alertmanager_resolved_notification() {
        let n = parse_notification(RESOLVED.as_bytes()).expect("fixture parses");
        assert_eq!(n.status, AlertStatus::Resolved);
        assert!(n.alerts.iter().all(|a| a.status == AlertStatus::Resolved));
    }

    #[test]
    fn a_parsed_notification_serializes_back_to_the_same_document() {
        let n = parse_notification(FIRING.as_bytes()).expect("fixture parses");
        let original: serde_json::Value = serde_json::from_str(FIRING).expect("fixture is JSON");
        assert_eq!(serde_json::to_value(&n).expect("serializes"), original);
    }

    #[test]
    fn rejects_bytes_that_are_not_json() {
        assert!(matches!(
            parse_notification(b"{\"version\": "),
            Err(PayloadError::MalformedJson(_))
        ));
    }

    #[test]
    fn rejects_json_without_a_version() {
        assert_eq!(
            parse_notification(b"[1, 2]"),
            Err(PayloadError::NotAPayload)
        );
        assert_eq!(
            parse_notification(b"{\"version\": 4}"),
            Err(PayloadError::NotAPayload)
        );
    }

    #[test]
    fn rejects_another_version() {
        let body = FIRING.replace("\"version\":\"4\"", "\"version\":\"3\"");
        assert_eq!(
            parse_notification(body.as_bytes()),
            Err(PayloadError::UnsupportedVersion {
                found: "3".to_owned()
            })
        );
    }

    #[test]
    fn rejects_a_missing_or_mistyped_field() {
        let missing = r#"{"version":"4","groupKey":"k","status":"firing","alerts":[]}"#;
        let err = parse_notification(missing.as_bytes()).expect_err("receiver is missing");
        assert!(err.to_string().contains("receiver"), "{err}");
        let bad_status = FIRING.replace("\"status\":\"firing\"", "\"status\":\"burning\"");
        assert!(matches!(
            parse_notification(bad_status.as_bytes()),
            Err(PayloadError::InvalidField(_))
        ));
    }

    #[test]
    fn rejects_alerts_written_as_arrays() {
        let packed = r#"{"version":"4","groupKey":"k","status":"firing","receiver":"r",
            "alerts":[["firing",{},{},"","","",""]]}"#;
        let err = parse_notification(packed.as_bytes()).expect_err("alert is an array");
        assert!(err.to_string().contains("alert object"), "{err}");
    }

    #[test]
    fn rejects_a_notification_without_alerts() {
        let empty =
            r#"{"version":"4","groupKey":"k","status":"firing","receiver":"r","alerts":[]}"#;
        assert_eq!(
            parse_notification(empty.as_bytes()),
            Err(PayloadError::NoAlerts)
        );
    }
}
