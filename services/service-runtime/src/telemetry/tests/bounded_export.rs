//! A collector that is slow or absent costs requests nothing: spans wait in the
//! bounded queue or are dropped, and every one is counted once.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use super::captured_logs::CapturedLogs;
use super::otlp_receiver;
use super::{LogFormat, SERVICE, get_path, subscriber, tracing_to};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_collector_costs_no_request_time_and_bounded_memory() {
    let base_url = otlp_receiver::silent_collector().await;
    let (subscriber, mut telemetry) = subscriber(
        SERVICE,
        "warn",
        LogFormat::Json,
        &tracing_to(&base_url, 4),
        CapturedLogs::default(),
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
        CapturedLogs::default(),
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
