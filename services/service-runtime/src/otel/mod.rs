//! OpenTelemetry tracing: the tracer provider (resource, parent-based sampling,
//! roots drawn in [`sampling`], W3C propagation) exporting over OTLP/HTTP through our bounded queue
//! ([`export_queue`]), and [`Tracing`], which flushes it at shutdown.

pub(crate) mod export_queue;
pub(crate) mod log_ids;
pub(crate) mod sampling;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use opentelemetry::KeyValue;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{Sampler, SdkTracer, SdkTracerProvider, SpanExporter};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::ServiceInfo;
use crate::tracing_args::{EXPORT_TIMEOUT, TracingArgs};

use export_queue::SpanCounts;

/// Name of the instrumentation scope of every lookout span.
const SCOPE: &str = "lookout";

/// The running exporter: flush it once the service has drained.
#[derive(Debug)]
pub(crate) struct Tracing {
    provider: SdkTracerProvider,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    counts: Arc<SpanCounts>,
}

impl Tracing {
    /// Starts the OTLP/HTTP exporter to `endpoint` (the full traces URL) and returns
    /// the tracer for the `tracing-opentelemetry` layer. Sets the global W3C trace
    /// context propagator. Must run inside a tokio runtime (the export task).
    pub(crate) fn start(
        service: ServiceInfo,
        endpoint: &str,
        args: &TracingArgs,
    ) -> anyhow::Result<(Self, SdkTracer)> {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(endpoint)
            .with_protocol(Protocol::HttpBinary)
            .with_timeout(EXPORT_TIMEOUT)
            .build()
            .with_context(|| format!("cannot set up the OTLP exporter to {endpoint}"))?;
        Ok(Self::with_exporter(service, exporter, args))
    }

    /// The rest of [`Tracing::start`], once the exporter is built.
    fn with_exporter<E: SpanExporter + 'static>(
        service: ServiceInfo,
        mut exporter: E,
        args: &TracingArgs,
    ) -> (Self, SdkTracer) {
        let resource = Resource::builder()
            .with_service_name(service.name)
            .with_attribute(KeyValue::new("service.version", service.version))
            .build();
        // The provider would hand the resource to its processors; ours keeps the
        // exporter in its task, so the exporter gets it here.
        exporter.set_resource(&resource);
        let (stop, stopped) = watch::channel(false);
        let (processor, counts, export) =
            export_queue::queue(exporter, args.otlp_queue_spans, stopped);
        let task = tokio::spawn(export);
        // Roots are drawn before their span is built (`sampling`), at
        // `--trace-sample-ratio`; the SDK only follows the parent.
        let sampler = Sampler::ParentBased(Box::new(Sampler::AlwaysOn));
        let provider = SdkTracerProvider::builder()
            .with_resource(resource)
            .with_sampler(sampler)
            .with_span_processor(processor)
            .build();
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let tracer = provider.tracer(SCOPE);
        let tracing = Self {
            provider,
            stop,
            task,
            counts,
        };
        (tracing, tracer)
    }

    /// Exports the spans still queued, waiting at most `deadline`, then stops the
    /// provider (later spans are not recorded). Spans left when the deadline
    /// passes are lost with the process.
    pub(crate) async fn flush(self, deadline: Duration) {
        let Self {
            provider,
            stop,
            mut task,
            counts,
        } = self;
        stop.send_replace(true);
        if tokio::time::timeout(deadline, &mut task).await.is_err() {
            task.abort();
            tracing::warn!(?deadline, "span export not finished at shutdown");
        }
        let _ = provider.shutdown();
        tracing::debug!(
            exported = counts.exported.load(Ordering::Relaxed),
            dropped = counts.dropped.load(Ordering::Relaxed),
            "span export stopped"
        );
    }

    /// Spans exported and dropped so far, also after [`Tracing::flush`].
    #[cfg(test)]
    pub(crate) fn counts(&self) -> Arc<SpanCounts> {
        Arc::clone(&self.counts)
    }
}
