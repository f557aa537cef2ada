//! Fault injection: extra latency and a share of requests failing with 500, off by
//! default, switched at run time only through the admin listener, which refuses to
//! bind anything but a loopback address. The end-to-end and VM tests use it to
//! trigger HighResponseTime and HighErrorRate on demand.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use admin::parse_settings;
use admin::{delete_faults, get_faults, put_faults};
use layer::FaultLayer;

mod admin;
mod layer;
mod loopback;

pub use loopback::is_loopback_request;

use crate::errors::ApiError;

/// Largest accepted injected latency, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// Flags of the fault-control listener; flatten into a service's config.
#[derive(Debug, Clone, clap::Args)]
pub struct AdminArgs {
    /// Address of the fault-control listener; must be a loopback address.
    #[arg(long, env = "LOOKOUT_ADMIN_LISTEN_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub admin_listen_address: IpAddr,

    /// Port of the fault-control listener (default: `<service>-admin` in nix/ports.json).
    #[arg(long, env = "LOOKOUT_ADMIN_PORT")]
    pub admin_port: Option<u16>,

    /// Connections served at once on the fault-control port; one more is answered
    /// 503 and closed at once.
    #[arg(long, env = "LOOKOUT_ADMIN_MAX_CONNECTIONS",
          default_value_t = crate::server::limits::DEFAULT_ADMIN_MAX_CONNECTIONS,
          value_parser = crate::server::limits::parse_connection_cap)]
    pub admin_max_connections: usize,
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
    state: Arc<FaultState>,
}

#[derive(Debug, Default)]
struct FaultState {
    latency_ms: AtomicU64,
    error_ratio_bits: AtomicU64,
}

impl FaultSettings {
    /// Whether any fault is switched on.
    pub fn active(&self) -> bool {
        self.latency_ms > 0 || self.error_ratio > 0.0
    }

    /// Applies these settings to one request: sleeps for the extra latency, then
    /// returns the injected 500 for the drawn share of requests, or `None` to let
    /// the request through.
    pub async fn inject(self) -> Option<Response> {
        if self.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.latency_ms)).await;
        }
        (self.error_ratio > 0.0 && rand::random::<f64>() < self.error_ratio)
            .then(|| ApiError::internal().into_response())
    }
}

impl Faults {
    /// The current settings.
    pub fn settings(&self) -> FaultSettings {
        FaultSettings {
            latency_ms: self.state.latency_ms.load(Ordering::Relaxed),
            error_ratio: f64::from_bits(self.state.error_ratio_bits.load(Ordering::Relaxed)),
        }
    }

    /// Replaces the settings; callers validate them first ([`parse_settings`]).
    pub fn set(&self, settings: FaultSettings) {
        self.state
            .latency_ms
            .store(settings.latency_ms, Ordering::Relaxed);
        self.state
            .error_ratio_bits
            .store(settings.error_ratio.to_bits(), Ordering::Relaxed);
        tracing::info!(
            latency_ms = settings.latency_ms,
            error_ratio = settings.error_ratio,
            "fault control changed"
        );
    }

    /// Applies the faults to every route of `business` (call it before adding
    /// `/health` and `/metrics`, which must never be affected). Services prefer
    /// [`crate::http::instrument_with_faults`], which does the same inside the HTTP
    /// metrics layer and so saves a layer per request.
    pub fn apply_to(&self, business: Router) -> Router {
        business.route_layer(FaultLayer {
            faults: self.clone(),
        })
    }

    /// The fault-control router: `GET`, `PUT` and `DELETE /faults`, JSON errors,
    /// and 403 for any request whose `Host` or `Origin` is not a loopback name.
    pub fn admin_router(&self) -> Router {
        let routes = Router::new()
            .route(
                "/faults",
                get(get_faults).put(put_faults).delete(delete_faults),
            )
            .with_state(self.clone());
        crate::http::json_errors(routes).layer(middleware::from_fn(loopback::loopback_only))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_admin_addresses_are_accepted() {
        let mut args = AdminArgs {
            admin_listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            admin_port: None,
            admin_max_connections: 16,
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

    #[tokio::test]
    async fn apply_to_fails_every_request_at_ratio_one_and_none_when_off() {
        use tower::ServiceExt;

        let faults = Faults::default();
        let app = faults.apply_to(Router::new().route("/x", get(|| async { "ok" })));
        let call = |app: Router| async move {
            let request = axum::http::Request::get("/x")
                .body(axum::body::Body::empty())
                .expect("valid request");
            app.oneshot(request).await.map(|response| response.status())
        };
        assert_eq!(call(app.clone()).await, Ok(axum::http::StatusCode::OK));
        faults.set(FaultSettings {
            latency_ms: 0,
            error_ratio: 1.0,
        });
        assert_eq!(
            call(app).await,
            Ok(axum::http::StatusCode::INTERNAL_SERVER_ERROR)
        );
    }
}
