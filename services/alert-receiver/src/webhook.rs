//! `POST /webhook`: accepts one Alertmanager notification (payload version 4), logs
//! it as one line, stores it, and answers 200 only once it is stored, so that
//! Alertmanager retries anything this receiver could not keep.
//!
//! The body is read first, within `--webhook-body-timeout` and the body budget, and
//! only then does the request wait for parse memory ([`crate::work_limits`]): a
//! client that stalls mid-upload holds its connection and nothing else, so it cannot
//! delay anyone else's delivery.

use std::borrow::Cow;
use std::collections::BTreeSet;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use service_runtime::errors::ApiError;

use crate::payload::{Notification, parse_notification};
use crate::state::AppState;
use crate::work_limits::BodyError;

/// The answer to an accepted notification.
#[derive(Debug, serde::Serialize)]
pub struct Accepted {
    /// Always "accepted".
    pub status: &'static str,
    /// How many alerts the notification carried.
    pub alerts: usize,
}

/// Handles `POST /webhook`.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Accepted>, ApiError> {
    require_json(&headers)?;
    let limits = state.limits();
    let body = limits
        .read_body(body, content_length(&headers))
        .await
        .map_err(|error| body_error(&error))?;
    let parse_memory = limits.parse_permit(body.bytes.len()).await.map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many large notifications being parsed; retry shortly",
        )
    })?;
    let parsed = parse_notification(&body.bytes);
    drop(body);
    drop(parse_memory);
    let notification = parsed.map_err(|error| ApiError::bad_request(error.to_string()))?;
    log(&notification);
    let alerts = notification.alerts.len();
    state.accept(notification).await.map_err(|error| {
        tracing::error!(%error, "cannot store a notification; answering 503 so Alertmanager retries");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "notification not stored: the store file cannot be written",
        )
    })?;
    Ok(Json(Accepted {
        status: "accepted",
        alerts,
    }))
}

/// Alertmanager always sends `application/json`; anything else is a misdirected client.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim);
    match media_type {
        Some(media_type) if media_type.eq_ignore_ascii_case("application/json") => Ok(()),
        Some(other) => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("unsupported Content-Type {other:?}: expected application/json"),
        )),
        None => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "missing Content-Type: expected application/json",
        )),
    }
}

/// The declared body length, if any (a malformed one is left to the server, which
/// refuses such requests itself).
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

fn body_error(error: &BodyError) -> ApiError {
    match error {
        BodyError::TooLarge => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body larger than 1 MiB",
        ),
        BodyError::Timeout(timeout) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "request body not received within {}",
                humantime::format_duration(*timeout)
            ),
        ),
        BodyError::Unreadable(cause) => {
            ApiError::bad_request(format!("cannot read the request body: {cause}"))
        }
        BodyError::Busy => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too many notifications being received; retry shortly",
        ),
    }
}

/// The longest sender-chosen text written into a log line as it is.
const MAX_LOGGED_BYTES: usize = 256;

/// One structured line per notification: enough to follow alerts in the journal.
/// Sender-chosen fields are shortened, so a 1 MiB body cannot make a 1 MiB log line.
fn log(notification: &Notification) {
    let alertnames: BTreeSet<&str> = notification.alerts.iter().map(|a| a.alertname()).collect();
    let alertnames: Vec<&str> = alertnames.into_iter().collect();
    tracing::info!(
        receiver = %shortened(&notification.receiver),
        status = %notification.status,
        alertnames = %shortened(&alertnames.join(",")),
        alerts = notification.alerts.len(),
        truncated_alerts = notification.truncated_alerts,
        group_key = %shortened(&notification.group_key),
        "notification received"
    );
}

/// `text`, or its first [`MAX_LOGGED_BYTES`] (cut on a character boundary) followed
/// by how long it was.
fn shortened(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_LOGGED_BYTES {
        return Cow::Borrowed(text);
    }
    // `str::floor_char_boundary` is newer than the workspace's minimum Rust.
    let cut = (0..=MAX_LOGGED_BYTES)
        .rev()
        .find(|&at| text.is_char_boundary(at))
        .unwrap_or(0);
    Cow::Owned(format!("{}... ({} bytes)", &text[..cut], text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_logged_as_it_is() {
        assert_eq!(shortened("HighErrorRate"), "HighErrorRate");
        let longest = "a".repeat(MAX_LOGGED_BYTES);
        assert_eq!(shortened(&longest), longest);
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary_with_its_length() {
        // 'é' is two bytes, so byte 256 falls inside the 129th one.
        let text = format!("x{}", "é".repeat(1000));
        let short = shortened(&text);
        assert!(short.ends_with("... (2001 bytes)"), "{short}");
        assert!(short.len() < MAX_LOGGED_BYTES + 20, "{short}");
    }
}
