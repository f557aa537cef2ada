//! The Prometheus recorder: installed once per process, it gives every metric of
//! [`crate::catalog`] its HELP text, the histogram its buckets, and renders the
//! `/metrics` payload (recorder output plus the process metrics of `process.rs`).

use std::time::Duration;

use anyhow::Context;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::ServiceInfo;
use crate::catalog::{self, MetricKind};

/// Content type of the text exposition format; Prometheus 3 refuses a scrape without one.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How often histogram samples are folded into their buckets when nobody scrapes,
/// so memory stays flat under load.
const UPKEEP_INTERVAL: Duration = Duration::from_secs(1);

/// A handle on the installed recorder; cheap to clone.
#[derive(Debug, Clone)]
pub struct MetricsHandle {
    prometheus: PrometheusHandle,
}

impl MetricsHandle {
    /// The full `/metrics` payload in Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        let mut out = self.prometheus.render();
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        crate::process::render(&mut out);
        out
    }
}

/// Installs the global Prometheus recorder for `service`.
///
/// Describes every metric of the catalog (so each gets `# HELP`), sets the
/// buckets of `http_request_duration_seconds` and
/// `http_client_request_duration_seconds`, sets `lookout_build_info{service,version}`
/// to 1 and starts a background thread that drains histogram samples every second.
/// Call it once, before creating any metric; a second call fails.
pub fn install(service: ServiceInfo) -> anyhow::Result<MetricsHandle> {
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(catalog::HTTP_REQUEST_DURATION_SECONDS.to_owned()),
            catalog::HTTP_DURATION_BUCKETS,
        )
        .context("invalid histogram buckets")?
        .set_buckets_for_metric(
            Matcher::Full(catalog::HTTP_CLIENT_REQUEST_DURATION_SECONDS.to_owned()),
            catalog::HTTP_DURATION_BUCKETS,
        )
        .context("invalid histogram buckets")?
        .install_recorder()
        .context("cannot install the Prometheus recorder (installed twice?)")?;
    describe_catalog();
    // At 0 from start-up, tracing on or off, so a rate() over them never starts empty.
    metrics::counter!(catalog::OTEL_SPANS_DROPPED_TOTAL).increment(0);
    metrics::counter!(catalog::OTEL_SPANS_EXPORTED_TOTAL).increment(0);
    metrics::gauge!(
        catalog::LOOKOUT_BUILD_INFO,
        catalog::LABEL_SERVICE => service.name,
        catalog::LABEL_VERSION => service.version,
    )
    .set(1.0);
    let upkeep = prometheus.clone();
    std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || {
            loop {
                std::thread::sleep(UPKEEP_INTERVAL);
                upkeep.run_upkeep();
            }
        })
        .context("cannot start the metrics upkeep thread")?;
    Ok(MetricsHandle { prometheus })
}

/// Registers HELP text for every recorder-backed metric of the catalog; process
/// metrics are rendered with theirs by [`crate::process`].
fn describe_catalog() {
    for spec in catalog::METRICS
        .iter()
        .filter(|spec| !spec.name.starts_with("process_"))
    {
        match spec.kind {
            MetricKind::Counter => metrics::describe_counter!(spec.name, spec.help),
            MetricKind::Gauge => metrics::describe_gauge!(spec.name, spec.help),
            MetricKind::Histogram => metrics::describe_histogram!(spec.name, spec.help),
        }
    }
}
