//! Tracing end to end in one process: a router with the HTTP middleware, the real
//! subscriber and exporter, and an OTLP receiver decoding what arrives.

mod bounded_export;
mod captured_logs;
mod otlp_receiver;
mod unsampled;

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::handler::Handler;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as SpanStatus;
use tower::ServiceExt;
use tracing::subscriber::DefaultGuard;

use super::*;
use crate::http_metrics::HttpMetricsLayer;
use captured_logs::CapturedLogs;
use otlp_receiver::{Receiver, int_attribute, string_attribute};

const SERVICE: ServiceInfo = ServiceInfo {
    name: "test-service",
    version: "1.2.3",
};
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

fn tracing_to(base_url: &str, queue_spans: usize) -> TracingArgs {
    TracingArgs {
        otlp_endpoint: Some(base_url.to_owned()),
        otlp_traces_endpoint: None,
        otlp_protocol: None,
        trace_sample_ratio: 1.0,
        otlp_queue_spans: queue_spans,
    }
}

/// The service's subscriber at info, JSON lines into `logs`, installed on this
/// thread until the guard drops; and its telemetry.
fn install(args: &TracingArgs, logs: CapturedLogs) -> (Telemetry, DefaultGuard) {
    let (subscriber, telemetry) =
        subscriber(SERVICE, "info", LogFormat::Json, args, logs).expect("subscriber");
    (telemetry, tracing::subscriber::set_default(subscriber))
}

/// The middleware as `http::instrument` mounts it, around two test routes.
fn app() -> Router {
    Router::new()
        .route(
            "/users/{id}",
            get(|| async {
                // What an outgoing call would carry: this request's trace and span.
                let mut outgoing = HeaderMap::new();
                crate::trace_context::inject(&mut outgoing);
                let traceparent = outgoing
                    .get("traceparent")
                    .and_then(|value| value.to_str().ok());
                tracing::info!(traceparent, "handled");
                "{}"
            }),
        )
        .route("/boom", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/health", get(|| async { "{}" }))
        .route("/metrics", get(|| async { "" }))
        .route_layer(HttpMetricsLayer::default())
        .fallback(crate::errors::not_found.layer(HttpMetricsLayer::default()))
}

async fn get_path(path: &str, traceparent: Option<&str>) -> StatusCode {
    let mut request = Request::get(path);
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let request = request.body(Body::empty()).expect("valid request");
    app().oneshot(request).await.expect("infallible").status()
}

#[tokio::test]
async fn a_request_gives_one_server_span_under_the_incoming_traceparent() {
    let receiver = Receiver::start().await;
    let logs = CapturedLogs::default();
    let (mut telemetry, _installed) = install(&tracing_to(&receiver.base_url, 64), logs.clone());
    let traceparent = format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01");
    assert_eq!(
        get_path("/users/7", Some(&traceparent)).await,
        StatusCode::OK
    );
    assert_eq!(
        get_path("/boom", None).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(get_path("/nowhere", None).await, StatusCode::NOT_FOUND);
    // Scrapes and health checks are answered but not traced.
    assert_eq!(get_path("/metrics", None).await, StatusCode::OK);
    assert_eq!(
        get_path("/health", Some(&traceparent)).await,
        StatusCode::OK
    );
    let tracing = telemetry.tracing.take().expect("tracing is on");
    let counts = tracing.counts();
    tracing.flush(Duration::from_secs(10)).await;
    assert_eq!(counts.exported.load(Ordering::Relaxed), 3);

    let spans = receiver.spans();
    let names: Vec<&str> = spans.iter().map(|(_, span)| span.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let (service, user) = spans
        .iter()
        .find(|(_, span)| span.name == "GET /users/{id}")
        .unwrap_or_else(|| panic!("no GET /users/{{id}} span in {names:?}"));
    assert_eq!(service, SERVICE.name);
    assert_eq!(receiver.service_version().as_deref(), Some(SERVICE.version));
    assert_eq!(user.kind, SpanKind::Server as i32);
    assert_eq!(hex(&user.trace_id), TRACE_ID, "same trace as the caller");
    assert_eq!(
        hex(&user.parent_span_id),
        PARENT_SPAN_ID,
        "child of the caller"
    );
    let attributes = &user.attributes;
    let text = |key| string_attribute(attributes, key);
    assert_eq!(text("http.request.method").as_deref(), Some("GET"));
    assert_eq!(text("http.route").as_deref(), Some("/users/{id}"));
    assert_eq!(text("url.path").as_deref(), Some("/users/7"));
    assert_eq!(
        int_attribute(attributes, "http.response.status_code"),
        Some(200)
    );
    let user_status = user.status.as_ref().map_or(0, |status| status.code);
    assert_ne!(user_status, SpanStatus::Error as i32);

    let (_, boom) = spans
        .iter()
        .find(|(_, span)| span.name == "GET /boom")
        .expect("a GET /boom span");
    assert!(
        boom.parent_span_id.is_empty(),
        "no traceparent: a root span"
    );
    assert_ne!(hex(&boom.trace_id), TRACE_ID);
    let boom_status = boom.status.as_ref().map_or(0, |status| status.code);
    assert_eq!(boom_status, SpanStatus::Error as i32, "5xx is an error");
    // No route matched: the name is the method alone and there is no http.route
    // (our `unmatched` label is not a route).
    let (_, nowhere) = spans
        .iter()
        .find(|(_, span)| span.name == "GET")
        .unwrap_or_else(|| panic!("no GET span for /nowhere in {names:?}"));
    assert_eq!(string_attribute(&nowhere.attributes, "http.route"), None);
    assert_eq!(
        string_attribute(&nowhere.attributes, "url.path").as_deref(),
        Some("/nowhere")
    );

    // The handler's log line names the trace and the server span.
    let lines = logs.json_lines();
    let handled = lines
        .iter()
        .find(|line| line["message"] == "handled")
        .unwrap_or_else(|| panic!("no handled line in {lines:?}"));
    assert_eq!(handled["trace_id"], TRACE_ID);
    assert_eq!(handled["span_id"], hex(&user.span_id));
    assert_eq!(handled["level"], "INFO");
    let injected = format!("00-{TRACE_ID}-{}-01", hex(&user.span_id));
    assert_eq!(
        handled["traceparent"], injected,
        "inject() writes the server span"
    );
}

#[tokio::test]
async fn sampling_follows_a_sampled_parent_and_the_ratio_otherwise() {
    let receiver = Receiver::start().await;
    let mut args = tracing_to(&receiver.base_url, 64);
    args.trace_sample_ratio = 0.0;
    let (mut telemetry, _installed) = install(&args, CapturedLogs::default());
    let sampled = format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01");
    let not_sampled = format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-00");
    assert_eq!(get_path("/users/1", Some(&sampled)).await, StatusCode::OK);
    assert_eq!(
        get_path("/users/2", Some(&not_sampled)).await,
        StatusCode::OK
    );
    assert_eq!(get_path("/users/3", None).await, StatusCode::OK);
    let tracing = telemetry.tracing.take().expect("tracing is on");
    tracing.flush(Duration::from_secs(10)).await;
    let spans = receiver.spans();
    let paths: Vec<Option<String>> = spans
        .iter()
        .map(|(_, span)| string_attribute(&span.attributes, "url.path"))
        .collect();
    assert_eq!(
        paths,
        [Some("/users/1".to_owned())],
        "ratio 0: only the sampled parent's"
    );
}

#[test]
fn without_an_endpoint_there_is_no_exporter() {
    let mut args = tracing_to("", 4);
    args.otlp_endpoint = None;
    let (_, telemetry) = subscriber(
        SERVICE,
        "info",
        LogFormat::Json,
        &args,
        CapturedLogs::default(),
    )
    .expect("subscriber");
    assert!(!telemetry.tracing_enabled());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
