//! The tracing flags: endpoint resolution and every refused value. (The process
//! environment is read by clap; these tests pass flags, which win over it, and the
//! binaries' tests check the variables themselves.)

use clap::Parser;

use super::*;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    tracing: TracingArgs,
}

fn parse(args: &[&str]) -> Result<TracingArgs, String> {
    Cli::try_parse_from(std::iter::once("test").chain(args.iter().copied()))
        .map(|cli| cli.tracing)
        .map_err(|error| error.to_string())
}

fn endpoint(args: &[&str]) -> Option<String> {
    parse(args).expect("flags parse").traces_endpoint()
}

#[test]
fn defaults_are_full_sampling_and_a_2048_span_queue() {
    let args = parse(&[]).expect("no flags parse");
    assert_eq!(args.trace_sample_ratio, 1.0);
    assert_eq!(args.otlp_queue_spans, 2048);
}

#[test]
fn the_base_url_gets_the_traces_path_without_a_double_slash() {
    for base in ["http://127.0.0.1:4318", "http://127.0.0.1:4318/"] {
        assert_eq!(
            endpoint(&["--otlp-endpoint", base]).as_deref(),
            Some("http://127.0.0.1:4318/v1/traces")
        );
    }
    assert_eq!(
        endpoint(&["--otlp-endpoint", "http://collector.example/otlp"]).as_deref(),
        Some("http://collector.example/otlp/v1/traces")
    );
}

/// reqwest is built without TLS: an https collector would fail every export, so
/// it is refused at start-up, for both variables.
#[test]
fn https_endpoints_are_refused_as_there_is_no_tls() {
    for flag in ["--otlp-endpoint", "--otlp-traces-endpoint"] {
        let error = parse(&[flag, "https://collector.example:4318"])
            .err()
            .unwrap_or_default();
        assert!(
            error.contains("https:// is not supported"),
            "{flag}: {error}"
        );
    }
}

#[test]
fn the_traces_endpoint_is_used_as_is_and_wins() {
    let args = [
        "--otlp-endpoint",
        "http://base:4318",
        "--otlp-traces-endpoint",
        "http://full:9999/custom",
    ];
    assert_eq!(endpoint(&args).as_deref(), Some("http://full:9999/custom"));
}

#[test]
fn empty_endpoints_mean_tracing_off() {
    let args = ["--otlp-endpoint", "", "--otlp-traces-endpoint", ""];
    assert_eq!(endpoint(&args), None);
}

#[test]
fn http_protobuf_is_the_only_protocol() {
    assert!(parse(&["--otlp-protocol", "http/protobuf"]).is_ok());
    for other in ["grpc", "http/json", "HTTP/PROTOBUF"] {
        let error = parse(&["--otlp-protocol", other]).err().unwrap_or_default();
        assert!(error.contains("only http/protobuf"), "{other}: {error}");
    }
}

#[test]
fn bad_urls_are_refused() {
    for url in [
        "localhost:4318",
        "ftp://host/x",
        "http://",
        "not a url",
        "/v1/traces",
    ] {
        let error = parse(&["--otlp-endpoint", url]).err().unwrap_or_default();
        assert!(error.contains("--otlp-endpoint"), "{url}: {error}");
    }
}

#[test]
fn ratios_outside_0_to_1_are_refused() {
    for ratio in ["0", "0.01", "1"] {
        assert!(parse(&["--trace-sample-ratio", ratio]).is_ok(), "{ratio}");
    }
    for ratio in ["-0.1", "1.5", "NaN", "inf", "half"] {
        let flag = format!("--trace-sample-ratio={ratio}");
        let error = parse(&[&flag]).err().unwrap_or_default();
        assert!(error.contains("from 0 to 1"), "{ratio}: {error}");
    }
}

#[test]
fn the_queue_is_bounded() {
    assert!(parse(&["--otlp-queue-spans", "1"]).is_ok());
    for spans in ["0", "100001", "-1", "lots"] {
        let flag = format!("--otlp-queue-spans={spans}");
        let error = parse(&[&flag]).err().unwrap_or_default();
        assert!(error.contains("from 1 to"), "{spans}: {error}");
    }
}
