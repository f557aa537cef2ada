//! With the OpenTelemetry layer on: the client span's name, kind, attributes,
//! status and parent, and the `traceparent` the peer receives naming that span.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::trace::{SpanId, SpanKind, Status, TraceContextExt, TracerProvider};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanProcessor};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;

use super::{client, stub};

/// Keeps every ended span, for the test to read.
#[derive(Debug, Clone, Default)]
struct Collected(Arc<Mutex<Vec<SpanData>>>);

impl Collected {
    fn spans(&self) -> Vec<SpanData> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl SpanProcessor for Collected {
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

/// Tracing on for the current thread (the test's runtime is single-threaded, so
/// the stub peer's tasks see it too): W3C propagator, spans into `Collected`.
fn tracing_on() -> (Collected, tracing::subscriber::DefaultGuard) {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let collected = Collected::default();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(collected.clone())
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("edge-test"));
    let guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
    (collected, guard)
}

fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|KeyValue { key: found, .. }| found.as_str() == key)
        .map(|pair| &pair.value)
}

fn client_span(spans: &[SpanData], name: &str) -> SpanData {
    spans
        .iter()
        .find(|span| span.name == name && span.span_kind == SpanKind::Client)
        .unwrap_or_else(|| panic!("no client span {name:?} in {spans:#?}"))
        .clone()
}

#[tokio::test]
async fn the_peer_receives_the_client_span_as_parent_of_its_work() {
    let (collected, _guard) = tracing_on();
    let base = stub::well_behaved().await;
    let peer = client(base.clone());
    let server_span = tracing::info_span!("incoming request");
    let server_context = server_span.context().span().span_context().clone();
    let answer = {
        let _entered = server_span.enter();
        peer.get("/users/{id}", "/users/7").await.expect("answered")
    };
    drop(server_span);
    let spans = collected.spans();
    let span = client_span(&spans, "GET /users/{id}");
    assert_eq!(span.parent_span_id, server_context.span_id());
    assert_eq!(span.span_context.trace_id(), server_context.trace_id());
    let traceparent = format!(
        "00-{}-{}-01",
        span.span_context.trace_id(),
        span.span_context.span_id()
    );
    assert_eq!(String::from_utf8_lossy(&answer.body), traceparent);
    let url = base.join("/users/7");
    for (key, expected) in [
        ("http.request.method", Value::from("GET")),
        ("url.full", Value::from(url)),
        ("url.template", Value::from("/users/{id}")),
        ("server.address", Value::from("127.0.0.1")),
        ("server.port", Value::from(i64::from(base.port()))),
        ("peer.service", Value::from("user-service")),
        ("http.response.status_code", Value::from(200_i64)),
    ] {
        assert_eq!(attribute(&span, key), Some(&expected), "{key}");
    }
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attribute(&span, "error.type"), None);
}

#[tokio::test]
async fn a_call_outside_any_request_starts_a_trace_and_failures_are_errors() {
    let (collected, _guard) = tracing_on();
    let peer = client(stub::well_behaved().await);
    let missing = peer.get("/missing", "/missing").await.expect("answered");
    assert_eq!(missing.status, 404);
    let refused = client(stub::refused());
    refused
        .get("/users/{id}", "/users/1")
        .await
        .expect_err("refused");
    let stalled = client(stub::stalled().await);
    stalled
        .get("/users/{id}", "/users/2")
        .await
        .expect_err("stalled");
    let spans = collected.spans();
    let not_found = client_span(&spans, "GET /missing");
    assert_eq!(not_found.parent_span_id, SpanId::INVALID, "a root span");
    assert!(matches!(not_found.status, Status::Error { .. }));
    assert_eq!(
        attribute(&not_found, "error.type"),
        Some(&Value::from("404"))
    );
    let failed: Vec<_> = spans
        .iter()
        .filter(|span| span.name == "GET /users/{id}")
        .map(|span| (attribute(span, "error.type").cloned(), &span.status))
        .collect();
    assert_eq!(failed.len(), 2, "{spans:#?}");
    assert_eq!(failed[0].0, Some(Value::from("error")));
    assert!(
        matches!(failed[0].1, Status::Error { description } if description.contains("refused"))
    );
    assert_eq!(failed[1].0, Some(Value::from("timeout")));
    assert!(matches!(failed[1].1, Status::Error { .. }));
}
