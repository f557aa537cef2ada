//! Tracing end to end in one process: a router with the HTTP middleware, the real
//! subscriber and exporter, and an OTLP receiver decoding what arrives.

mod otlp_receiver;

use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::handler::Handler;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as SpanStatus;
use tower::ServiceExt;
use tracing_subscriber::fmt::MakeWriter;

use super::*;
use crate::http_metrics::HttpMetricsLayer;
use otlp_receiver::{Receiver, int_attribute, string_attribute};

const SERVICE: ServiceInfo = ServiceInfo {
    name: "test-service",
    version: "1.2.3",
};
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID: &str = "00f067aa0ba902b7";

/// Log lines written by the subscriber under test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

impl Captured {
    fn json_lines(&self) -> Vec<serde_json::Value> {
        let bytes = self.0.lock().expect("not poisoned").clone();
        String::from_utf8(bytes)
            .expect("UTF-8 logs")
            .lines()
            .map(|line| serde_json::from_str(line).expect("every line is JSON"))
            .collect()
    }
}

fn tracing_to(base_url: &str, queue_spans: usize) -> TracingArgs {
    TracingArgs {
        otlp_endpoint: Some(base_url.to_owned()),
        otlp_traces_endpoint: None,
        otlp_protocol: None,
        trace_sample_ratio: 1.0,
        otlp_queue_spans: queue_spans,
    }
}

/// The middleware as `http::instrument` mounts it, around two test routes.
fn app() -> Router {
    Router::new()
        .route(
            "/users/{id}",
            get(|| async {
                tracing::info!("handled");
                "{}"
            }),
        )
        .route("/boom", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
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
    let logs = Captured::default();
    let (subscriber, mut telemetry) = subscriber(
        SERVICE,
        "info",
        LogFormat::Json,
        &tracing_to(&receiver.base_url, 64),
        logs.clone(),
    )
    .expect("subscriber");
    let _installed = tracing::subscriber::set_default(subscriber);
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
    assert!(names.contains(&"GET unmatched"), "{names:?}");

    // The handler's log line names the trace and the server span.
    let lines = logs.json_lines();
    let handled = lines
        .iter()
        .find(|line| line["message"] == "handled")
        .unwrap_or_else(|| panic!("no handled line in {lines:?}"));
    assert_eq!(handled["trace_id"], TRACE_ID);
    assert_eq!(handled["span_id"], hex(&user.span_id));
    assert_eq!(handled["level"], "INFO");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_collector_costs_no_request_time_and_bounded_memory() {
    let base_url = otlp_receiver::silent_collector().await;
    let (subscriber, mut telemetry) = subscriber(
        SERVICE,
        "warn",
        LogFormat::Json,
        &tracing_to(&base_url, 4),
        Captured::default(),
    )
    .expect("subscriber");
    let _installed = tracing::subscriber::set_default(subscriber);
    let tracing = telemetry.tracing.take().expect("tracing is on");
    let counts = tracing.counts();
    const REQUESTS: u64 = 1000;
    let started = Instant::now();
    for id in 0..REQUESTS {
        assert_eq!(
            get_path(&format!("/users/{id}"), None).await,
            StatusCode::OK
        );
    }
    let took = started.elapsed();
    println!("{REQUESTS} requests in {took:?} with a collector that never answers");
    assert!(
        took < Duration::from_secs(30),
        "requests waited on the export"
    );
    // Held at most: the queue (4) and one batch being exported (512).
    let dropped = counts.dropped.load(Ordering::Relaxed);
    assert!(dropped >= REQUESTS - 4 - 512, "only {dropped} dropped");
    // The batch in flight times out (5 s) and is counted too: every span once.
    tracing.flush(Duration::from_secs(20)).await;
    assert_eq!(counts.exported.load(Ordering::Relaxed), 0);
    assert_eq!(counts.dropped.load(Ordering::Relaxed), REQUESTS);
}

#[tokio::test]
async fn an_absent_collector_drops_and_counts_every_span() {
    let base_url = otlp_receiver::absent_collector().await;
    let (subscriber, mut telemetry) = subscriber(
        SERVICE,
        "warn",
        LogFormat::Text,
        &tracing_to(&base_url, 2048),
        Captured::default(),
    )
    .expect("subscriber");
    let _installed = tracing::subscriber::set_default(subscriber);
    let tracing = telemetry.tracing.take().expect("tracing is on");
    let counts = tracing.counts();
    for id in 0..20 {
        assert_eq!(
            get_path(&format!("/users/{id}"), None).await,
            StatusCode::OK
        );
    }
    tracing.flush(Duration::from_secs(20)).await;
    assert_eq!(counts.exported.load(Ordering::Relaxed), 0);
    assert_eq!(counts.dropped.load(Ordering::Relaxed), 20);
}

#[test]
fn without_an_endpoint_there_is_no_exporter() {
    let mut args = tracing_to("", 4);
    args.otlp_endpoint = None;
    let (_, telemetry) = subscriber(SERVICE, "info", LogFormat::Json, &args, Captured::default())
        .expect("subscriber");
    assert!(!telemetry.tracing_enabled());
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
