//! The trace check on hand-made exports sent to a real sink: an incomplete trace
//! is reported with what it lacks, a complete one passes, and a wrong parent
//! link fails naming the span.

use lookout_e2e::otlp_sink::{OtlpSink, PROTOBUF, SpanKind, TRACES_PATH};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

use super::*;

const TRACE: [u8; 16] = [7; 16];

fn attribute(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

fn text(value: &str) -> Value {
    Value::StringValue(value.to_owned())
}

/// A span of `TRACE` with an HTTP method, route (server spans) and status.
fn span(id: u8, parent: Option<u8>, kind: SpanKind, name: &str, route: Option<&str>) -> Span {
    let (method, _) = name.split_once(' ').expect("METHOD /path");
    let status = if method == "POST" { 201 } else { 200 };
    let mut attributes = vec![
        attribute("http.request.method", text(method)),
        attribute("http.response.status_code", Value::IntValue(status)),
    ];
    if let Some(route) = route {
        attributes.push(attribute("http.route", text(route)));
    }
    Span {
        trace_id: TRACE.to_vec(),
        span_id: vec![id; 8],
        parent_span_id: parent.map(|parent| vec![parent; 8]).unwrap_or_default(),
        name: name.to_owned(),
        kind: kind as i32,
        attributes,
        ..Span::default()
    }
}

fn generator() -> Span {
    span(1, None, SpanKind::Client, "POST /orders", None)
}

fn order_server() -> Span {
    span(
        2,
        Some(1),
        SpanKind::Server,
        "POST /orders",
        Some("/orders"),
    )
}

fn order_client() -> Span {
    span(3, Some(2), SpanKind::Client, "GET /users/{id}", None)
}

fn user_server(parent: u8) -> Span {
    let route = Some("/users/{id}");
    span(4, Some(parent), SpanKind::Server, "GET /users/{id}", route)
}

async fn export(sink: &OtlpSink, service: &str, spans: Vec<Span>) {
    let request = ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    attribute("service.name", text(service)),
                    attribute("service.version", text(env!("CARGO_PKG_VERSION"))),
                ],
                ..Resource::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        }],
    };
    let status = reqwest::Client::new()
        .post(format!("{}{TRACES_PATH}", sink.endpoint()))
        .header("content-type", PROTOBUF)
        .body(request.encode_to_vec())
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .expect("the sink answers")
        .status();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn an_incomplete_trace_names_what_it_lacks_then_passes_once_complete() {
    let sink = OtlpSink::start(100).await.expect("sink");
    export(&sink, "order-service", vec![order_client(), order_server()]).await;
    export(&sink, "user-service", vec![user_server(3)]).await;
    let Probe::Pending(state) = complete_order_trace(&sink) else {
        panic!("the generator's span has not arrived, yet the trace is complete");
    };
    assert!(
        state.contains(r#"missing ["traffic-generator"]"#)
            && state.contains("parents not received of")
            && state.contains("span 0202020202020202"),
        "{state}"
    );
    export(&sink, "traffic-generator", vec![generator()]).await;
    let Probe::Ready(trace) = complete_order_trace(&sink) else {
        panic!("the trace is complete");
    };
    assert_eq!(trace.len(), 4);
    check_order_trace(&trace).expect("a well-formed trace passes");
}

#[tokio::test]
async fn a_wrong_parent_fails_naming_the_span() {
    let sink = OtlpSink::start(100).await.expect("sink");
    export(&sink, "traffic-generator", vec![generator()]).await;
    export(&sink, "order-service", vec![order_client(), order_server()]).await;
    // user-service continued the generator's context instead of order-service's.
    export(&sink, "user-service", vec![user_server(1)]).await;
    let Probe::Ready(trace) = complete_order_trace(&sink) else {
        panic!("every parent arrived");
    };
    let error = check_order_trace(&trace)
        .expect_err("wrong parent")
        .to_string();
    assert!(
        error.contains("user-service's server span's parent is traffic-generator"),
        "{error}"
    );
}
