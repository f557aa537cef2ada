//! Tracing settings of the real binary: unusable ones (flags or the standard
//! `OTEL_*` variables) are refused with exit 2, and a collector that is down costs
//! requests nothing while every lost span is counted on `/metrics`.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use service_runtime::catalog;
use service_runtime::testing::{Scrape, Spawned, request};
use support::TARGET;

/// Runs the binary with `args` and `env`; its exit code and stderr.
fn refused(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let output = Command::new(TARGET.binary)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Flags and variables given, and the setting the error must name.
type Case = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

const REFUSED: [Case; 5] = [
    (
        &[],
        &[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")],
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ),
    (
        &[],
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318")],
        "--otlp-endpoint",
    ),
    (
        &[],
        &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://x/v1/traces")],
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ),
    (
        &["--trace-sample-ratio", "1.5"],
        &[],
        "--trace-sample-ratio",
    ),
    (&["--otlp-queue-spans", "0"], &[], "--otlp-queue-spans"),
];

#[test]
fn unusable_tracing_settings_exit_2_naming_the_setting() {
    for (args, env, named) in REFUSED {
        let (code, stderr) = refused(args, env);
        assert_eq!(code, Some(2), "{args:?} {env:?}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.contains(named), "{args:?} {env:?}: {stderr}");
    }
}

#[test]
fn a_collector_that_is_down_costs_requests_nothing_and_drops_are_counted() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let mut service = Spawned::start(
        TARGET.binary,
        &[
            "--port",
            "0",
            "--admin-port",
            "0",
            "--simulated-latency",
            "false",
            "--otlp-endpoint",
            &endpoint,
        ],
        &["api", "admin"],
    );
    let api = service.addr("api");
    let started = Instant::now();
    for _ in 0..20 {
        assert_eq!(request(api, "GET", "/users/1", None).status, 200);
    }
    println!(
        "20 requests in {:?} with the collector down",
        started.elapsed()
    );
    // Exports fail within their 5 s deadline; every span (20, plus the scrapes') is lost.
    let deadline = Instant::now() + Duration::from_secs(30);
    let dropped = loop {
        let scrape = Scrape::fetch(api);
        let dropped = scrape.value(catalog::OTEL_SPANS_DROPPED_TOTAL, &[]);
        assert_eq!(scrape.value(catalog::OTEL_SPANS_EXPORTED_TOTAL, &[]), 0.0);
        if dropped >= 20.0 || Instant::now() > deadline {
            break dropped;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(dropped >= 20.0, "only {dropped} spans counted as dropped");
    service.terminate();
    assert!(service.wait().success(), "SIGTERM still exits 0");
}
