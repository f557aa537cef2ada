//! The start-up sequence of a service binary: the tokio runtime, logging and
//! tracing, the Prometheus recorder, shutdown on SIGTERM/ctrl-c, the last spans
//! flushed after the drain, and a one-line error with a failure exit code instead
//! of a panic or a backtrace.

use std::future::Future;
use std::process::ExitCode;

use crate::ServiceInfo;
use crate::config::CommonArgs;
use crate::metrics::{self, MetricsHandle};
use crate::shutdown::Shutdown;
use crate::telemetry;
use crate::tracing_args::TracingArgs;

/// Body of a service's `fn main`: starts a multi-threaded runtime, sets up logging
/// from `common` and tracing from `tracing`, installs the recorder (before `serve`
/// builds any state, so gauges set at start-up are kept) and runs `serve` with a
/// shutdown switch that SIGTERM and ctrl-c flip. Once `serve` has drained, the
/// spans still queued are exported within a deadline.
///
/// Returns success when `serve` ends cleanly; otherwise prints
/// `<service>: <error chain>` on stderr and returns failure.
pub fn main<F, Fut>(
    service: ServiceInfo,
    common: &CommonArgs,
    tracing: &TracingArgs,
    serve: F,
) -> ExitCode
where
    F: FnOnce(MetricsHandle, Shutdown) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    match start(service, common, tracing, serve) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}: {error:#}", service.name);
            ExitCode::FAILURE
        }
    }
}

fn start<F, Fut>(
    service: ServiceInfo,
    common: &CommonArgs,
    tracing: &TracingArgs,
    serve: F,
) -> anyhow::Result<()>
where
    F: FnOnce(MetricsHandle, Shutdown) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        // Inside the runtime: the span export task is spawned on it.
        let telemetry = telemetry::init(service, common, tracing)?;
        let metrics = metrics::install(service)?;
        let shutdown = Shutdown::on_signals();
        let served = serve(metrics, shutdown).await;
        telemetry.flush().await;
        served
    })
}
