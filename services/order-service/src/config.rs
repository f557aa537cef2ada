//! Command-line flags of order-service; each has an environment variable.

use clap::{ArgAction, Parser};
use service_runtime::config::CommonArgs;
use service_runtime::server::AdminArgs;
use service_runtime::server::ConnectionArgs;
use service_runtime::tracing_args::TracingArgs;

/// order-service: the exercise's order API (GET/POST /orders, GET /orders/{id}) with
/// Prometheus metrics on /metrics and fault control on a loopback admin port.
#[derive(Debug, Clone, Parser)]
#[command(name = "order-service", version, about)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub admin: AdminArgs,

    #[command(flatten)]
    pub connections: ConnectionArgs,

    #[command(flatten)]
    pub tracing: TracingArgs,

    /// Simulate the exercise's database latency (GET /orders 0-100 ms); `false` for
    /// benchmarks.
    #[arg(
        long,
        env = "LOOKOUT_SIMULATED_LATENCY",
        default_value_t = true,
        action = ArgAction::Set,
        value_name = "true|false"
    )]
    pub simulated_latency: bool,

    /// Most orders kept in memory; creating more answers 507 until restart.
    #[arg(long, env = "LOOKOUT_MAX_ORDERS", default_value_t = 10_000)]
    pub max_orders: usize,
}
