//! Tracing flags every lookout binary shares ([`TracingArgs`]), with the standard
//! OpenTelemetry variables. Every check runs inside clap's value parsers, so a bad
//! value is clap's one-line error and exit 2, like every other flag.

use std::time::Duration;

/// Path appended to `--otlp-endpoint`, as the OTLP/HTTP specification does for traces.
const TRACES_PATH: &str = "/v1/traces";

/// The only `OTEL_EXPORTER_OTLP_PROTOCOL` lookout speaks: OTLP over HTTP/protobuf
/// reuses reqwest, which the workspace builds anyway (no tonic, no h2).
pub const PROTOCOL_HTTP_PROTOBUF: &str = "http/protobuf";

/// Spans sent in one export request at most.
pub const MAX_EXPORT_BATCH: usize = 512;

/// Deadline of one export request; its spans are dropped and counted after it.
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest `--otlp-queue-spans`: a finished span takes about a kilobyte, so the queue
/// stays under about 100 MiB even at this bound.
pub const MAX_QUEUE_SPANS: usize = 100_000;

/// OpenTelemetry tracing flags. Tracing is off unless an endpoint is set.
#[derive(Debug, Clone, clap::Args)]
pub struct TracingArgs {
    /// Base URL of an OTLP/HTTP collector (Tempo, Jaeger, an OpenTelemetry collector);
    /// spans are POSTed to `<URL>/v1/traces`. Tracing is off when neither this nor
    /// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", value_name = "URL", value_parser = parse_url)]
    pub otlp_endpoint: Option<String>,

    /// Full traces URL, used as is; wins over --otlp-endpoint. Hidden: the standard
    /// variable is the interface, the flag only lets clap read and check it.
    /// (The value name makes clap's error name the variable.)
    #[arg(long, env = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", hide = true,
          value_name = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", value_parser = parse_url)]
    pub otlp_traces_endpoint: Option<String>,

    /// OTLP protocol; only http/protobuf is supported. Hidden for the same reason.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_PROTOCOL", hide = true,
          value_name = "OTEL_EXPORTER_OTLP_PROTOCOL", value_parser = parse_protocol)]
    pub otlp_protocol: Option<String>,

    /// Share of new traces recorded, from 0 to 1; a request carrying a sampled
    /// traceparent is always recorded (parent-based sampling).
    #[arg(long, env = "LOOKOUT_TRACE_SAMPLE_RATIO", value_name = "F", default_value_t = 1.0, value_parser = parse_ratio)]
    pub trace_sample_ratio: f64,

    /// Finished spans waiting for export at most; more are dropped and counted in
    /// otel_spans_dropped_total, so a slow or absent collector never costs memory.
    #[arg(long, env = "LOOKOUT_OTLP_QUEUE_SPANS", value_name = "N", default_value_t = 2048, value_parser = parse_queue_spans)]
    pub otlp_queue_spans: usize,
}

impl TracingArgs {
    /// Where spans are POSTed, or `None` when tracing is off.
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is used as is; the base URL gets `/v1/traces`.
    /// An empty value counts as unset, as the OpenTelemetry specification says.
    pub fn traces_endpoint(&self) -> Option<String> {
        let full = self
            .otlp_traces_endpoint
            .as_deref()
            .filter(|url| !url.is_empty());
        let base = self.otlp_endpoint.as_deref().filter(|url| !url.is_empty());
        full.map(str::to_owned)
            .or_else(|| base.map(|base| format!("{}{TRACES_PATH}", base.trim_end_matches('/'))))
    }
}

/// An absolute `http` URL with a host (or empty, meaning unset). Not `https`:
/// reqwest is built without TLS (as for the peers' `BaseUrl`), so every export to
/// an `https://` collector would fail; refusing it at start-up says so at once.
fn parse_url(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Ok(String::new());
    }
    let uri: axum::http::Uri = value
        .parse()
        .map_err(|error| format!("not a URL ({error})"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http"), Some(host)) if !host.is_empty() => Ok(value.to_owned()),
        (Some("https"), _) => Err(
            "https:// is not supported (built without TLS); use an http:// collector, e.g. on loopback"
                .to_owned(),
        ),
        _ => Err("expected an http:// URL with a host".to_owned()),
    }
}

fn parse_protocol(value: &str) -> Result<String, String> {
    if value.is_empty() || value == PROTOCOL_HTTP_PROTOBUF {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "only {PROTOCOL_HTTP_PROTOBUF} is supported (OTLP over HTTP)"
        ))
    }
}

fn parse_ratio(value: &str) -> Result<f64, String> {
    let ratio: f64 = value
        .parse()
        .map_err(|_| "expected a number from 0 to 1".to_owned())?;
    if (0.0..=1.0).contains(&ratio) {
        Ok(ratio)
    } else {
        Err("expected a number from 0 to 1".to_owned())
    }
}

fn parse_queue_spans(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(spans) if (1..=MAX_QUEUE_SPANS).contains(&spans) => Ok(spans),
        _ => Err(format!(
            "expected a whole number from 1 to {MAX_QUEUE_SPANS}"
        )),
    }
}

#[cfg(test)]
mod tests;
