//! Command-line flags of the traffic generator, each with a `TRAFFIC_*` variable
//! (logging flags are the shared `LOOKOUT_LOG_*` ones), and their checks: anything
//! invalid is refused before a single request is sent.

use std::time::Duration;

use service_runtime::config::CommonArgs;
use service_runtime::ports;
use service_runtime::tracing_args::TracingArgs;

use crate::duration::{parse_bounded, parse_duration};
use crate::mix::Shares;
use crate::requester::{BaseUrl, Targets};
use crate::runner::Plan;

/// Highest `--rate`: far above what the demo needs, low enough that a typo cannot
/// turn the generator into a load test.
pub const MAX_RATE: f64 = 10_000.0;

/// Lowest `--rate`: one request every 1000 s. Slower rates are no use to a
/// dashboard, and the pacer's schedule (slot n at n / rate seconds) stays far
/// from what a clock can represent.
pub const MIN_RATE: f64 = 0.001;

/// Longest `--duration` (humantime's year, 365.25 days); 0 runs for ever anyway.
pub const MAX_DURATION: Duration = Duration::from_secs(31_557_600);

/// Longest `--timeout`: a request that needs more is a hang, and stopping waits
/// for the requests in flight.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest `--report-interval`.
pub const MAX_REPORT_INTERVAL: Duration = Duration::from_secs(86_400);

/// Default `--max-body-bytes`: twice the 1 MiB that lookout's services answer at
/// most, so a normal answer is never cut.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 2 * 1024 * 1024;

/// Highest `--max-body-bytes`. Bodies are counted and discarded, never kept, so
/// this bounds the time spent on one answer, not memory.
pub const MAX_BODY_BYTES: u64 = 1024 * 1024 * 1024;

/// Highest `--concurrency`. Each request in flight can hold hyper's read buffer
/// (about 0.6 MiB against a server that streams without end), so this bounds the
/// generator's memory to about 180 MiB; 256 requests in flight still carry the
/// highest `--rate` at 25 ms per answer.
pub const MAX_CONCURRENCY: usize = 256;

/// Replays the exercise's curl sequence (reads, 404s, 500s, creates) against
/// user-service and order-service at a steady rate, so dashboards have data and
/// alerts can be triggered on demand. Logs a summary line periodically and at the
/// end; exits 0 when --duration ends or on SIGTERM/ctrl-c.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "traffic-generator", version)]
// The shared flag set includes --listen-address and --port; the generator serves
// nothing, so they are hidden from --help (and ignored) rather than redefining the
// logging flags here.
#[command(mut_arg("listen_address", |arg| arg.hide(true)))]
#[command(mut_arg("port", |arg| arg.hide(true)))]
pub struct Config {
    /// Logging flags: --log-level, --log-format.
    #[command(flatten)]
    pub common: CommonArgs,

    /// OpenTelemetry tracing (off unless an OTLP endpoint is set).
    #[command(flatten)]
    pub tracing: TracingArgs,

    /// Base URL of user-service [default: http://127.0.0.1:<user-service port of nix/ports.json>].
    #[arg(long, env = "TRAFFIC_USER_SERVICE_URL", default_value_t = default_url("user-service"))]
    pub user_service_url: BaseUrl,

    /// Base URL of order-service [default: http://127.0.0.1:<order-service port of nix/ports.json>].
    #[arg(long, env = "TRAFFIC_ORDER_SERVICE_URL", default_value_t = default_url("order-service"))]
    pub order_service_url: BaseUrl,

    /// Requests per second, over both services (e.g. 10, 0.5; from 0.001 to 10000).
    #[arg(long, env = "TRAFFIC_RATE", default_value = "10", value_parser = parse_rate)]
    pub rate: f64,

    /// How long to run (30s, 5m, 1h30m; a bare number is seconds; at most 1y); 0
    /// runs until SIGTERM or ctrl-c.
    #[arg(long, env = "TRAFFIC_DURATION", default_value = "0", value_parser = parse_run_duration)]
    pub duration: Duration,

    /// Share of requests that hit the simulated server error (GET /users/500,
    /// GET /orders/500 → 500). The default stays under every alert (the slow
    /// error-budget burn starts at 0.6%); 0.3 fires HighErrorRate and both burns.
    #[arg(long, env = "TRAFFIC_ERROR_SHARE", default_value = "0.004", value_parser = parse_share)]
    pub error_share: f64,

    /// Share of requests for missing ids (GET /users/999, GET /orders/999 → 404).
    #[arg(long, env = "TRAFFIC_NOT_FOUND_SHARE", default_value = "0.1", value_parser = parse_share)]
    pub not_found_share: f64,

    /// Share of creates (POST /users, POST /orders with the exercise's JSON → 201).
    /// The rest of the mix is GET /users and GET /orders.
    #[arg(long, env = "TRAFFIC_CREATE_SHARE", default_value = "0.05", value_parser = parse_share)]
    pub create_share: f64,

    /// Most requests in flight at once; a slot that finds them all busy is skipped
    /// (and counted), so a slow service never piles up requests.
    #[arg(long, env = "TRAFFIC_CONCURRENCY", default_value = "32", value_parser = parse_concurrency)]
    pub concurrency: usize,

    /// Per-request timeout, answer body included (e.g. 5s, 500ms; at most 5m).
    #[arg(long, env = "TRAFFIC_TIMEOUT", default_value = "5s", value_parser = parse_timeout)]
    pub timeout: Duration,

    /// How often to log the summary line while running (at most 1d).
    #[arg(long, env = "TRAFFIC_REPORT_INTERVAL", default_value = "10s", value_parser = parse_report_interval)]
    pub report_interval: Duration,

    /// Most bytes read of one answer's body; a longer answer is cut there and
    /// counted as an error (`body_too_large`). Bodies are discarded as they are read.
    #[arg(long, env = "TRAFFIC_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES, value_parser = parse_max_body_bytes)]
    pub max_body_bytes: u64,
}

impl Config {
    /// The run these flags describe, after the checks that involve several flags.
    pub fn plan(&self) -> Result<Plan, String> {
        let shares = Shares {
            error: self.error_share,
            not_found: self.not_found_share,
            create: self.create_share,
        }
        .validate()?;
        Ok(Plan {
            targets: Targets {
                users: self.user_service_url.clone(),
                orders: self.order_service_url.clone(),
            },
            rate: self.rate,
            duration: (!self.duration.is_zero()).then_some(self.duration),
            shares,
            concurrency: self.concurrency,
            timeout: self.timeout,
            report_interval: self.report_interval,
            max_body_bytes: self.max_body_bytes,
        })
    }
}

fn default_url(service: &str) -> BaseUrl {
    format!("http://127.0.0.1:{}", ports::default_port(service))
        .parse()
        .expect("a loopback URL with a numeric port always parses")
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    // Written so that NaN fails both comparisons.
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("must be from {MIN_RATE} to {MAX_RATE}"))
    }
}

fn parse_share(text: &str) -> Result<f64, String> {
    let share: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err("must be between 0 and 1".to_owned())
    }
}

fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number from 1 to {MAX_CONCURRENCY}"
        )),
    }
}

fn parse_max_body_bytes(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(n) if (1..=MAX_BODY_BYTES).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number of bytes from 1 to {MAX_BODY_BYTES}"
        )),
    }
}

fn parse_run_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration > MAX_DURATION {
        return Err(format!(
            "must be at most {} (0 runs until stopped)",
            humantime::format_duration(MAX_DURATION)
        ));
    }
    Ok(duration)
}

fn parse_timeout(text: &str) -> Result<Duration, String> {
    parse_bounded(text, MAX_TIMEOUT)
}

fn parse_report_interval(text: &str) -> Result<Duration, String> {
    parse_bounded(text, MAX_REPORT_INTERVAL)
}

#[cfg(test)]
mod tests;
