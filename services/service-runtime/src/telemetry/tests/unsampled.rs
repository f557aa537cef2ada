//! Requests that are not sampled: no span is built or exported, yet their trace
//! context travels on, flags `00`, in every call they make, and names their log
//! lines. Roots are drawn at the ratio; a parent's sampled flag is followed.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get;
use reqwest::Method;
use tower::ServiceExt;

use super::captured_logs::CapturedLogs;
use super::otlp_receiver::Receiver;
use super::{PARENT_SPAN_ID, TRACE_ID, get_path, install, tracing_to};
use crate::http_metrics::HttpMetricsLayer;
use crate::outbound::{BaseUrl, EdgeClient, EdgeOutcome, Peer};

/// A peer answering `/echo` with the `traceparent` it received, or `none`.
async fn echo_peer() -> BaseUrl {
    async fn echo(headers: HeaderMap) -> String {
        headers
            .get("traceparent")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("none")
            .to_owned()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let app = Router::new().route("/echo", get(echo));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base.parse().expect("a loopback URL")
}

/// `GET /orders` through the middleware; its handler calls the peer with the edge
/// client and logs the `traceparent` the peer received.
async fn order(peer: &BaseUrl, traceparent: Option<&str>) -> StatusCode {
    let name = Peer::new("user-service").expect("valid");
    let client = EdgeClient::new(name, peer.clone(), Duration::from_secs(5)).expect("client");
    let app = Router::new()
        .route(
            "/orders",
            get(|State(client): State<EdgeClient>| async move {
                let answer = client.get("/echo", "/echo").await.expect("answered");
                let received = String::from_utf8_lossy(&answer.body).into_owned();
                tracing::info!(received, "called");
                "{}"
            }),
        )
        .route_layer(HttpMetricsLayer::default())
        .with_state(client);
    let mut request = Request::get("/orders");
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let request = request.body(Body::empty()).expect("valid request");
    app.oneshot(request).await.expect("infallible").status()
}

/// The `traceparent` naming a log line's trace and span, with `flags`.
fn traceparent_of_line(line: &serde_json::Value, flags: &str) -> String {
    let id = |key: &str| line[key].as_str().expect("ids on the line").to_owned();
    format!("00-{}-{}-{flags}", id("trace_id"), id("span_id"))
}

#[tokio::test]
async fn at_ratio_0_a_root_gets_no_span_but_a_trace_context_flagged_00() {
    let receiver = Receiver::start().await;
    let peer = echo_peer().await;
    let logs = CapturedLogs::default();
    let mut args = tracing_to(&receiver.base_url, 64);
    args.trace_sample_ratio = 0.0;
    let (mut telemetry, _installed) = install(&args, logs.clone());
    assert_eq!(get_path("/users/1", None).await, StatusCode::OK);
    assert_eq!(order(&peer, None).await, StatusCode::OK);
    let tracing = telemetry.tracing.take().expect("tracing is on");
    let counts = tracing.counts();
    tracing.flush(Duration::from_secs(10)).await;
    assert_eq!(counts.exported.load(Ordering::Relaxed), 0);
    assert_eq!(counts.dropped.load(Ordering::Relaxed), 0, "no span at all");
    assert!(receiver.spans().is_empty());

    let lines = logs.json_lines();
    let line = |message: &str| {
        lines
            .iter()
            .find(|line| line["message"] == message)
            .unwrap_or_else(|| panic!("no {message} line in {lines:?}"))
            .clone()
    };
    let handled = line("handled");
    assert_eq!(
        handled["traceparent"],
        traceparent_of_line(&handled, "00"),
        "inject() writes the request's unsampled context"
    );
    let called = line("called");
    assert_eq!(
        called["received"],
        traceparent_of_line(&called, "00"),
        "the callee gets the same trace, not sampled"
    );
    assert_ne!(
        handled["trace_id"], called["trace_id"],
        "one trace per root"
    );
}

#[tokio::test]
async fn an_unsampled_parent_is_followed_and_passed_on() {
    let receiver = Receiver::start().await;
    let peer = echo_peer().await;
    let logs = CapturedLogs::default();
    // Ratio 1: only the parent's flag keeps these requests out.
    let (mut telemetry, _installed) = install(&tracing_to(&receiver.base_url, 64), logs.clone());
    let unsampled = format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-00");
    assert_eq!(get_path("/users/2", Some(&unsampled)).await, StatusCode::OK);
    assert_eq!(order(&peer, Some(&unsampled)).await, StatusCode::OK);
    // A root at ratio 1 is recorded: the receiver does see what is exported.
    assert_eq!(get_path("/users/3", None).await, StatusCode::OK);
    let tracing = telemetry.tracing.take().expect("tracing is on");
    tracing.flush(Duration::from_secs(10)).await;
    let spans = receiver.spans();
    let [(_, only)] = &spans[..] else {
        panic!("only the root's span expected: {spans:#?}")
    };
    assert_eq!(
        super::otlp_receiver::string_attribute(&only.attributes, "url.path").as_deref(),
        Some("/users/3")
    );

    let lines = logs.json_lines();
    let handled: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["message"] == "handled")
        .collect();
    assert_eq!(handled[0]["trace_id"], TRACE_ID);
    assert_eq!(handled[0]["traceparent"], unsampled, "passed on as it came");
    let called = lines
        .iter()
        .find(|line| line["message"] == "called")
        .expect("a called line");
    assert_eq!(called["received"], unsampled);
    assert_eq!(
        handled[1]["traceparent"],
        traceparent_of_line(handled[1], "01")
    );
}

#[tokio::test]
async fn a_call_that_starts_a_trace_is_drawn_at_the_ratio() {
    let receiver = Receiver::start().await;
    let base: BaseUrl = "http://127.0.0.1:9".parse().expect("valid");
    let peer = Peer::new("order-service").expect("valid");
    for (ratio, flags, exported) in [(0.0, "00", 0), (1.0, "01", 1)] {
        let mut args = tracing_to(&receiver.base_url, 64);
        args.trace_sample_ratio = ratio;
        let (mut telemetry, installed) = install(&args, CapturedLogs::default());
        let call = peer.start_trace(&Method::POST, "/orders", &base, "http://x/orders");
        let headers = call.trace_headers();
        let sent = headers["traceparent"].to_str().expect("ASCII");
        assert!(
            sent.ends_with(&format!("-{flags}")),
            "ratio {ratio}: {sent}"
        );
        call.finish(EdgeOutcome::Answered(reqwest::StatusCode::CREATED), None);
        let tracing = telemetry.tracing.take().expect("tracing is on");
        let counts = tracing.counts();
        tracing.flush(Duration::from_secs(10)).await;
        assert_eq!(
            counts.exported.load(Ordering::Relaxed),
            exported,
            "ratio {ratio}"
        );
        drop(installed);
    }
}
