//! Writing the current span's trace context into outgoing headers, with the
//! globally installed propagator (W3C trace context, set at start-up by the
//! tracing set-up). Without the OpenTelemetry layer the span has no context and
//! nothing is written: a `traceparent` naming a span that is never exported would
//! make the callee's spans look orphaned.
//!
//! Private stand-in for `crate::trace_context::inject` (written in parallel); the
//! two do the same and this one goes when that one lands.

use opentelemetry::global;
use opentelemetry_http::HeaderInjector;
use reqwest::header::HeaderMap;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Injects the context of the current `tracing` span into `headers`.
pub(crate) fn inject(headers: &mut HeaderMap) {
    let context = tracing::Span::current().context();
    global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut HeaderInjector(headers));
    });
}
