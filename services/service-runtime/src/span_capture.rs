//! Capturing the spans code under test produces, through the real
//! tracing-opentelemetry layer and SDK tracer (for this crate's tests and, with the
//! `testing` feature, other crates' tests): what a collector would receive,
//! without a collector.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::trace::{SpanKind, TracerProvider};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanProcessor};
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt;

/// Every span ended while the capture is on.
#[derive(Debug, Clone, Default)]
pub struct CapturedSpans(Arc<Mutex<Vec<SpanData>>>);

impl CapturedSpans {
    /// Turns tracing on for the current thread until the guard drops: the W3C
    /// propagator (set globally, as the services do at start-up) and a subscriber
    /// whose OpenTelemetry layer ends spans here. Use a single-threaded runtime so
    /// every task of the test runs on this thread.
    pub fn on_this_thread() -> (Self, DefaultGuard) {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let captured = Self::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(captured.clone())
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("span-capture"));
        let subscriber = tracing_subscriber::registry().with(layer);
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// The spans ended so far, in the order they ended.
    pub fn spans(&self) -> Vec<SpanData> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The client spans named `name`.
    pub fn client_spans(&self, name: &str) -> Vec<SpanData> {
        self.spans()
            .into_iter()
            .filter(|span| span.name == name && span.span_kind == SpanKind::Client)
            .collect()
    }
}

/// The value of attribute `key` of `span`.
pub fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|KeyValue { key: found, .. }| found.as_str() == key)
        .map(|pair| &pair.value)
}

/// The `traceparent` header that names `span` (sampled).
pub fn traceparent_of(span: &SpanData) -> String {
    let context = &span.span_context;
    format!("00-{}-{}-01", context.trace_id(), context.span_id())
}

impl SpanProcessor for CapturedSpans {
    fn on_start(&self, _: &mut opentelemetry_sdk::trace::Span, _: &opentelemetry::Context) {}

    fn on_end(&self, span: SpanData) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }
}
