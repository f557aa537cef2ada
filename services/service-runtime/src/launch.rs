//! The start-up sequence of a service binary: the tokio runtime, logging and
//! tracing, the Prometheus recorder, shutdown on SIGTERM/ctrl-c, the last spans
//! flushed after the drain, and a one-line error with a failure exit code instead
//! of a panic or a backtrace.

use std::future::Future;
use std::process::ExitCode;
use std::time::Duration;

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
    run_to_exit(runtime, async {
        // Inside the runtime: the span export task is spawned on it.
        let telemetry = telemetry::init(service, common, tracing)?;
        let metrics = metrics::install(service)?;
        let shutdown = Shutdown::on_signals();
        let served = serve(metrics, shutdown).await;
        telemetry.flush().await;
        served
    })
}

/// How long the exit waits at most for blocking tasks still running.
pub const EXIT_GRACE: Duration = Duration::from_secs(1);

/// Runs `future` on `runtime`, then shuts the runtime down waiting at most
/// [`EXIT_GRACE`] for its blocking tasks. Dropping a runtime waits for them without
/// a deadline, and one can outlive its caller: a host name lookup (reqwest resolves
/// on a blocking thread) stuck after the call's own timeout gave up would hold the
/// exit past systemd's stop timeout.
pub fn run_to_exit<T>(runtime: tokio::runtime::Runtime, future: impl Future<Output = T>) -> T {
    let result = runtime.block_on(future);
    runtime.shutdown_timeout(EXIT_GRACE);
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_blocking_task_still_running_does_not_hold_the_exit() {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let started = Instant::now();
        run_to_exit(runtime, async {
            drop(tokio::task::spawn_blocking(|| {
                std::thread::sleep(Duration::from_secs(30));
            }));
        });
        let waited = started.elapsed();
        assert!(waited < Duration::from_secs(10), "exit waited {waited:?}");
    }
}
