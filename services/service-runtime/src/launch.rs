//! The start-up sequence of a service binary: logging, the Prometheus recorder, the
//! tokio runtime, shutdown on SIGTERM/ctrl-c, and a one-line error with a failure
//! exit code instead of a panic or a backtrace.

use std::future::Future;
use std::process::ExitCode;

use crate::ServiceInfo;
use crate::config::CommonArgs;
use crate::metrics::{self, MetricsHandle};
use crate::shutdown::Shutdown;
use crate::telemetry;

/// Body of a service's `fn main`: sets up logging from `common`, installs the
/// recorder (before `serve` builds any state, so gauges set at start-up are kept),
/// starts a multi-threaded runtime and runs `serve` with a shutdown switch that
/// SIGTERM and ctrl-c flip.
///
/// Returns success when `serve` ends cleanly; otherwise prints
/// `<service>: <error chain>` on stderr and returns failure.
pub fn main<F, Fut>(service: ServiceInfo, common: &CommonArgs, serve: F) -> ExitCode
where
    F: FnOnce(MetricsHandle, Shutdown) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    match start(service, common, serve) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}: {error:#}", service.name);
            ExitCode::FAILURE
        }
    }
}

fn start<F, Fut>(service: ServiceInfo, common: &CommonArgs, serve: F) -> anyhow::Result<()>
where
    F: FnOnce(MetricsHandle, Shutdown) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    telemetry::init(&common.log_level, common.log_format)?;
    let metrics = metrics::install(service)?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let shutdown = Shutdown::on_signals();
        serve(metrics, shutdown).await
    })
}
