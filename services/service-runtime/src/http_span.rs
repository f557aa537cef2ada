//! The server span of each request, with OpenTelemetry's HTTP semantic-convention
//! attributes. It exists only when the OpenTelemetry layer is installed (tracing
//! on) and the request is sampled: otherwise the span is disabled and costs a
//! callsite check, or (not sampled) the request runs under a bare context.

use std::future::Future;
use std::pin::Pin;

use axum::extract::Request;
use axum::http::StatusCode;
use opentelemetry::Context;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::TraceContextExt;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::catalog;
use crate::otel::log_ids::{LogIds, WithLogIds};
use crate::otel::sampling;
use crate::trace_context;

/// Target of the server span: the log filter never sees it (see `telemetry.rs`).
pub(crate) const TARGET: &str = "lookout::server";

/// Longest `url.path` attribute kept, in bytes: the path comes from the client.
const MAX_PATH_BYTES: usize = 256;

/// How a request is traced: in a span, or (not sampled) under a bare context.
pub(crate) struct RequestTrace {
    /// The server span; `Span::none()` when not sampled or tracing is off.
    pub(crate) span: tracing::Span,
    /// Not sampled: the context (a non-recording span) the handler runs under, so
    /// its outbound calls say "not sampled" to their callees.
    pub(crate) unsampled: Option<Context>,
    /// The ids for log lines.
    pub(crate) log_ids: Option<LogIds>,
}

impl RequestTrace {
    /// Not traced at all (tracing off, or a route that is never traced).
    pub(crate) fn none() -> Self {
        Self {
            span: tracing::Span::none(),
            unsampled: None,
            log_ids: None,
        }
    }

    /// Runs `call` (the start of the handler) inside the span or the context.
    pub(crate) fn in_scope<T>(&self, call: impl FnOnce() -> T) -> T {
        match &self.unsampled {
            Some(context) => {
                let _attached = context.clone().attach();
                call()
            }
            None => self.span.in_scope(call),
        }
    }

    /// `answer` polled inside the span or the context, with the log ids set.
    pub(crate) fn wrap<F>(self, answer: F) -> Pin<Box<dyn Future<Output = F::Output> + Send>>
    where
        F: Future + Send + 'static,
    {
        let traced: Pin<Box<dyn Future<Output = F::Output> + Send>> = match self.unsampled {
            Some(context) => Box::pin(answer.with_context(context)),
            None => Box::pin(answer.instrument(self.span)),
        };
        match self.log_ids {
            Some(ids) => Box::pin(WithLogIds::new(ids, traced)),
            None => traced,
        }
    }
}

/// Starts tracing a request to `route` (a template, or `unmatched`). With the
/// lookout exporter, sampling is decided first ([`sampling`]): an unsampled
/// request gets no span, only its context; a sampled one gets the server span, a
/// child of the request's `traceparent` when it has one.
pub(crate) fn start(request: &Request, method: &'static str, route: &str) -> RequestTrace {
    let Some(ratio) = sampling::root_ratio() else {
        // Tracing off (the span is disabled), or a subscriber that decides itself.
        return traced(request, method, route, None);
    };
    let parent = trace_context::extract(request.headers());
    let parent_span = parent.span().span_context().clone();
    let sampled = if parent_span.is_valid() {
        parent_span.is_sampled()
    } else {
        sampling::draw(ratio)
    };
    if sampled {
        return traced(request, method, route, Some(parent));
    }
    let context = if parent_span.is_valid() {
        parent
    } else {
        sampling::unsampled_root()
    };
    let ids = {
        let span = context.span();
        let span_context = span.span_context();
        (span_context.trace_id(), span_context.span_id())
    };
    RequestTrace {
        span: tracing::Span::none(),
        unsampled: Some(context),
        log_ids: Some(ids),
    }
}

/// The server span, under `parent` (extracted here when not given).
fn traced(
    request: &Request,
    method: &'static str,
    route: &str,
    parent: Option<Context>,
) -> RequestTrace {
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.name = span_name(method, route),
        otel.kind = "server",
        otel.status_code = tracing::field::Empty,
        http.request.method = semconv_method(method),
        http.route = tracing::field::Empty,
        url.path = bounded(request.uri().path()),
        http.response.status_code = tracing::field::Empty,
    );
    if span.is_disabled() {
        return RequestTrace::none();
    }
    // `unmatched` is our metrics label, not a route: the conventions leave
    // `http.route` out when no route matched.
    if route != catalog::ROUTE_UNMATCHED {
        span.record("http.route", route);
    }
    // The parent must be set before anything builds the OpenTelemetry span (entering
    // it or asking for its context); set later, it is refused and the trace breaks.
    let parent = parent.unwrap_or_else(|| trace_context::extract(request.headers()));
    let _ = span.set_parent(parent);
    let context = span.context();
    let span_context = context.span().span_context().clone();
    let log_ids = span_context
        .is_valid()
        .then(|| (span_context.trace_id(), span_context.span_id()));
    RequestTrace {
        span,
        unsampled: None,
        log_ids,
    }
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

/// The span name per the conventions: `{method} {route}`, only `{method}` when no
/// route matched, and `HTTP` in place of a method outside the known set.
fn span_name(method: &'static str, route: &str) -> String {
    let method = if method == catalog::METHOD_OTHER {
        "HTTP"
    } else {
        method
    };
    if route == catalog::ROUTE_UNMATCHED {
        method.to_owned()
    } else {
        format!("{method} {route}")
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
    fn span_names_hold_a_route_only_when_one_matched() {
        assert_eq!(span_name("GET", "/users/{id}"), "GET /users/{id}");
        assert_eq!(span_name("GET", catalog::ROUTE_UNMATCHED), "GET");
        assert_eq!(span_name(catalog::METHOD_OTHER, "/users"), "HTTP /users");
    }

    #[test]
    fn unknown_methods_are_other_as_the_conventions_spell_it() {
        assert_eq!(semconv_method("OTHER"), "_OTHER");
        assert_eq!(semconv_method("GET"), "GET");
    }
}
