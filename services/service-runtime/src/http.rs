//! The HTTP layer every lookout service shares: `/health`, `/metrics`, the HTTP
//! metrics middleware, JSON errors for unknown routes, wrong methods and oversized
//! bodies, and the 64 KiB body limit. Services build their business `Router` and
//! hand it to [`instrument`].
//!
//! Why two middlewares for one metric: the matched route template is only known
//! inside the router, after routing, but unmatched requests (the fallback) never
//! reach route-level middleware. So an inner route layer copies the template into
//! the response, and the outer layer, which sees every request, records it or
//! `unmatched`. The label set stays bounded whatever paths scanners send.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use metrics::SharedString;

use crate::ServiceInfo;
use crate::catalog;
use crate::errors::{ApiError, ensure_json};
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
    let name = service.name;
    business
        .route(
            "/health",
            get(move || async move {
                axum::Json(serde_json::json!({"status": "healthy", "service": name}))
            }),
        )
        .route(
            "/metrics",
            get(move || async move { ([(header::CONTENT_TYPE, CONTENT_TYPE)], metrics.render()) }),
        )
        .route_layer(middleware::from_fn(remember_matched_path))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn(record_request))
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

/// Copies the matched route template into the response for [`record_request`].
async fn remember_matched_path(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(matched);
    }
    response
}

/// Times the request, makes error bodies JSON and records the HTTP metrics.
async fn record_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = ensure_json(next.run(request).await);
    let elapsed = started.elapsed().as_secs_f64();
    let route: SharedString = response.extensions().get::<MatchedPath>().map_or(
        SharedString::const_str(catalog::ROUTE_UNMATCHED),
        |matched| SharedString::from(matched.as_str().to_owned()),
    );
    let status = response.status();
    tracing::debug!(
        method,
        route = &*route,
        status = status.as_u16(),
        elapsed,
        "request"
    );
    metrics::counter!(
        catalog::HTTP_REQUESTS_TOTAL,
        catalog::LABEL_METHOD => method,
        catalog::LABEL_ROUTE => route.clone(),
        catalog::LABEL_STATUS_CODE => status_label(status),
    )
    .increment(1);
    metrics::histogram!(
        catalog::HTTP_REQUEST_DURATION_SECONDS,
        catalog::LABEL_METHOD => method,
        catalog::LABEL_ROUTE => route,
    )
    .record(elapsed);
    response
}

/// The `method` label: standard methods as they are, anything else `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    catalog::HTTP_METHODS
        .iter()
        .find(|known| **known == method.as_str())
        .copied()
        .unwrap_or(catalog::METHOD_OTHER)
}

/// The `status_code` label without allocating for the codes lookout answers.
fn status_label(status: StatusCode) -> SharedString {
    let fixed = match status.as_u16() {
        200 => "200",
        201 => "201",
        400 => "400",
        404 => "404",
        405 => "405",
        413 => "413",
        500 => "500",
        503 => "503",
        507 => "507",
        _ => return SharedString::from(status.as_u16().to_string()),
    };
    SharedString::const_str(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_normalised_to_a_fixed_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(method_label(&Method::TRACE), "OTHER");
        let custom = Method::from_bytes(b"BREW").expect("valid token");
        assert_eq!(method_label(&custom), "OTHER");
    }

    #[test]
    fn status_labels_are_the_numeric_code() {
        assert_eq!(&*status_label(StatusCode::CREATED), "201");
        assert_eq!(&*status_label(StatusCode::IM_A_TEAPOT), "418");
    }
}
