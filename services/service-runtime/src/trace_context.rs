//! W3C trace context on HTTP headers, through the global propagator that tracing
//! set-up installs. Without tracing both are no-ops: nothing is injected, and an
//! incoming `traceparent` is ignored.

use axum::http::HeaderMap;
use opentelemetry::propagation::Extractor;
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

/// Longest `tracestate` kept from a request, in bytes: the W3C limit a platform
/// must propagate. The SDK alone keeps up to 32 members of 512 bytes (16 KiB),
/// which every span of the trace would then carry, queued and exported.
const MAX_TRACESTATE_BYTES: usize = 512;

/// The remote parent carried by `headers` (an empty context when there is none).
pub(crate) fn extract(headers: &HeaderMap) -> opentelemetry::Context {
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&BoundedExtractor(HeaderExtractor(headers)))
    })
}

/// Headers as the propagator reads them, with `tracestate` cut to its leading
/// members that fit in [`MAX_TRACESTATE_BYTES`] (W3C trace context allows dropping
/// members from the end).
struct BoundedExtractor<'a>(HeaderExtractor<'a>);

impl Extractor for BoundedExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        let value = self.0.get(key)?;
        if !key.eq_ignore_ascii_case("tracestate") {
            return Some(value);
        }
        Some(leading_members(value, MAX_TRACESTATE_BYTES)).filter(|kept| !kept.is_empty())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys()
    }
}

/// The longest prefix of the comma-separated `list` that ends at a member's end
/// and holds at most `limit` bytes.
fn leading_members(list: &str, limit: usize) -> &str {
    if list.len() <= limit {
        return list;
    }
    // `list` is ASCII (a header value read as text), so any byte index is a boundary.
    match list.as_bytes()[..=limit]
        .iter()
        .rposition(|&byte| byte == b',')
    {
        Some(end) => list[..end].trim_end(),
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_sdk::propagation::TraceContextPropagator;

    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn trace_state_of(tracestate: &str) -> String {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", TRACEPARENT.parse().expect("header"));
        headers.insert("tracestate", tracestate.parse().expect("header"));
        let context = extract(&headers);
        let span = context.span();
        assert!(span.span_context().is_valid(), "the parent is kept");
        span.span_context().trace_state().header()
    }

    #[test]
    fn an_incoming_tracestate_is_cut_to_512_bytes_of_whole_members() {
        assert_eq!(trace_state_of("a=1,b=2"), "a=1,b=2");
        // 32 members of 250-byte values: 8 KiB the SDK alone would keep whole.
        let value = "v".repeat(250);
        let long: Vec<String> = (0..32).map(|i| format!("k{i}={value}")).collect();
        let kept = trace_state_of(&long.join(","));
        assert!(
            kept.len() <= MAX_TRACESTATE_BYTES,
            "{} bytes kept",
            kept.len()
        );
        assert_eq!(kept, long[..2].join(","), "the leading members, whole");
        // One member over the limit: no tracestate, the parent still holds.
        assert_eq!(trace_state_of(&format!("k={}", "v".repeat(600))), "");
    }
}
