//! What every lookout service does the same way: configuration basics, logging,
//! the Prometheus recorder and `/metrics`, the HTTP metrics middleware, `/health`,
//! JSON errors, fault injection, and serving with graceful shutdown.
//!
//! # Using it in a service
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use clap::Parser;
//! use service_runtime::{ServiceInfo, config::CommonArgs, faults::Faults};
//! use service_runtime::server::{AdminArgs, ConnectionArgs, ServiceRouters, run_with_admin};
//! use service_runtime::tracing_args::TracingArgs;
//!
//! // The name needs `user-service` and `user-service-admin` style entries in nix/ports.json.
//! const SERVICE: ServiceInfo = ServiceInfo { name: "user-service", version: env!("CARGO_PKG_VERSION") };
//!
//! #[derive(Parser)]
//! struct Config {
//!     #[command(flatten)]
//!     common: CommonArgs,
//!     #[command(flatten)]
//!     admin: AdminArgs,
//!     #[command(flatten)]
//!     connections: ConnectionArgs,
//!     #[command(flatten)]
//!     tracing: TracingArgs,
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     let config = Config::parse();
//!     let (common, tracing) = (config.common.clone(), config.tracing.clone());
//!     // The runtime, logging and tracing, the recorder (installed BEFORE any state,
//!     // so gauges set at start-up are kept), SIGTERM/ctrl-c, the last spans flushed,
//!     // and a one-line error on failure.
//!     service_runtime::main(SERVICE, &common, &tracing, |metrics, shutdown| async move {
//!         run_with_admin(SERVICE, &config.common, &config.admin, &config.connections, shutdown, || {
//!             let faults = Faults::default();
//!             let business = Router::new().route("/things", get(|| async { "[]" }));
//!             ServiceRouters {
//!                 admin: faults.admin_router(),
//!                 api: service_runtime::http::instrument_with_faults(business, SERVICE, metrics, faults),
//!             }
//!         })
//!         .await
//!     })
//! }
//! ```
//!
//! # Modules
//! - [`ports`]: `default_port("user-service")`, read from `nix/ports.json` at compile time.
//! - [`business`]: [`business::OperationCounters`] and
//!   [`business::ApplicationErrorCounters`], every series registered at 0 at start-up.
//! - [`catalog`]: every metric and label name of the contract, and [`catalog::METRICS`].
//! - [`config`]: [`config::CommonArgs`] (`--listen-address`, `--port`, `--log-level`,
//!   `--log-format`, with `LOOKOUT_*` env vars).
//! - [`tracing_args`]: [`tracing_args::TracingArgs`] (`--otlp-endpoint`,
//!   `--trace-sample-ratio`, `--otlp-queue-spans`, the standard `OTEL_*` variables).
//! - [`telemetry`]: `init(service, common, tracing)`, text or JSON lines on stdout,
//!   and, with an OTLP endpoint, spans exported over OTLP/HTTP through a bounded
//!   queue (`otel_spans_exported_total`, `otel_spans_dropped_total`); JSON lines
//!   logged while a traced request runs carry `trace_id` and `span_id`.
//! - [`trace_context`]: `inject(&mut HeaderMap)`, the current span's `traceparent`
//!   for an outgoing request (in a request that was not sampled, its context, flags `00`).
//! - [`metrics`]: `install(ServiceInfo) -> MetricsHandle` (global recorder, HELP for
//!   every catalog metric, buckets, `lookout_build_info`), `MetricsHandle::render()`.
//! - [`http`]: `instrument(router, service, metrics)` adds `/health`, `/metrics`, the
//!   HTTP metrics, a server span per request when tracing is on (the incoming
//!   `traceparent` honoured), JSON 404/405/413 and the 64 KiB body limit;
//!   `instrument_with_faults(router, service, metrics, faults)` also injects faults
//!   into the router's own routes.
//! - [`fields`]: input rules both services share: plain decimal ids
//!   ([`fields::plain_decimal`]) and byte-bounded text without control characters
//!   ([`fields::check_text`]).
//! - [`pagination`]: `limit`/`offset` of `GET /users` and `GET /orders`
//!   ([`pagination::PageRequest`]), the page taken under the store lock and written
//!   as JSON after it ([`pagination::Page`]), and the 1 MiB bound of every answer.
//! - [`errors`]: [`errors::ApiError`], answered as `{"error": "..."}`, and
//!   `json_errors(router)`: JSON errors and the body limit without metrics.
//! - [`faults`]: [`faults::Faults`] (latency and error injection for business routes),
//!   and its loopback-only admin router (403 JSON for a non-loopback `Host` or `Origin`).
//! - [`server`]: `bind(addr, role)` (logs `listening` with the address), `serve(listener,
//!   app, limits, shutdown)` (HTTP/1.1 under [`server::ConnectionArgs`]: header and body
//!   timeouts, `--max-connections`, drain timeout; connection errors counted in
//!   `http_connection_errors_total{kind}`), and `run_with_admin(service, common, admin,
//!   limits, shutdown, routers)`: both listeners (admin flags: [`server::AdminArgs`]) of a service with fault control, admin
//!   loopback-checked before anything is bound.
//! - [`launch`]: [`main`]`(service, common, serve)`, the start-up sequence of a service
//!   binary (logging, recorder, runtime, signals, one-line error and exit code).
//! - [`outbound`]: calls to peer services as mesh edges: [`outbound::EdgeClient`]
//!   (reqwest, a deadline per call, bounded body), a client span with `traceparent`
//!   injected, and `http_client_requests_total` /
//!   `http_client_request_duration_seconds` per `peer`.
//! - [`shutdown`]: [`shutdown::Shutdown`], triggered by SIGTERM/ctrl-c or by hand.
//! - `span_capture` (feature `testing`): `CapturedSpans::on_this_thread()`, the
//!   spans code under test ends, through the real OpenTelemetry layer and SDK.
//! - `testing` (feature `testing`, for integration tests): `Spawned` (the real binary
//!   on free ports, listeners read from its JSON `listening` lines), `request` (reqwest,
//!   HTTP/1.1), `Scrape` (`/metrics` parsing) and `testing::checks`, the contract
//!   checks every service passes (promtool, cardinality, JSON errors, faults, SIGTERM).

pub mod business;
pub mod catalog;
pub mod config;
pub mod errors;
pub mod faults;
pub mod fields;
pub mod http;
mod http_metrics;
mod http_span;
pub mod launch;
pub mod metrics;
mod otel;
pub mod outbound;
pub mod pagination;
pub mod ports;
mod process;
pub mod server;
pub mod shutdown;
#[cfg(any(test, feature = "testing"))]
pub mod span_capture;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trace_context;
pub mod tracing_args;

pub use launch::main;

/// Identity of a service: its name (also the Prometheus `job`, the binary, the
/// systemd unit) and its version, exported in `lookout_build_info`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceInfo {
    /// Service name, e.g. `user-service`.
    pub name: &'static str,
    /// Version, usually `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
}
