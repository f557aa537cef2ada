//! Command-line flags of the alert receiver. The shared ones (listen address, port,
//! logging) come from `service_runtime`; every flag has a `LOOKOUT_*` variable.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use service_runtime::config::CommonArgs;

/// Largest `--capacity`: with the 1 MiB body limit this bounds the memory the
/// history can take even if every notification is as large as allowed.
pub const MAX_CAPACITY: usize = 100_000;

/// Largest `--max-label-values`.
pub const MAX_LABEL_VALUES: usize = 10_000;

/// Alertmanager webhook receiver that logs, keeps and counts alert notifications.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "alert-receiver", version)]
pub struct Config {
    /// Listen address, port (default: `alert-receiver` in nix/ports.nix) and logging.
    #[command(flatten)]
    pub common: CommonArgs,

    /// How many notifications to keep in memory (and reload from --store-file); the
    /// oldest is dropped when a new one arrives.
    #[arg(long, env = "LOOKOUT_CAPACITY", default_value = "1000", value_parser = parse_capacity)]
    pub capacity: NonZeroUsize,

    /// Append every accepted notification to this JSON-lines file (synced before
    /// answering) and reload the last --capacity of them at start-up.
    #[arg(long, env = "LOOKOUT_STORE_FILE")]
    pub store_file: Option<PathBuf>,

    /// Distinct `alertname` (and, separately, `receiver`) label values the metrics
    /// keep; later ones are counted as `other`.
    #[arg(long, env = "LOOKOUT_MAX_LABEL_VALUES", default_value = "100",
          value_parser = parse_max_label_values)]
    pub max_label_values: NonZeroUsize,
}

fn parse_capacity(value: &str) -> Result<NonZeroUsize, String> {
    parse_between_one_and(value, MAX_CAPACITY)
}

fn parse_max_label_values(value: &str) -> Result<NonZeroUsize, String> {
    parse_between_one_and(value, MAX_LABEL_VALUES)
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
        assert_eq!(config.store_file, None);
        assert_eq!(config.max_label_values.get(), 100);
    }

    #[test]
    fn rejects_out_of_range_values() {
        for args in [
            ["--capacity", "0"],
            ["--capacity", "100001"],
            ["--capacity", "many"],
            ["--max-label-values", "0"],
            ["--max-label-values", "10001"],
        ] {
            let error = Config::try_parse_from(["alert-receiver", args[0], args[1]])
                .expect_err("out of range");
            assert!(error.to_string().contains(args[0]), "{error}");
        }
    }
}
