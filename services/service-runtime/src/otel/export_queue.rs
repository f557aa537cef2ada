//! Our span processor and its export task. The SDK's `BatchSpanProcessor` runs its
//! own thread and blocking HTTP client; this one never blocks the thread ending a
//! span (a `try_send` into a bounded queue) and exports from a tokio task with the
//! async reqwest client the services already use. Memory is bounded by the queue
//! plus one batch in flight; every span is counted once, exported or dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use tokio::sync::{mpsc, watch};

use crate::catalog;
use crate::tracing_args::{EXPORT_TIMEOUT, MAX_EXPORT_BATCH};

/// A batch smaller than [`MAX_EXPORT_BATCH`] leaves after this long, so spans reach
/// the collector within about a second under light load.
const BATCH_WINDOW: Duration = Duration::from_secs(1);

/// Spans exported and dropped so far, also counted in the Prometheus counters
/// (kept here too so tests can read them without a global recorder).
#[derive(Debug, Default)]
pub(crate) struct SpanCounts {
    pub(crate) exported: AtomicU64,
    pub(crate) dropped: AtomicU64,
}

impl SpanCounts {
    fn exported(&self, spans: u64) {
        self.exported.fetch_add(spans, Ordering::Relaxed);
        metrics::counter!(catalog::OTEL_SPANS_EXPORTED_TOTAL).increment(spans);
    }

    fn dropped(&self, spans: u64) {
        self.dropped.fetch_add(spans, Ordering::Relaxed);
        metrics::counter!(catalog::OTEL_SPANS_DROPPED_TOTAL).increment(spans);
    }
}

/// The span processor: hands finished spans to the export task, or drops them.
#[derive(Debug)]
pub(crate) struct QueueingProcessor {
    queue: mpsc::Sender<SpanData>,
    counts: Arc<SpanCounts>,
}

impl SpanProcessor for QueueingProcessor {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        // Full (collector slow or down) or closed (shutting down): the span is lost,
        // and counted, rather than waiting or growing the queue.
        if self.queue.try_send(span).is_err() {
            self.counts.dropped(1);
        }
    }

    // Flushing needs the async export task: `Tracing::flush` does it with a deadline.
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// The processor, and the export task's future to spawn. Setting `stop` to true
/// makes the task export what is queued and end.
pub(crate) fn queue<E>(
    exporter: E,
    capacity: usize,
    stop: watch::Receiver<bool>,
) -> (
    QueueingProcessor,
    Arc<SpanCounts>,
    impl Future<Output = ()> + Send,
)
where
    E: SpanExporter + 'static,
{
    let (sender, receiver) = mpsc::channel(capacity);
    let counts = Arc::new(SpanCounts::default());
    let processor = QueueingProcessor {
        queue: sender,
        counts: Arc::clone(&counts),
    };
    let task = export_until_stopped(exporter, receiver, stop, Arc::clone(&counts));
    (processor, counts, task)
}

async fn export_until_stopped<E: SpanExporter>(
    exporter: E,
    mut queue: mpsc::Receiver<SpanData>,
    mut stop: watch::Receiver<bool>,
    counts: Arc<SpanCounts>,
) {
    let mut failing = false;
    loop {
        let mut batch = Vec::with_capacity(MAX_EXPORT_BATCH);
        let stopping = collect(&mut queue, &mut stop, &mut batch).await;
        export(&exporter, batch, &counts, &mut failing).await;
        if stopping {
            break;
        }
    }
    // From now on spans ending are refused (and counted); those queued still go.
    queue.close();
    loop {
        let mut batch = Vec::with_capacity(MAX_EXPORT_BATCH);
        if queue.recv_many(&mut batch, MAX_EXPORT_BATCH).await == 0 {
            return;
        }
        export(&exporter, batch, &counts, &mut failing).await;
    }
}

/// Fills `batch` until it is full or the window ends; true once stopping.
async fn collect(
    queue: &mut mpsc::Receiver<SpanData>,
    stop: &mut watch::Receiver<bool>,
    batch: &mut Vec<SpanData>,
) -> bool {
    let window = tokio::time::sleep(BATCH_WINDOW);
    tokio::pin!(window);
    loop {
        tokio::select! {
            received = queue.recv_many(batch, MAX_EXPORT_BATCH - batch.len()) => {
                if received == 0 {
                    return true; // every sender is gone
                }
                if batch.len() >= MAX_EXPORT_BATCH {
                    return false;
                }
            }
            () = &mut window => return false,
            _ = stop.wait_for(|stop| *stop) => return true,
        }
    }
}

/// One export under [`EXPORT_TIMEOUT`]; a failure or a timeout drops the batch
/// (no retry queue, which would grow while the collector is down). Logs only when
/// the export starts or stops failing, not once per batch.
async fn export<E: SpanExporter>(
    exporter: &E,
    batch: Vec<SpanData>,
    counts: &SpanCounts,
    failing: &mut bool,
) {
    if batch.is_empty() {
        return;
    }
    let spans = batch.len() as u64;
    let error = match tokio::time::timeout(EXPORT_TIMEOUT, exporter.export(batch)).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => Some(error.to_string()),
        Err(_) => Some(format!("no answer within {EXPORT_TIMEOUT:?}")),
    };
    match error {
        None => {
            counts.exported(spans);
            if std::mem::take(failing) {
                tracing::info!("span export works again");
            }
        }
        Some(error) => {
            counts.dropped(spans);
            if !std::mem::replace(failing, true) {
                tracing::warn!(%error, spans, "span export failed; spans are dropped and counted until it works");
            }
        }
    }
}
