//! The sampling decision for a trace's root, taken before any span is built.
//!
//! Building a `tracing` span with its OpenTelemetry data costs about as much when
//! the SDK then decides not to sample it as when it does (docs/tracing.md, the
//! cost section). So lookout decides first: a request with a valid `traceparent`
//! follows its sampled flag; a root (no parent) is sampled with probability
//! `--trace-sample-ratio`. An unsampled request gets no span at all, only an
//! OpenTelemetry [`Context`] naming a non-recording span, which the handler runs
//! under: calls it makes carry `traceparent` with flags `00`, so the callees
//! record nothing either and the trace stays consistent across services.
//!
//! The ratio lives in the OpenTelemetry layer's filter ([`SpanFilter`]), so the
//! decision belongs to the subscriber that exports (tests run several side by
//! side) and there is none without tracing. The SDK's sampler is then
//! `ParentBased(AlwaysOn)`: every root it sees was already drawn here.

use opentelemetry::Context;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing::{Level, Metadata};
use tracing_subscriber::layer;

/// The OpenTelemetry layer's filter: spans only (events would become span events,
/// a cost per log line), at info and above (libraries' debug spans stay out). It
/// also carries the root sample ratio, found through the current dispatcher.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanFilter {
    root_ratio: f64,
}

impl SpanFilter {
    pub(crate) fn new(root_ratio: f64) -> Self {
        Self { root_ratio }
    }
}

impl<S> layer::Filter<S> for SpanFilter {
    fn enabled(&self, metadata: &Metadata<'_>, _: &layer::Context<'_, S>) -> bool {
        metadata.is_span() && *metadata.level() <= Level::INFO
    }
}

/// What to do about a trace that would start here.
#[derive(Debug)]
pub(crate) enum Root {
    /// No lookout exporter in the current subscriber (tracing off, or a test's
    /// own): build the span as usual and let the subscriber decide.
    Undecided,
    /// Drawn in: build the span, a root.
    Sampled,
    /// Drawn out: no span; run under this context (a fresh trace, not sampled).
    NotSampled(Context),
}

/// Draws the fate of a new trace with the current subscriber's ratio.
pub(crate) fn root() -> Root {
    match root_ratio() {
        None => Root::Undecided,
        Some(ratio) if draw(ratio) => Root::Sampled,
        Some(_) => Root::NotSampled(unsampled_root()),
    }
}

/// The root ratio of the current subscriber's lookout exporter, if it has one.
pub(crate) fn root_ratio() -> Option<f64> {
    tracing::dispatcher::get_default(|dispatch| {
        dispatch
            .downcast_ref::<SpanFilter>()
            .map(|filter| filter.root_ratio)
    })
}

/// True with probability `ratio` (in [0, 1]).
pub(crate) fn draw(ratio: f64) -> bool {
    ratio >= 1.0 || (ratio > 0.0 && rand::random::<f64>() < ratio)
}

/// A context naming a new, unsampled trace: random non-zero ids, flags `00`.
pub(crate) fn unsampled_root() -> Context {
    let trace_id = TraceId::from(rand::random::<u128>().max(1));
    let span_id = SpanId::from(rand::random::<u64>().max(1));
    let span = SpanContext::new(
        trace_id,
        span_id,
        TraceFlags::NOT_SAMPLED,
        false,
        TraceState::NONE,
    );
    Context::new().with_remote_span_context(span)
}

/// The current OpenTelemetry context when it names a valid span that is not
/// sampled: the request being handled was drawn out (or its caller's was).
pub(crate) fn current_unsampled() -> Option<Context> {
    let context = Context::current();
    let unsampled = {
        let span = context.span();
        let span_context = span.span_context();
        span_context.is_valid() && !span_context.is_sampled()
    };
    unsampled.then_some(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_follow_the_ratio_at_its_bounds() {
        assert!((0..1000).all(|_| draw(1.0)));
        assert!((0..1000).all(|_| !draw(0.0)));
        let drawn = (0..10_000).filter(|_| draw(0.5)).count();
        assert!((4000..6000).contains(&drawn), "{drawn} of 10000 at 0.5");
    }

    #[test]
    fn an_unsampled_root_is_a_valid_trace_with_flags_00() {
        let context = unsampled_root();
        let span = context.span();
        let span_context = span.span_context();
        assert!(span_context.is_valid());
        assert!(!span_context.is_sampled());
        let other = unsampled_root();
        assert_ne!(
            other.span().span_context().trace_id(),
            span_context.trace_id(),
            "each root its own trace"
        );
    }

    #[test]
    fn without_a_lookout_exporter_nothing_is_decided() {
        assert!(matches!(root(), Root::Undecided));
    }
}
