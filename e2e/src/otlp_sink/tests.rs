//! The sink over real HTTP: what an OTLP/HTTP exporter sends is stored and
//! answered as the protocol says; bad requests are refused and counted; the
//! store keeps the newest spans.

use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

use super::*;

fn attribute(key: &str, value: Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
        ..KeyValue::default()
    }
}

fn span(trace: u8, id: u8, parent: Option<u8>, name: &str) -> Span {
    Span {
        trace_id: vec![trace; 16],
        span_id: vec![id; 8],
        parent_span_id: parent.map(|parent| vec![parent; 8]).unwrap_or_default(),
        name: name.to_owned(),
        kind: SpanKind::Server as i32,
        attributes: vec![
            attribute("http.route", Value::StringValue("/users/{id}".to_owned())),
            attribute("http.response.status_code", Value::IntValue(200)),
        ],
        ..Span::default()
    }
}

fn request(service: &str, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![attribute(
                    "service.name",
                    Value::StringValue(service.to_owned()),
                )],
                ..Resource::default()
            }),
            scope_spans: vec![ScopeSpans {
                spans,
                ..ScopeSpans::default()
            }],
            ..ResourceSpans::default()
        }],
    }
}

async fn post(sink: &OtlpSink, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    crate::clients::http_client()
        .expect("HTTP client")
        .post(format!("{}{TRACES_PATH}", sink.endpoint()))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the sink answers")
}

#[tokio::test]
async fn an_export_is_stored_by_trace_with_its_service_name() {
    let sink = OtlpSink::start(100).await.expect("sink");
    let spans = vec![
        span(1, 10, None, "GET /users/{id}"),
        span(1, 11, Some(10), "inner"),
        span(2, 20, None, "other trace"),
    ];
    let response = post(
        &sink,
        PROTOBUF,
        request("user-service", spans).encode_to_vec(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().expect("ascii"),
        PROTOBUF
    );
    let body = response.bytes().await.expect("body");
    ExportTraceServiceResponse::decode(body).expect("an ExportTraceServiceResponse");

    let trace = sink.trace(&[1; 16]);
    assert_eq!(trace.len(), 2, "{trace:?}");
    let root = &trace[0];
    assert_eq!(root.service_name(), "user-service");
    assert!(root.is_root());
    assert_eq!(root.kind(), SpanKind::Server);
    assert_eq!(root.string_attribute("http.route"), Some("/users/{id}"));
    assert_eq!(root.int_attribute("http.response.status_code"), Some(200));
    assert_eq!(root.int_attribute("http.route"), None);
    assert_eq!(trace[1].span.parent_span_id, vec![10; 8]);
    assert_eq!(hex(&trace[1].span.parent_span_id), "0a0a0a0a0a0a0a0a");
    assert_eq!(sink.spans().len(), 3);
    assert_eq!(
        sink.stats(),
        SinkStats {
            requests: 1,
            spans: 3,
            evicted: 0,
            rejected: 0
        }
    );
}

#[tokio::test]
async fn bad_requests_are_refused_and_counted() {
    let sink = OtlpSink::start(100).await.expect("sink");
    let valid = request("svc", vec![span(1, 1, None, "a")]).encode_to_vec();
    let json = post(&sink, "application/json", valid).await;
    assert_eq!(json.status(), 415);
    let garbage = post(&sink, PROTOBUF, vec![0xff; 64]).await;
    assert_eq!(garbage.status(), 400);
    let huge = post(&sink, PROTOBUF, vec![0; MAX_BODY_BYTES + 1]).await;
    assert_eq!(huge.status(), 413);
    assert!(sink.spans().is_empty());
    assert_eq!(sink.stats().rejected, 3);
    assert_eq!(sink.stats().requests, 0);
}

#[tokio::test]
async fn a_full_store_keeps_the_newest_spans_and_counts_the_evicted() {
    let sink = OtlpSink::start(2).await.expect("sink");
    let spans = (1..=3).map(|id| span(id, id, None, "s")).collect();
    let response = post(&sink, PROTOBUF, request("svc", spans).encode_to_vec()).await;
    assert_eq!(response.status(), 200);
    let kept: Vec<u8> = sink.spans().iter().map(|s| s.span.span_id[0]).collect();
    assert_eq!(kept, vec![2, 3]);
    assert_eq!(sink.stats().evicted, 1);
    assert_eq!(sink.stats().spans, 3);
}
