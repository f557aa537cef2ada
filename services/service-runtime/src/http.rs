//! The HTTP layer every lookout service shares: `/health`, `/metrics`, the HTTP
//! metrics middleware (`http_metrics`), JSON errors for unknown routes,
//! wrong methods and oversized bodies, and the 64 KiB body limit. Services build
//! their business `Router` and hand it to [`instrument`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header;
use axum::routing::get;

use crate::ServiceInfo;
use crate::errors::{BODY_LIMIT_BYTES, not_found};
use crate::faults::Faults;
use crate::http_metrics::HttpMetricsLayer;
use crate::metrics::{CONTENT_TYPE, MetricsHandle};

/// Wraps a service's business router into the complete public app.
///
/// Adds `GET /health` (`{"status":"healthy","service":<name>}`) and `GET /metrics`,
/// records `http_requests_total` and `http_request_duration_seconds` for every
/// request (route template or `unmatched`, normalised method), answers unknown
/// routes with 404 JSON and every other non-JSON error (405, 413, ...) as JSON, limits
/// bodies to 64 KiB and logs one line per request at debug level.
pub fn instrument(business: Router, service: ServiceInfo, metrics: MetricsHandle) -> Router {
    wrap(business, service, metrics, None)
}

/// [`instrument`], plus fault injection ([`Faults`]) on every route of `business`
/// (never on `/health` or `/metrics`), inside the HTTP metrics layer, so injected
/// answers are measured like real ones.
pub fn instrument_with_faults(
    business: Router,
    service: ServiceInfo,
    metrics: MetricsHandle,
    faults: Faults,
) -> Router {
    wrap(business, service, metrics, Some(faults))
}

fn wrap(
    business: Router,
    service: ServiceInfo,
    metrics: MetricsHandle,
    faults: Option<Faults>,
) -> Router {
    // The health answer never changes: serialise it once.
    let health =
        Bytes::from(serde_json::json!({"status": "healthy", "service": service.name}).to_string());
    business
        .route(
            "/health",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], health) }),
        )
        .route(
            "/metrics",
            get(move || async move { ([(header::CONTENT_TYPE, CONTENT_TYPE)], metrics.render()) }),
        )
        .route_layer(HttpMetricsLayer { faults })
        .fallback(not_found.layer(HttpMetricsLayer::default()))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
}
