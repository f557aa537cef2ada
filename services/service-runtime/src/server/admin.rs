//! Flags of the fault-control (admin) listener: a loopback address, a port and
//! its own connection cap. They live with the server, which binds that listener;
//! what it serves is [`crate::faults::Faults::admin_router`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::limits;

/// Flags of the fault-control listener; flatten into a service's config.
#[derive(Debug, Clone, clap::Args)]
pub struct AdminArgs {
    /// Address of the fault-control listener; must be a loopback address.
    #[arg(long, env = "LOOKOUT_ADMIN_LISTEN_ADDRESS", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub admin_listen_address: IpAddr,

    /// Port of the fault-control listener (default: `<service>-admin` in nix/ports.json).
    #[arg(long, env = "LOOKOUT_ADMIN_PORT")]
    pub admin_port: Option<u16>,

    /// Connections served at once on the fault-control port; one more is answered
    /// 503 and closed at once.
    #[arg(long, env = "LOOKOUT_ADMIN_MAX_CONNECTIONS",
          default_value_t = limits::DEFAULT_ADMIN_MAX_CONNECTIONS,
          value_parser = limits::parse_connection_cap)]
    pub admin_max_connections: usize,
}

impl AdminArgs {
    /// The admin socket address, or an error if the address is not loopback.
    pub fn socket_addr(&self, default_port: u16) -> anyhow::Result<SocketAddr> {
        if !self.admin_listen_address.is_loopback() {
            anyhow::bail!(
                "--admin-listen-address {} is not a loopback address: fault control must only be reachable from the host itself",
                self.admin_listen_address
            );
        }
        Ok(SocketAddr::new(
            self.admin_listen_address,
            self.admin_port.unwrap_or(default_port),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_admin_addresses_are_accepted() {
        let mut args = AdminArgs {
            admin_listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            admin_port: None,
            admin_max_connections: 16,
        };
        assert_eq!(
            args.socket_addr(8011).expect("loopback").to_string(),
            "127.0.0.1:8011"
        );
        args.admin_listen_address = "::1".parse().expect("ipv6 loopback");
        assert!(args.socket_addr(8011).is_ok());
        args.admin_listen_address = IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        let error = args
            .socket_addr(8011)
            .expect_err("0.0.0.0 refused")
            .to_string();
        assert!(error.contains("loopback"), "{error}");
    }
}
