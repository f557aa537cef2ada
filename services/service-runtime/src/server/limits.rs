//! The connection limits every lookout server applies, as flags: how long a client
//! may take to send a request head and a body, how many connections may be open at
//! once, and how long requests in flight may run after SIGTERM.

use std::time::Duration;

/// Default `--max-connections`: well below the `LimitNOFILE` the NixOS modules set
/// (and below systemd's default soft limit of 1024 open files), so the process
/// never runs out of descriptors because of clients.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// Default `--admin-max-connections`: the fault-control port has one client, a human
/// or a one-shot unit.
pub const DEFAULT_ADMIN_MAX_CONNECTIONS: usize = 16;

/// Largest accepted timeout: a longer one would let a client hold a slot for hours.
const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// Connection limits of a server; flatten into the config of every binary that
/// serves HTTP.
#[derive(Debug, Clone, clap::Args)]
pub struct ConnectionArgs {
    /// Time a client has to send a complete request head (request line and headers),
    /// counted from the moment the connection waits for one: when it is accepted and
    /// again after every response, so it is also the keep-alive idle timeout.
    /// `500ms`, `10s` or `2m`; a bare number is seconds.
    #[arg(long, env = "LOOKOUT_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub header_timeout: Duration,

    /// Time a client has to send a request body once its head has arrived; a late
    /// body is answered 408 and the connection closed.
    #[arg(long, env = "LOOKOUT_BODY_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub body_timeout: Duration,

    /// Connections served at once on the main port; one more is answered 503 and
    /// closed at once.
    #[arg(long, env = "LOOKOUT_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS,
          value_parser = parse_connection_cap)]
    pub max_connections: usize,

    /// Time a write to the client may make no progress (a client that stopped
    /// reading its answer) before the connection is closed.
    #[arg(long, env = "LOOKOUT_WRITE_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub write_timeout: Duration,

    /// After SIGTERM, how long requests in flight may still run before the process
    /// exits anyway (idle and half-sent connections are closed at once).
    #[arg(long, env = "LOOKOUT_DRAIN_TIMEOUT", default_value = "10s", value_parser = parse_timeout)]
    pub drain_timeout: Duration,
}

impl Default for ConnectionArgs {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

impl ConnectionArgs {
    /// The same limits with another connection cap (the admin port's).
    pub fn with_max_connections(&self, max_connections: usize) -> Self {
        Self {
            max_connections,
            ..self.clone()
        }
    }
}

/// Largest accepted connection cap.
const MAX_CONNECTION_CAP: usize = 65_536;

/// Parses a connection cap: an integer from 1 to 65,536.
pub fn parse_connection_cap(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|cap| (1..=MAX_CONNECTION_CAP).contains(cap))
        .ok_or_else(|| {
            format!("{text:?} is not a number of connections from 1 to {MAX_CONNECTION_CAP}")
        })
}

/// Parses `250ms`, `10s`, `2m` or a bare number of seconds; zero and more than an
/// hour are refused.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|character: char| !character.is_ascii_digit()) {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 500ms, 10s or 2m"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(value),
        "s" => Duration::from_secs(value),
        "m" => Duration::from_secs(value.saturating_mul(60)),
        _ => return Err(format!("{text:?}: the unit must be ms, s or m")),
    };
    if duration.is_zero() || duration > MAX_TIMEOUT {
        return Err(format!("{text:?} must be more than 0 and at most 1 hour"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        connections: ConnectionArgs,
    }

    #[test]
    fn durations_take_ms_s_m_or_bare_seconds() {
        assert_eq!(parse_timeout("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_timeout("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("7"), Ok(Duration::from_secs(7)));
        for bad in [
            "",
            "0",
            "0ms",
            "61m",
            "1h",
            "-1s",
            "1.5s",
            "s",
            "99999999999999999999",
        ] {
            assert!(parse_timeout(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn defaults_match_the_documented_ones_and_flags_override_them() {
        let cli = Cli::try_parse_from(["test"]).expect("no flags parse");
        let defaults = ConnectionArgs::default();
        assert_eq!(cli.connections.header_timeout, defaults.header_timeout);
        assert_eq!(cli.connections.body_timeout, defaults.body_timeout);
        assert_eq!(cli.connections.drain_timeout, defaults.drain_timeout);
        assert_eq!(cli.connections.max_connections, DEFAULT_MAX_CONNECTIONS);
        assert!(defaults.header_timeout <= Duration::from_secs(10));
        assert!(defaults.drain_timeout <= Duration::from_secs(10));
        let cli = Cli::try_parse_from(["test", "--header-timeout", "1s", "--max-connections", "4"])
            .expect("flags parse");
        assert_eq!(cli.connections.header_timeout, Duration::from_secs(1));
        assert_eq!(cli.connections.max_connections, 4);
        assert!(Cli::try_parse_from(["test", "--max-connections", "0"]).is_err());
    }
}

/// The systemd settings of `nix/modules/service-options.nix` must leave room for
/// these defaults; read here so the two cannot drift apart unnoticed.
#[cfg(test)]
mod unit_limits {
    use super::*;

    const SERVICE_OPTIONS_NIX: &str = include_str!("../../../../nix/modules/service-options.nix");

    /// The value of `name = <value>;` in the module file, quotes removed.
    fn setting(name: &str) -> String {
        SERVICE_OPTIONS_NIX
            .lines()
            .find_map(|line| {
                let (key, value) = line.trim().split_once('=')?;
                (key.trim() == name).then(|| {
                    value
                        .trim()
                        .trim_end_matches(';')
                        .trim_matches('"')
                        .to_owned()
                })
            })
            .unwrap_or_else(|| panic!("no {name} in service-options.nix"))
    }

    #[test]
    fn limit_nofile_leaves_room_for_both_connection_caps() {
        let nofile: usize = setting("LimitNOFILE")
            .parse()
            .expect("LimitNOFILE is a number");
        let connections = DEFAULT_MAX_CONNECTIONS + DEFAULT_ADMIN_MAX_CONNECTIONS;
        assert!(
            nofile >= 2 * connections,
            "LimitNOFILE {nofile} is not well above the {connections} connections the caps allow"
        );
    }

    /// After the drain, the binaries flush the last spans (up to
    /// `telemetry::FLUSH_DEADLINE`) before they exit: systemd must wait for both.
    #[test]
    fn timeout_stop_sec_outlasts_the_drain_and_the_span_flush() {
        let stop = setting("TimeoutStopSec");
        let stop = parse_timeout(&stop).expect("TimeoutStopSec in ms, s or m");
        let drain = ConnectionArgs::default().drain_timeout;
        let flush = crate::telemetry::FLUSH_DEADLINE + crate::launch::EXIT_GRACE;
        assert!(
            stop >= drain + flush + Duration::from_secs(3),
            "TimeoutStopSec {stop:?} leaves no margin over the drain timeout {drain:?} \
             plus the span flush {flush:?}"
        );
    }
}
