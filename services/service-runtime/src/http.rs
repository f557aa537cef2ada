//! The HTTP layer every lookout service shares: `/health`, `/metrics`, the HTTP
//! metrics middleware (`http_metrics`), JSON errors for unknown routes,
//! wrong methods and oversized bodies, and the 64 KiB body limit. Services build
//! their business `Router` and hand it to [`instrument`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::header;
use axum::middleware;
use axum::response::Response;
use axum::routing::get;

use crate::ServiceInfo;
use crate::errors::{ApiError, ensure_json};
use crate::faults::Faults;
use crate::http_metrics::HttpMetricsLayer;
use crate::metrics::{CONTENT_TYPE, MetricsHandle};

/// Largest request body accepted; larger bodies get 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

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
/// (never on `/health` or `/metrics`). Same effect as `faults.apply_to(business)`
/// followed by [`instrument`], one layer cheaper per request.
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

/// JSON errors and the body limit, without metrics: for routers such as the
/// loopback fault-control listener that are not part of the service's API.
pub fn json_errors(router: Router) -> Router {
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::map_response(json_error_body))
}

/// `map_response` wants an async function.
async fn json_error_body(response: Response) -> Response {
    ensure_json(response)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Not found")
}
