//! The server span of each request, with OpenTelemetry's HTTP semantic-convention
//! attributes. It exists only when the OpenTelemetry layer is installed (tracing
//! on): otherwise the span is disabled and costs a callsite check.

use axum::extract::Request;
use axum::http::StatusCode;
use opentelemetry::trace::TraceContextExt;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::catalog;
use crate::otel::log_ids::LogIds;
use crate::trace_context;

/// Target of the server span: the log filter never sees it (see `telemetry.rs`).
pub(crate) const TARGET: &str = "lookout::server";

/// Longest `url.path` attribute kept, in bytes: the path comes from the client.
const MAX_PATH_BYTES: usize = 256;

/// Opens the span of a request to `route` (a template, or `unmatched`), a child of
/// the request's `traceparent` when it has one. Returns the ids for log lines.
pub(crate) fn start(
    request: &Request,
    method: &'static str,
    route: &str,
) -> (tracing::Span, Option<LogIds>) {
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.name = format!("{method} {route}"),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = semconv_method(method),
        http.route = route,
        url.path = bounded(request.uri().path()),
        http.response.status_code = tracing::field::Empty,
    );
    if span.is_disabled() {
        return (span, None);
    }
    // The parent must be set before anything builds the OpenTelemetry span (entering
    // it or asking for its context); set later, it is refused and the trace breaks.
    let _ = span.set_parent(trace_context::extract(request.headers()));
    let context = span.context();
    let span_context = context.span().span_context().clone();
    let ids = span_context
        .is_valid()
        .then(|| (span_context.trace_id(), span_context.span_id()));
    (span, ids)
}

/// Records the answer's status; 5xx marks the span as an error (4xx is the
/// client's error, not the server's, per the semantic conventions).
pub(crate) fn finish(span: &tracing::Span, status: StatusCode) {
    // As i64: tracing-opentelemetry turns u64 fields into strings, and the
    // conventions want an integer.
    span.record("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.record("otel.status_code", "ERROR");
    }
}

/// `http.request.method`: the known methods as they are, `_OTHER` for the rest.
fn semconv_method(method: &'static str) -> &'static str {
    if method == catalog::METHOD_OTHER {
        "_OTHER"
    } else {
        method
    }
}

/// `path` cut to at most [`MAX_PATH_BYTES`], on a character boundary.
fn bounded(path: &str) -> &str {
    let mut end = path.len().min(MAX_PATH_BYTES);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_are_cut_on_a_character_boundary() {
        let path = format!("/{}", "é".repeat(300));
        let cut = bounded(&path);
        assert!(cut.len() <= MAX_PATH_BYTES && path.starts_with(cut));
        assert_eq!(bounded("/users/1"), "/users/1");
    }

    #[test]
    fn unknown_methods_are_other_as_the_conventions_spell_it() {
        assert_eq!(semconv_method("OTHER"), "_OTHER");
        assert_eq!(semconv_method("GET"), "GET");
    }
}
