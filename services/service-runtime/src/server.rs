//! Binding and serving: one log line per bound listener, graceful shutdown that
//! stops accepting and lets in-flight requests finish, and [`run_with_admin`], the
//! listener set-up of every service with a fault-control port.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

use crate::ServiceInfo;
use crate::config::CommonArgs;
use crate::faults::AdminArgs;
use crate::ports;
use crate::shutdown::Shutdown;

/// Binds `address` and logs `listening` with the listener's role (`api`, `admin`)
/// and the bound address, which matters when the port was 0.
pub async fn bind(address: SocketAddr, role: &str) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} ({role})"))?;
    let bound = listener
        .local_addr()
        .context("bound listener has no address")?;
    tracing::info!(listener = role, address = %bound, "listening");
    Ok(listener)
}

/// How long in-flight requests may run after the shutdown starts: longer than the
/// largest injected latency, shorter than systemd's default stop timeout (90 s), so
/// a stalled client cannot turn a clean stop into a SIGKILL.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(65);

/// Serves `app` on `listener` until `shutdown` triggers, then waits for the
/// requests in flight to finish (at most [`SHUTDOWN_GRACE`]).
pub async fn serve(listener: TcpListener, app: Router, shutdown: Shutdown) -> anyhow::Result<()> {
    let signal = shutdown.clone();
    let server =
        axum::serve(listener, app).with_graceful_shutdown(async move { signal.wait().await });
    let deadline = async {
        shutdown.wait().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served.context("HTTP server failed"),
        () = deadline => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "requests still in flight after the shutdown grace period; stopping anyway");
            Ok(())
        }
    }
}

/// The two routers of a service with fault control.
#[derive(Debug)]
pub struct ServiceRouters {
    /// Public API, `/health` and `/metrics`, served on `--listen-address`/`--port`.
    pub api: Router,
    /// Fault control, served on the loopback-only `--admin-listen-address`/`--admin-port`.
    pub admin: Router,
}

/// Runs `service` on its public and admin listeners until `shutdown`, then logs
/// `stopped`.
///
/// The addresses default to the `<service>` and `<service>-admin` entries of
/// `nix/ports.nix`. The admin address is checked before anything else, so a
/// non-loopback one fails before any state is built or port bound; `routers` is
/// called once after that check, before binding.
pub async fn run_with_admin(
    service: ServiceInfo,
    common: &CommonArgs,
    admin: &AdminArgs,
    shutdown: Shutdown,
    routers: impl FnOnce() -> ServiceRouters,
) -> anyhow::Result<()> {
    let api_addr = common.socket_addr(ports::default_port(service.name));
    let admin_port_name = format!("{}-admin", service.name);
    let admin_addr = admin.socket_addr(ports::default_port(&admin_port_name))?;
    let routers = routers();
    let api_listener = bind(api_addr, "api").await?;
    let admin_listener = bind(admin_addr, "admin").await?;
    tokio::try_join!(
        serve(api_listener, routers.api, shutdown.clone()),
        serve(admin_listener, routers.admin, shutdown),
    )
    .with_context(|| format!("{} stopped with an error", service.name))?;
    tracing::info!("stopped");
    Ok(())
}
