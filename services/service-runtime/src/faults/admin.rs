//! Handlers of the fault-control listener and validation of new settings.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value};

use super::{FaultSettings, Faults, MAX_LATENCY_MS};
use crate::errors::ApiError;

pub(super) async fn get_faults(State(faults): State<Faults>) -> Json<FaultSettings> {
    Json(faults.settings())
}

pub(super) async fn put_faults(
    State(faults): State<Faults>,
    body: axum::body::Bytes,
) -> Result<Json<FaultSettings>, ApiError> {
    let settings = parse_settings(&body)?;
    faults.set(settings);
    Ok(Json(settings))
}

pub(super) async fn delete_faults(State(faults): State<Faults>) -> Json<FaultSettings> {
    faults.set(FaultSettings {
        latency_ms: 0,
        error_ratio: 0.0,
    });
    Json(faults.settings())
}

/// Parses a `PUT /faults` body: a JSON object with optional `latency_ms` (integer,
/// 0..=60000) and `error_ratio` (number in [0, 1]); a missing field means 0.
pub fn parse_settings(body: &[u8]) -> Result<FaultSettings, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| ApiError::bad_request(format!("invalid JSON body: {error}")))?;
    let Value::Object(fields) = value else {
        return Err(ApiError::bad_request("body must be a JSON object"));
    };
    let latency_ms = match field(&fields, "latency_ms") {
        None => 0,
        Some(value) => value
            .as_u64()
            .filter(|latency| *latency <= MAX_LATENCY_MS)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "field 'latency_ms' must be an integer between 0 and {MAX_LATENCY_MS}"
                ))
            })?,
    };
    let error_ratio = match field(&fields, "error_ratio") {
        None => 0.0,
        Some(value) => value
            .as_f64()
            .filter(|ratio| (0.0..=1.0).contains(ratio))
            .ok_or_else(|| {
                ApiError::bad_request("field 'error_ratio' must be a number between 0 and 1")
            })?,
    };
    Ok(FaultSettings {
        latency_ms,
        error_ratio,
    })
}

/// A field that is present and not null.
fn field<'a>(fields: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|value| !value.is_null())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_mean_zero() {
        let settings = parse_settings(b"{}").expect("empty object is valid");
        assert_eq!(
            settings,
            FaultSettings {
                latency_ms: 0,
                error_ratio: 0.0
            }
        );
        let settings = parse_settings(br#"{"latency_ms": 800}"#).expect("valid");
        assert_eq!(
            settings,
            FaultSettings {
                latency_ms: 800,
                error_ratio: 0.0
            }
        );
    }

    #[test]
    fn out_of_range_values_are_rejected_with_the_field_name() {
        for (body, field) in [
            (&br#"{"error_ratio": 1.5}"#[..], "error_ratio"),
            (br#"{"error_ratio": -0.1}"#, "error_ratio"),
            (br#"{"error_ratio": "half"}"#, "error_ratio"),
            (br#"{"latency_ms": 60001}"#, "latency_ms"),
            (br#"{"latency_ms": -1}"#, "latency_ms"),
            (br#"{"latency_ms": 1.5}"#, "latency_ms"),
        ] {
            let error = parse_settings(body).expect_err("must be rejected");
            assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
            assert!(error.message.contains(field), "{}", error.message);
        }
        assert!(parse_settings(b"[1]").is_err());
        assert!(parse_settings(b"{").is_err());
    }
}
