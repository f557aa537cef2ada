//! Binding and serving: one log line per bound listener, graceful shutdown that
//! stops accepting and lets in-flight requests finish.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

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
