//! What every lookout service does the same way: configuration basics, logging,
//! the Prometheus recorder and `/metrics`, the HTTP metrics middleware, `/health`,
//! JSON errors, fault injection, and serving with graceful shutdown.
//!
//! # Using it in a service
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use clap::Parser;
//! use service_runtime::{ServiceInfo, config::CommonArgs, faults::{AdminArgs, Faults}};
//!
//! const SERVICE: ServiceInfo = ServiceInfo { name: "demo-service", version: env!("CARGO_PKG_VERSION") };
//!
//! #[derive(Parser)]
//! struct Config {
//!     #[command(flatten)]
//!     common: CommonArgs,
//!     #[command(flatten)]
//!     admin: AdminArgs,
//! }
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let config = Config::parse();
//! service_runtime::telemetry::init(&config.common.log_level, config.common.log_format)?;
//! // Install the recorder BEFORE creating state, so gauges set at start-up are kept.
//! let metrics = service_runtime::metrics::install(SERVICE)?;
//! let shutdown = service_runtime::shutdown::Shutdown::on_signals();
//!
//! let faults = Faults::default();
//! let business = Router::new().route("/things", get(|| async { "[]" }));
//! let app = service_runtime::http::instrument_with_faults(business, SERVICE, metrics, faults.clone());
//!
//! let api = service_runtime::server::bind(config.common.socket_addr(8000), "api").await?;
//! let admin_addr = config.admin.socket_addr(8010)?;
//! let admin = service_runtime::server::bind(admin_addr, "admin").await?;
//! tokio::try_join!(
//!     service_runtime::server::serve(api, app, shutdown.clone()),
//!     service_runtime::server::serve(admin, faults.admin_router(), shutdown.clone()),
//! )?;
//! # Ok(()) }
//! ```
//!
//! # Modules
//! - [`ports`]: `default_port("user-service")`, read from `nix/ports.nix` at compile time.
//! - [`catalog`]: every metric and label name of the contract, and [`catalog::METRICS`].
//! - [`config`]: [`config::CommonArgs`] (`--listen-address`, `--port`, `--log-level`,
//!   `--log-format`, with `LOOKOUT_*` env vars).
//! - [`telemetry`]: `init(level, format)`, text or JSON lines on stdout.
//! - [`metrics`]: `install(ServiceInfo) -> MetricsHandle` (global recorder, HELP for
//!   every catalog metric, buckets, `lookout_build_info`), `MetricsHandle::render()`.
//! - [`http`]: `instrument(router, service, metrics)` adds `/health`, `/metrics`, the
//!   HTTP metrics, JSON 404/405/413 and the 64 KiB body limit;
//!   `instrument_with_faults(router, service, metrics, faults)` also injects faults
//!   into the router's own routes; `json_errors(router)` does the JSON part alone.
//! - [`errors`]: [`errors::ApiError`], answered as `{"error": "..."}`.
//! - [`faults`]: [`faults::Faults`] (latency and error injection for business routes),
//!   its loopback-only admin router and [`faults::AdminArgs`].
//! - [`server`]: `bind(addr, role)` (logs `listening` with the address), `serve(listener,
//!   app, shutdown)` (graceful).
//! - [`shutdown`]: [`shutdown::Shutdown`], triggered by SIGTERM/ctrl-c or by hand.
//! - `testing` (feature `testing`, for integration tests): `Spawned` (the real binary
//!   on free ports, listeners read from its JSON `listening` lines), `request` (plain
//!   HTTP/1.1), `Scrape` (`/metrics` parsing) and `testing::checks`, the contract
//!   checks every service passes (promtool, cardinality, JSON errors, faults, SIGTERM).

pub mod catalog;
pub mod config;
pub mod errors;
pub mod faults;
pub mod http;
mod http_metrics;
pub mod metrics;
pub mod ports;
mod process;
pub mod server;
pub mod shutdown;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

/// Identity of a service: its name (also the Prometheus `job`, the binary, the
/// systemd unit) and its version, exported in `lookout_build_info`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceInfo {
    /// Service name, e.g. `user-service`.
    pub name: &'static str,
    /// Version, usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
}
