//! Logging and tracing set-up: `tracing` events to stdout, as text or JSON lines,
//! filtered by an EnvFilter directive (`--log-level`); with an OTLP endpoint, spans
//! exported through `tracing-opentelemetry` and JSON lines carrying `trace_id` and
//! `span_id`.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::Context;
use tracing::Subscriber;
use tracing_subscriber::filter::FilterExt;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry, filter};

use crate::ServiceInfo;
use crate::config::{CommonArgs, LogFormat};
use crate::otel::Tracing;
use crate::otel::log_ids::JsonWithTraceIds;
use crate::otel::sampling::SpanFilter;
use crate::tracing_args::TracingArgs;

/// How long [`Telemetry::flush`] waits at most for the last spans: one export.
pub const FLUSH_DEADLINE: Duration = crate::tracing_args::EXPORT_TIMEOUT;

/// What [`init`] started; flush it when the service has drained.
#[derive(Debug)]
pub struct Telemetry {
    tracing: Option<Tracing>,
}

impl Telemetry {
    /// Whether spans are exported.
    pub fn tracing_enabled(&self) -> bool {
        self.tracing.is_some()
    }

    /// Exports the spans still queued, within [`FLUSH_DEADLINE`]; a no-op without tracing.
    pub async fn flush(self) {
        if let Some(tracing) = self.tracing {
            tracing.flush(FLUSH_DEADLINE).await;
        }
    }
}

/// Installs the global `tracing` subscriber for `service`.
///
/// `common.log_level` is an EnvFilter directive (`info`, `debug`, `info,hyper=debug`,
/// ...). Text output uses colour only when stdout is a terminal, so journald gets
/// plain lines. With an OTLP endpoint in `tracing`, spans are exported too; this
/// then must run inside a tokio runtime. Fails on an invalid directive, an exporter
/// that cannot be built, or if a subscriber is already installed.
pub fn init(
    service: ServiceInfo,
    common: &CommonArgs,
    tracing: &TracingArgs,
) -> anyhow::Result<Telemetry> {
    let (subscriber, telemetry) = subscriber(
        service,
        &common.log_level,
        common.log_format,
        tracing,
        std::io::stdout,
    )?;
    subscriber
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))?;
    Ok(telemetry)
}

type BoxedLayer = Box<dyn Layer<Registry> + Send + Sync>;

/// The subscriber [`init`] installs, writing logs to `writer` (tests capture them).
pub(crate) fn subscriber<W>(
    service: ServiceInfo,
    level: &str,
    format: LogFormat,
    tracing: &TracingArgs,
    writer: W,
) -> anyhow::Result<(impl Subscriber + Send + Sync + 'static, Telemetry)>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_new(level).with_context(|| format!("invalid --log-level {level:?}"))?;
    let mut layers: Vec<BoxedLayer> = vec![log_layer(format, writer, filter)];
    let mut started = None;
    if let Some(endpoint) = tracing.traces_endpoint() {
        let (running, tracer) = Tracing::start(service, &endpoint, tracing)?;
        started = Some(running);
        layers.push(
            tracing_opentelemetry::layer()
                .with_tracer(tracer)
                // Lean spans: no source location, thread or busy/idle attributes.
                .with_location(false)
                .with_threads(false)
                .with_target(false)
                .with_tracked_inactivity(false)
                // Also carries the root sample ratio (`otel::sampling`).
                .with_filter(SpanFilter::new(tracing.trace_sample_ratio))
                .boxed(),
        );
    }
    let telemetry = Telemetry { tracing: started };
    Ok((tracing_subscriber::registry().with(layers), telemetry))
}

/// The log lines. Spans are kept out of them: the request span would otherwise
/// prefix every text line inside a request and add fields to JSON ones.
fn log_layer<W>(format: LogFormat, writer: W, filter: EnvFilter) -> BoxedLayer
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = filter.and(filter::filter_fn(|metadata| !metadata.is_span()));
    let layer = tracing_subscriber::fmt::layer().with_writer(writer);
    match format {
        LogFormat::Text => layer
            .with_ansi(std::io::stdout().is_terminal())
            .with_filter(filter)
            .boxed(),
        LogFormat::Json => {
            let json = tracing_subscriber::fmt::format()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false);
            layer
                .json()
                .event_format(JsonWithTraceIds { inner: json })
                .with_filter(filter)
                .boxed()
        }
    }
}

#[cfg(test)]
mod tests;
