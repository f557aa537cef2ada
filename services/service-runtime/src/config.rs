//! Command-line flags every lookout binary shares. Flatten [`CommonArgs`] into a
//! service's own `clap::Parser` struct; each flag has a `LOOKOUT_*` environment
//! variable so systemd units can configure the binaries either way.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (colour only on a terminal).
    Text,
    /// One JSON object per line, for journald and log shippers.
    Json,
}

/// Listen address, port and logging flags shared by every lookout binary.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Address to listen on for the public API and /metrics.
    #[arg(long, env = "LOOKOUT_LISTEN_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub listen_address: IpAddr,

    /// Port to listen on [default: the binary's entry in nix/ports.json; 0 picks a free port].
    #[arg(long, env = "LOOKOUT_PORT")]
    pub port: Option<u16>,

    /// Log filter: a level (error, warn, info, debug, trace) or an EnvFilter directive
    /// such as `info,user_service=debug`. Requests are logged one line each at debug.
    #[arg(long, env = "LOOKOUT_LOG_LEVEL", default_value = "info")]
    pub log_level: String,

    /// Log format: text for terminals, json for journald.
    #[arg(long, env = "LOOKOUT_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl CommonArgs {
    /// The socket address to bind, using `default_port` when `--port` is not given.
    pub fn socket_addr(&self, default_port: u16) -> SocketAddr {
        SocketAddr::new(self.listen_address, self.port.unwrap_or(default_port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        common: CommonArgs,
    }

    #[test]
    fn defaults_are_loopback_the_given_port_info_and_text() {
        let cli = Cli::try_parse_from(["test"]).expect("no flags parse");
        assert_eq!(cli.common.socket_addr(8001).to_string(), "127.0.0.1:8001");
        assert_eq!(cli.common.log_level, "info");
        assert_eq!(cli.common.log_format, LogFormat::Text);
    }

    #[test]
    fn flags_override_the_defaults() {
        let cli = Cli::try_parse_from([
            "test",
            "--listen-address",
            "0.0.0.0",
            "--port",
            "9",
            "--log-format",
            "json",
        ])
        .expect("flags parse");
        assert_eq!(cli.common.socket_addr(8001).to_string(), "0.0.0.0:9");
        assert_eq!(cli.common.log_format, LogFormat::Json);
    }

    #[test]
    fn a_bad_address_is_a_clear_error() {
        let error = Cli::try_parse_from(["test", "--listen-address", "nowhere"])
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(error.contains("--listen-address"), "{error}");
    }
}
