//! Fault injection: extra latency and a share of requests failing with 500, off by
//! default, switched at run time only through the admin listener, which refuses to
//! bind anything but a loopback address. The end-to-end and VM tests use it to
//! trigger HighResponseTime and HighErrorRate on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub use admin::parse_settings;
use admin::{delete_faults, get_faults, put_faults};

mod admin;
mod loopback;

pub use loopback::is_loopback_request;

use crate::errors::{ApiError, json_errors};

/// Largest accepted injected latency, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;

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

    /// The fault-control router: `GET`, `PUT` and `DELETE /faults`, JSON errors,
    /// and 403 for any request whose `Host` or `Origin` is not a loopback name.
    pub fn admin_router(&self) -> Router {
        let routes = Router::new()
            .route(
                "/faults",
                get(get_faults).put(put_faults).delete(delete_faults),
            )
            .with_state(self.clone());
        json_errors(routes).layer(middleware::from_fn(loopback::loopback_only))
    }
}
