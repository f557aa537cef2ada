//! Command-line flags of user-service; each has an environment variable.

use clap::{ArgAction, Parser};
use service_runtime::config::CommonArgs;
use service_runtime::server::AdminArgs;
use service_runtime::server::ConnectionArgs;
use service_runtime::tracing_args::TracingArgs;

/// user-service: the exercise's user API (GET/POST /users, GET /users/{id}) with
/// Prometheus metrics on /metrics and fault control on a loopback admin port.
#[derive(Debug, Clone, Parser)]
#[command(name = "user-service", version, about)]
pub struct Config {
    #[command(flatten)]
    pub common: CommonArgs,

    #[command(flatten)]
    pub admin: AdminArgs,

    #[command(flatten)]
    pub connections: ConnectionArgs,

    #[command(flatten)]
    pub tracing: TracingArgs,

    /// Simulate the exercise's database latency (GET /users 10-100 ms, POST /users
    /// 50-200 ms); `false` for benchmarks.
    #[arg(
        long,
        env = "LOOKOUT_SIMULATED_LATENCY",
        default_value_t = true,
        action = ArgAction::Set,
        value_name = "true|false"
    )]
    pub simulated_latency: bool,

    /// Most users kept in memory; creating more answers 507 until restart.
    #[arg(long, env = "LOOKOUT_MAX_USERS", default_value_t = 10_000)]
    pub max_users: usize,
}
