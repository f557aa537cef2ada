//! Command-line flags of order-service; each has an environment variable.

use std::time::Duration;

use clap::{ArgAction, Parser};
use service_runtime::config::CommonArgs;
use service_runtime::outbound::BaseUrl;
use service_runtime::server::AdminArgs;
use service_runtime::server::ConnectionArgs;
use service_runtime::server::limits::parse_timeout;
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

    /// Base URL of user-service (`http://host:port`). When set, `POST /orders` first
    /// checks the order's `userId` with `GET /users/{id}`: unknown user 422,
    /// user-service down, failing or too slow 503. Unset: no check.
    #[arg(long, env = "LOOKOUT_USER_SERVICE_URL", value_name = "URL")]
    pub user_service_url: Option<BaseUrl>,

    /// Deadline of that check, answer included (`2s`, `500ms`; more than 0, at most 1m).
    #[arg(
        long,
        env = "LOOKOUT_USER_SERVICE_TIMEOUT",
        default_value = "2s",
        value_parser = parse_check_timeout,
        value_name = "DURATION"
    )]
    pub user_service_timeout: Duration,
}

/// Longest accepted `--user-service-timeout`: an order request held longer than
/// this by a stalled peer would outlive any client's patience anyway.
const MAX_USER_SERVICE_TIMEOUT: Duration = Duration::from_secs(60);

/// The services' duration syntax (`500ms`, `2s`, a bare number of seconds), as
/// for their other timeouts, at most [`MAX_USER_SERVICE_TIMEOUT`].
fn parse_check_timeout(text: &str) -> Result<Duration, String> {
    let timeout = parse_timeout(text)?;
    if timeout > MAX_USER_SERVICE_TIMEOUT {
        return Err(format!("{text:?} must be at most 1m"));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_timeouts_are_positive_and_bounded() {
        assert_eq!(parse_check_timeout("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_check_timeout("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_check_timeout("3"), Ok(Duration::from_secs(3)));
        for bad in ["0s", "61s", "2h", "soon"] {
            assert!(parse_check_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_check_is_off_unless_a_url_is_given() {
        let config = Config::parse_from(["order-service"]);
        assert_eq!(config.user_service_url, None);
        assert_eq!(config.user_service_timeout, Duration::from_secs(2));
        let on = Config::parse_from(["order-service", "--user-service-url", "http://h:8001"]);
        assert_eq!(
            on.user_service_url.map(|url| url.to_string()),
            Some("http://h:8001".to_owned())
        );
        let https = Config::try_parse_from(["order-service", "--user-service-url", "https://h"]);
        assert!(https.is_err());
    }
}
