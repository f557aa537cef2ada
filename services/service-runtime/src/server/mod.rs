//! Binding and serving. Every listener of lookout (public API, fault control, alert
//! receiver) is served by [`serve`]: HTTP/1.1 with hyper, each connection under the
//! limits of [`ConnectionArgs`] (header and body timeouts, a connection cap that
//! refuses the excess at once), connection errors counted, and a shutdown that stops
//! accepting, closes idle and half-sent connections at once and gives requests in
//! flight at most the drain timeout. [`run_with_admin`] sets up both listeners of a
//! service with a fault-control port.

mod activity;
mod admin;
mod bodies;
pub mod conn_errors;
mod connection;
pub mod limits;
mod write_deadline;

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use admin::AdminArgs;
pub use connection::{MAX_HEAD_BYTES, MAX_HEADERS};
pub use limits::ConnectionArgs;

use crate::ServiceInfo;
use crate::config::CommonArgs;
use crate::ports;
use crate::shutdown::Shutdown;
use connection::Served;

/// How long the accept loop pauses after `accept` fails for lack of resources
/// (EMFILE and the like), so it never spins while connections are released.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Least time between two warnings about refused connections or failed accepts.
const WARN_INTERVAL: Duration = Duration::from_secs(10);

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

/// Serves `app` on `listener` under `limits` until `shutdown` triggers, then closes
/// the listener and every connection not handling a complete request, and waits for
/// the others at most `limits.drain_timeout`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: &ConnectionArgs,
    shutdown: Shutdown,
) -> anyhow::Result<()> {
    conn_errors::register();
    let served = Arc::new(Served::new(app, limits, shutdown.clone()));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = JoinSet::new();
    let mut refused_warning = conn_errors::Throttled::new(WARN_INTERVAL);
    let mut accept_warning = conn_errors::Throttled::new(WARN_INTERVAL);
    let stop = shutdown.wait();
    tokio::pin!(stop);
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        while connections.try_join_next().is_some() {}
        match accepted {
            Ok((stream, _)) => match slots.clone().try_acquire_owned() {
                Ok(slot) => {
                    connections.spawn(connection::serve(stream, served.clone(), slot));
                }
                Err(_) => {
                    refuse(&stream);
                    if refused_warning.ready() {
                        tracing::warn!(
                            max_connections = limits.max_connections,
                            "connection cap reached; refusing connections"
                        );
                    }
                }
            },
            Err(error) if is_per_connection(&error) => {}
            Err(error) => {
                conn_errors::count(conn_errors::ACCEPT_FAILED);
                if accept_warning.ready() {
                    tracing::warn!(%error, "accept failed; backing off");
                }
                tokio::select! {
                    () = &mut stop => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => {}
                }
            }
        }
    }
    drop(listener);
    drain(connections, limits.drain_timeout).await;
    Ok(())
}

/// Answers a connection over the cap with a 503 if the socket takes it at once,
/// and closes it.
fn refuse(stream: &TcpStream) {
    conn_errors::count(conn_errors::OVER_CAPACITY);
    let _ = stream.try_write(conn_errors::OVER_CAPACITY_RESPONSE);
}

/// Errors that concern one incoming connection only (it was reset before being
/// accepted): the next accept may succeed at once.
fn is_per_connection(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionRefused
            | ErrorKind::Interrupted
    )
}

/// Waits for the remaining connections at most `timeout`, then drops them.
async fn drain(mut connections: JoinSet<()>, timeout: Duration) {
    let all_done = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(timeout, all_done).await.is_err() {
        tracing::warn!(
            remaining = connections.len(),
            ?timeout,
            "requests still in flight after the drain timeout; closing them"
        );
        connections.abort_all();
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
/// `stopped`. Both listeners take the timeouts of `limits`; the admin one has its
/// own connection cap (`--admin-max-connections`).
///
/// The addresses default to the `<service>` and `<service>-admin` entries of
/// `nix/ports.json`. The admin address is checked before anything else, so a
/// non-loopback one fails before any state is built or port bound; `routers` is
/// called once after that check, before binding.
pub async fn run_with_admin(
    service: ServiceInfo,
    common: &CommonArgs,
    admin: &AdminArgs,
    limits: &ConnectionArgs,
    shutdown: Shutdown,
    routers: impl FnOnce() -> ServiceRouters,
) -> anyhow::Result<()> {
    let api_addr = common.socket_addr(ports::default_port(service.name));
    let admin_port_name = format!("{}-admin", service.name);
    let admin_addr = admin.socket_addr(ports::default_port(&admin_port_name))?;
    let routers = routers();
    let api_listener = bind(api_addr, "api").await?;
    let admin_listener = bind(admin_addr, "admin").await?;
    let admin_limits = limits.with_max_connections(admin.admin_max_connections);
    tokio::try_join!(
        serve(api_listener, routers.api, limits, shutdown.clone()),
        serve(admin_listener, routers.admin, &admin_limits, shutdown),
    )
    .with_context(|| format!("{} stopped with an error", service.name))?;
    tracing::info!("stopped");
    Ok(())
}
