//! How the stack's services export traces, and the flags that say so: an
//! in-process OTLP sink for the tests, an external collector (Tempo, Jaeger) for
//! the local stack, or nothing.

/// Where the services send their spans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceExport {
    /// No `--otlp-endpoint`: tracing stays off.
    Off,
    /// An [`OtlpSink`](crate::otlp_sink::OtlpSink) the stack starts on a free
    /// loopback port, for the tests to query.
    Sink,
    /// An OTLP/HTTP collector's base URL, e.g. `http://127.0.0.1:4318` (Tempo's
    /// or Jaeger's OTLP/HTTP receiver).
    Endpoint(String),
}

/// Every variable through which the environment the stack was started from
/// would change where, whether or how much the children trace (the traces
/// endpoint variable even wins over `--otlp-endpoint`): removed from their
/// environment, so the flags below are the whole truth.
pub(super) const TRACING_ENV: [&str; 5] = [
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "LOOKOUT_TRACE_SAMPLE_RATIO",
    "LOOKOUT_OTLP_QUEUE_SPANS",
];

/// Flags of one traced binary: export to `endpoint`, every trace sampled (the
/// tests look for one particular request's trace).
pub(super) fn tracing_flags(endpoint: Option<&str>) -> Vec<String> {
    match endpoint {
        Some(endpoint) => vec![
            "--otlp-endpoint".into(),
            endpoint.to_owned(),
            "--trace-sample-ratio".into(),
            "1".into(),
        ],
        None => Vec::new(),
    }
}

/// Log flags of the traced services: JSON lines, and each request's line (debug,
/// from the HTTP middleware) carrying its `trace_id`, as the VM test reads them
/// from the journal, so the pipeline test can look a logged trace id up in the sink.
pub(super) fn traced_request_logs() -> [String; 4] {
    [
        "--log-format".into(),
        "json".into(),
        "--log-level".into(),
        "info,service_runtime::http_metrics=debug".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_name_the_endpoint_and_sample_everything_or_nothing() {
        assert_eq!(
            tracing_flags(Some("http://127.0.0.1:4318")),
            [
                "--otlp-endpoint",
                "http://127.0.0.1:4318",
                "--trace-sample-ratio",
                "1"
            ]
        );
        assert!(tracing_flags(None).is_empty());
    }
}
