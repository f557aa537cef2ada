//! Command-line flags of the alert receiver. The shared ones (listen address, port,
//! logging) come from `service_runtime`; every flag has a `LOOKOUT_*` variable.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use service_runtime::config::CommonArgs;
use service_runtime::server::ConnectionArgs;
use service_runtime::tracing_args::TracingArgs;

/// Largest `--capacity`. Memory is bounded by `--max-memory-bytes`; this only keeps
/// the per-notification bookkeeping of many tiny notifications reasonable.
pub const MAX_CAPACITY: usize = 100_000;

/// Smallest `--max-memory-bytes`: every notification the webhook accepts fits. A body
/// is at most 1 MiB, and its stored form can be up to about 1.8 times larger, since
/// optional fields a sender left out are written out (`"annotations":{}` and so on).
pub const MIN_MEMORY_BYTES: usize = 4 * 1024 * 1024;

/// Default `--max-memory-bytes`: 32 MiB, thousands of real notifications.
pub const DEFAULT_MEMORY_BYTES: &str = "32MiB";

/// Largest `--max-label-values`.
pub const MAX_LABEL_VALUES: usize = 10_000;

/// Largest `--max-alerts-answers`.
pub const MAX_ALERTS_ANSWERS: usize = 64;

/// The range of `--webhook-body-timeout` and `--alerts-send-timeout`.
const TIMEOUT_RANGE: std::ops::RangeInclusive<Duration> =
    Duration::from_millis(100)..=Duration::from_secs(3600);

/// Alertmanager webhook receiver that logs, keeps and counts alert notifications.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "alert-receiver", version)]
pub struct Config {
    /// Listen address, port (default: `alert-receiver` in nix/ports.json) and logging.
    #[command(flatten)]
    pub common: CommonArgs,

    /// Header and body timeouts, connection cap, drain timeout (shared with the services).
    #[command(flatten)]
    pub connections: ConnectionArgs,

    /// OpenTelemetry tracing (off unless an OTLP endpoint is set).
    #[command(flatten)]
    pub tracing: TracingArgs,

    /// How many notifications to keep in memory (and reload from --store-file); the
    /// oldest are dropped to make room for a new one.
    #[arg(long, env = "LOOKOUT_CAPACITY", default_value = "1000", value_parser = parse_capacity)]
    pub capacity: NonZeroUsize,

    /// Heap the kept notifications may occupy (as estimated from their data
    /// structures); the oldest are dropped to make room. Work in progress (bodies,
    /// parses, /alerts answers) gets as much again. Bytes, or with a KiB, MiB or GiB
    /// suffix; at least 4MiB.
    #[arg(long, env = "LOOKOUT_MAX_MEMORY_BYTES", default_value = DEFAULT_MEMORY_BYTES,
          value_parser = parse_memory_bytes)]
    pub max_memory_bytes: NonZeroUsize,

    /// Append every accepted notification to this JSON-lines file (synced before
    /// answering) and reload the newest ones within both bounds at start-up. The file
    /// keeps everything; only memory is bounded.
    #[arg(long, env = "LOOKOUT_STORE_FILE")]
    pub store_file: Option<PathBuf>,

    /// Distinct `alertname` (and, separately, `receiver`) label values the metrics
    /// keep; later ones are counted as `other`.
    #[arg(long, env = "LOOKOUT_MAX_LABEL_VALUES", default_value = "100",
          value_parser = parse_max_label_values)]
    pub max_label_values: NonZeroUsize,

    /// How long a webhook body may take to arrive once its headers have; a slower one
    /// gets 408. Reading happens before any parse memory is taken.
    #[arg(long, env = "LOOKOUT_WEBHOOK_BODY_TIMEOUT", default_value = "5s",
          value_parser = parse_timeout)]
    pub webhook_body_timeout: Duration,

    /// Most GET /alerts answers built or sent at once; another request waits up to
    /// 2 s for a slot, then gets 503. Each answer carries at most
    /// max-memory-bytes / 2 / this many bytes.
    #[arg(long, env = "LOOKOUT_MAX_ALERTS_ANSWERS", default_value = "4",
          value_parser = parse_max_alerts_answers)]
    pub max_alerts_answers: NonZeroUsize,

    /// How long a GET /alerts client may take to read its answer; the connection of
    /// one that does not is aborted, freeing the answer.
    #[arg(long, env = "LOOKOUT_ALERTS_SEND_TIMEOUT", default_value = "30s",
          value_parser = parse_timeout)]
    pub alerts_send_timeout: Duration,
}

fn parse_capacity(value: &str) -> Result<NonZeroUsize, String> {
    parse_between_one_and(value, MAX_CAPACITY)
}

fn parse_memory_bytes(value: &str) -> Result<NonZeroUsize, String> {
    let (digits, unit) = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)]
        .into_iter()
        .find_map(|(suffix, unit)| value.strip_suffix(suffix).map(|digits| (digits, unit)))
        .unwrap_or((value, 1));
    let bytes = digits
        .parse::<usize>()
        .ok()
        .and_then(|number| number.checked_mul(unit))
        .ok_or_else(|| {
            format!("{value:?} is not a size (bytes, or a number with KiB, MiB or GiB)")
        })?;
    match NonZeroUsize::new(bytes) {
        Some(bytes) if bytes.get() >= MIN_MEMORY_BYTES => Ok(bytes),
        _ => Err(format!("must be at least 4MiB ({MIN_MEMORY_BYTES} bytes)")),
    }
}

fn parse_max_label_values(value: &str) -> Result<NonZeroUsize, String> {
    parse_between_one_and(value, MAX_LABEL_VALUES)
}

fn parse_max_alerts_answers(value: &str) -> Result<NonZeroUsize, String> {
    parse_between_one_and(value, MAX_ALERTS_ANSWERS)
}

fn parse_timeout(value: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(value)
        .map_err(|e| format!("{value:?} is not a duration such as 5s or 500ms: {e}"))?;
    if TIMEOUT_RANGE.contains(&duration) {
        Ok(duration)
    } else {
        Err("must be between 100ms and 1h".to_owned())
    }
}

fn parse_between_one_and(value: &str, max: usize) -> Result<NonZeroUsize, String> {
    let number: usize = value
        .parse()
        .map_err(|_| format!("{value:?} is not a whole number"))?;
    match NonZeroUsize::new(number) {
        Some(number) if number.get() <= max => Ok(number),
        _ => Err(format!("must be between 1 and {max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn defaults_keep_a_thousand_notifications_in_memory_only() {
        let config = Config::try_parse_from(["alert-receiver"]).expect("parses");
        assert_eq!(config.capacity.get(), 1000);
        assert_eq!(config.max_memory_bytes.get(), 32 * 1024 * 1024);
        assert_eq!(config.store_file, None);
        assert_eq!(config.max_label_values.get(), 100);
        assert_eq!(config.webhook_body_timeout, Duration::from_secs(5));
        assert_eq!(config.max_alerts_answers.get(), 4);
        assert_eq!(config.alerts_send_timeout, Duration::from_secs(30));
    }

    #[test]
    fn rejects_out_of_range_values() {
        for args in [
            ["--capacity", "0"],
            ["--capacity", "100001"],
            ["--capacity", "many"],
            ["--max-label-values", "0"],
            ["--max-label-values", "10001"],
            ["--max-memory-bytes", "4194303"],
            ["--max-memory-bytes", "3MiB"],
            ["--max-memory-bytes", "32MB"],
            ["--max-memory-bytes", "0"],
            ["--max-memory-bytes", "99999999999GiB"],
            ["--max-alerts-answers", "0"],
            ["--max-alerts-answers", "65"],
            ["--webhook-body-timeout", "5"],
            ["--webhook-body-timeout", "99ms"],
            ["--webhook-body-timeout", "2h"],
            ["--alerts-send-timeout", "0s"],
            ["--alerts-send-timeout", "18446744073709551615s"],
        ] {
            let error = Config::try_parse_from(["alert-receiver", args[0], args[1]])
                .expect_err("out of range");
            assert!(error.to_string().contains(args[0]), "{error}");
        }
    }

    #[test]
    fn timeouts_take_human_durations() {
        let config = Config::try_parse_from([
            "alert-receiver",
            "--webhook-body-timeout",
            "1500ms",
            "--alerts-send-timeout",
            "2m",
        ])
        .expect("parses");
        assert_eq!(config.webhook_body_timeout, Duration::from_millis(1500));
        assert_eq!(config.alerts_send_timeout, Duration::from_secs(120));
    }

    #[test]
    fn memory_bytes_take_plain_numbers_and_binary_suffixes() {
        for (value, bytes) in [
            ("4194304", 4 << 20),
            ("4096KiB", 4 << 20),
            ("64MiB", 64 << 20),
            ("2GiB", 2 << 30),
        ] {
            let config = Config::try_parse_from(["alert-receiver", "--max-memory-bytes", value])
                .expect("parses");
            assert_eq!(config.max_memory_bytes.get(), bytes, "{value}");
        }
    }
}
