//! Fault injection: extra latency and a share of requests failing with 500, off by
//! default, switched at run time only through the admin listener, which refuses to
//! bind anything but a loopback address. The end-to-end and VM tests use it to
//! trigger HighResponseTime and HighErrorRate on demand.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value};
use tower::{Layer, Service};

use crate::errors::ApiError;

/// Largest accepted injected latency, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// Flags of the fault-control listener; flatten into a service's config.
#[derive(Debug, Clone, clap::Args)]
pub struct AdminArgs {
    /// Address of the fault-control listener; must be a loopback address.
    #[arg(long, env = "LOOKOUT_ADMIN_LISTEN_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub admin_listen_address: IpAddr,

    /// Port of the fault-control listener [default: `<service>-admin` in nix/ports.nix].
    #[arg(long, env = "LOOKOUT_ADMIN_PORT")]
    pub admin_port: Option<u16>,
}

impl AdminArgs {
    /// The admin socket address, or an error if the address is not loopback.
    pub fn socket_addr(&self, default_port: u16) -> anyhow::Result<SocketAddr> {
        if !self.admin_listen_address.is_loopback() {
            anyhow::bail!(
                "--admin-listen-address {} is not a loopback address: fault control must only be reachable from the host itself",
                self.admin_listen_address
            );
        }
        Ok(SocketAddr::new(
            self.admin_listen_address,
            self.admin_port.unwrap_or(default_port),
        ))
    }
}

/// The current fault settings, as served by `GET /faults`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FaultSettings {
    /// Extra latency added to each business request, in milliseconds.
    pub latency_ms: u64,
    /// Share of business requests answered with 500, in [0, 1].
    pub error_ratio: f64,
}

/// Shared, lock-free fault state; clones see the same settings.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    latency_ms: Arc<AtomicU64>,
    error_ratio_bits: Arc<AtomicU64>,
}

impl Faults {
    /// The current settings.
    pub fn settings(&self) -> FaultSettings {
        FaultSettings {
            latency_ms: self.latency_ms.load(Ordering::Relaxed),
            error_ratio: f64::from_bits(self.error_ratio_bits.load(Ordering::Relaxed)),
        }
    }

    /// Replaces the settings; callers validate them first ([`parse_settings`]).
    pub fn set(&self, settings: FaultSettings) {
        self.latency_ms
            .store(settings.latency_ms, Ordering::Relaxed);
        self.error_ratio_bits
            .store(settings.error_ratio.to_bits(), Ordering::Relaxed);
        tracing::info!(
            latency_ms = settings.latency_ms,
            error_ratio = settings.error_ratio,
            "fault control changed"
        );
    }

    /// Applies the faults to every route of `business` (call it before adding
    /// `/health` and `/metrics`, which must never be affected).
    pub fn apply_to(&self, business: Router) -> Router {
        business.route_layer(FaultLayer {
            faults: self.clone(),
        })
    }

    /// The fault-control router: `GET`, `PUT` and `DELETE /faults`, JSON errors.
    pub fn admin_router(&self) -> Router {
        let routes = Router::new()
            .route(
                "/faults",
                get(get_faults).put(put_faults).delete(delete_faults),
            )
            .with_state(self.clone());
        crate::http::json_errors(routes)
    }
}

/// Layer injecting the current faults in front of the business routes. Hand-written
/// so the common case (no fault) costs two atomic loads and no allocation beyond the
/// boxed future.
#[derive(Debug, Clone)]
struct FaultLayer {
    faults: Faults,
}

impl<S> Layer<S> for FaultLayer {
    type Service = FaultService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        FaultService {
            inner,
            faults: self.faults.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct FaultService<S> {
    inner: S,
    faults: Faults,
}

impl<S> Service<Request> for FaultService<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let settings = self.faults.settings();
        if settings.latency_ms == 0 && settings.error_ratio <= 0.0 {
            return Box::pin(self.inner.call(request));
        }
        // The service polled ready goes into the future; a clone stays behind.
        let clone = self.inner.clone();
        let mut ready = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            if settings.latency_ms > 0 {
                tokio::time::sleep(Duration::from_millis(settings.latency_ms)).await;
            }
            if settings.error_ratio > 0.0 && rand::random::<f64>() < settings.error_ratio {
                return Ok(ApiError::internal().into_response());
            }
            ready.call(request).await
        })
    }
}

async fn get_faults(State(faults): State<Faults>) -> Json<FaultSettings> {
    Json(faults.settings())
}

async fn put_faults(
    State(faults): State<Faults>,
    body: axum::body::Bytes,
) -> Result<Json<FaultSettings>, ApiError> {
    let settings = parse_settings(&body)?;
    faults.set(settings);
    Ok(Json(settings))
}

async fn delete_faults(State(faults): State<Faults>) -> Json<FaultSettings> {
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

    #[test]
    fn only_loopback_admin_addresses_are_accepted() {
        let mut args = AdminArgs {
            admin_listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            admin_port: None,
        };
        assert_eq!(
            args.socket_addr(8011).expect("loopback").to_string(),
            "127.0.0.1:8011"
        );
        args.admin_listen_address = "::1".parse().expect("ipv6 loopback");
        assert!(args.socket_addr(8011).is_ok());
        args.admin_listen_address = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let error = args
            .socket_addr(8011)
            .expect_err("0.0.0.0 refused")
            .to_string();
        assert!(error.contains("loopback"), "{error}");
    }
}
