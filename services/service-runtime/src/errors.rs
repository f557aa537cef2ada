//! JSON error responses. Every error lookout's HTTP servers return is
//! `{"error": "<message>"}` with a matching status code: never an HTML page, never
//! a stack trace.

use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, middleware};

/// Largest request body accepted; larger bodies get 413.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// user-service's message for an id it does not know (the exercise's). order-service
/// tells this 404 from any other (a wrong `--user-service-url` answers "Not found"
/// for every path), which would otherwise turn every order into "unknown user".
pub const USER_NOT_FOUND: &str = "User not found";

/// An HTTP error answered as `{"error": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Status code of the response.
    pub status: StatusCode,
    /// Human-readable message naming the problem.
    pub message: String,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request: the request body or a parameter is invalid.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 500 with the exercise's fixed message; details belong in the logs, not the body.
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: {}", self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(ErrorBody {
                error: &self.message,
            }),
        )
            .into_response()
    }
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

/// The answer for a path no route matches.
pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("Not found")
}

/// Turns any error response that is not already JSON (axum's plain-text rejections,
/// empty 405s, body-limit 413s) into `{"error": "<reason>"}`, keeping its status and
/// headers such as `Allow`.
pub(crate) fn ensure_json(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let message = match status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::METHOD_NOT_ALLOWED => "Method not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "Request body too large (limit 64 KiB)",
        StatusCode::INTERNAL_SERVER_ERROR => "Internal server error",
        other => other.canonical_reason().unwrap_or("Request failed"),
    };
    let json = ApiError::new(status, message).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    let (json_parts, body) = json.into_parts();
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, body)
}
