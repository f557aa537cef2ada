//! With the OpenTelemetry layer on: the client span's name, kind, attributes,
//! status and parent, and the `traceparent` the peer receives naming that span.

use opentelemetry::Value;
use opentelemetry::trace::{SpanId, Status, TraceContextExt};
use reqwest::Method;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{client, stub};
use crate::outbound::Peer;
use crate::span_capture::{CapturedSpans, attribute, traceparent_of};

#[tokio::test]
async fn the_peer_receives_the_client_span_as_parent_of_its_work() {
    let (captured, _guard) = CapturedSpans::on_this_thread();
    let base = stub::well_behaved().await;
    let peer = client(base.clone());
    let server_span = tracing::info_span!("incoming request");
    let server_context = server_span.context().span().span_context().clone();
    let answer = {
        let _entered = server_span.enter();
        peer.get("/users/{id}", "/users/7").await.expect("answered")
    };
    drop(server_span);
    let spans = captured.client_spans("GET /users/{id}");
    let [span] = &spans[..] else {
        panic!("one client span expected: {spans:#?}")
    };
    assert_eq!(span.parent_span_id, server_context.span_id());
    assert_eq!(span.span_context.trace_id(), server_context.trace_id());
    assert_eq!(String::from_utf8_lossy(&answer.body), traceparent_of(span));
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
        assert_eq!(attribute(span, key), Some(&expected), "{key}");
    }
    assert_eq!(span.status, Status::Unset);
    assert_eq!(attribute(span, "error.type"), None);
}

#[tokio::test]
async fn a_call_outside_any_request_starts_a_trace_and_failures_are_errors() {
    let (captured, _guard) = CapturedSpans::on_this_thread();
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
    let not_found = &captured.client_spans("GET /missing")[0];
    assert_eq!(not_found.parent_span_id, SpanId::INVALID, "a root span");
    assert!(matches!(not_found.status, Status::Error { .. }));
    assert_eq!(
        attribute(not_found, "error.type"),
        Some(&Value::from("404"))
    );
    let failed = captured.client_spans("GET /users/{id}");
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert_eq!(
        attribute(&failed[0], "error.type"),
        Some(&Value::from("error"))
    );
    assert!(
        matches!(&failed[0].status, Status::Error { description } if description.contains("refused"))
    );
    assert_eq!(
        attribute(&failed[1], "error.type"),
        Some(&Value::from("timeout"))
    );
    assert!(matches!(failed[1].status, Status::Error { .. }));
}

#[test]
fn a_new_trace_ignores_the_current_span() {
    let (captured, _guard) = CapturedSpans::on_this_thread();
    let peer = Peer::new("order-service").expect("valid");
    let base = stub::base("127.0.0.1:9".parse().expect("address"));
    let outer = tracing::info_span!("generator run");
    let outer_trace = outer.context().span().span_context().trace_id();
    outer.in_scope(|| {
        let call = peer.start_trace(&Method::POST, "/orders", &base, "http://x/orders");
        assert!(call.trace_headers().contains_key("traceparent"));
        call.finish(
            crate::outbound::EdgeOutcome::Answered(reqwest::StatusCode::CREATED),
            None,
        );
    });
    let spans = captured.client_spans("POST /orders");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].parent_span_id, SpanId::INVALID);
    assert_ne!(spans[0].span_context.trace_id(), outer_trace);
}
