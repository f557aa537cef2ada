//! W3C trace context on HTTP headers, through the global propagator that tracing
//! set-up installs. Without tracing both are no-ops: nothing is injected, and an
//! incoming `traceparent` is ignored.

use axum::http::HeaderMap;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Writes the current `tracing` span's context as `traceparent` (and `tracestate`)
/// into `headers`, so the callee's spans join this trace as its children. Call it
/// inside the span of the outgoing call.
///
/// A request that is not sampled has no span, but runs under its OpenTelemetry
/// context (`otel::sampling`): that context is written then, flags `00`, so the
/// callee continues the same trace without recording it.
pub fn inject(headers: &mut HeaderMap) {
    let mut context = tracing::Span::current().context();
    if !context.span().span_context().is_valid() {
        context = opentelemetry::Context::current();
    }
    inject_context(&context, headers);
}

/// Writes `context` as `traceparent` (and `tracestate`) into `headers`.
pub(crate) fn inject_context(context: &opentelemetry::Context, headers: &mut HeaderMap) {
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(context, &mut HeaderInjector(headers));
    });
}

/// The remote parent carried by `headers` (an empty context when there is none).
pub(crate) fn extract(headers: &HeaderMap) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&HeaderExtractor(headers))
    })
}
