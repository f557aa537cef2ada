//! Port assignments for one stack: free loopback ports for tests, or the
//! well-known ports of `nix/ports.json` for the local stack runner.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;

use anyhow::{Context, Result};

/// Every port one stack listens on, all bound to 127.0.0.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StackPorts {
    /// user-service main port (API and `/metrics`).
    pub user_service: u16,
    /// order-service main port (API and `/metrics`).
    pub order_service: u16,
    /// user-service fault-control (admin) port.
    pub user_service_admin: u16,
    /// order-service fault-control (admin) port.
    pub order_service_admin: u16,
    /// Alert receiver (webhook and `/alerts`).
    pub alert_receiver: u16,
    /// Prometheus web and API.
    pub prometheus: u16,
    /// Alertmanager web and API.
    pub alertmanager: u16,
    /// Prometheus node exporter.
    pub node_exporter: u16,
    /// Grafana (only used when Grafana runs).
    pub grafana: u16,
}

impl StackPorts {
    /// Distinct free loopback ports, chosen by the kernel. All listeners are held
    /// open until every port is picked, so the same port is never handed out twice.
    pub fn free() -> Result<Self> {
        Ok(Self::from_free(&free_loopback_ports(Self::COUNT)?))
    }

    /// How many ports a stack takes.
    pub(crate) const COUNT: usize = 9;

    /// The stack's ports from the first [`Self::COUNT`] of `ports` (free ones).
    pub(crate) fn from_free(ports: &[u16]) -> Self {
        Self {
            user_service: ports[0],
            order_service: ports[1],
            user_service_admin: ports[2],
            order_service_admin: ports[3],
            alert_receiver: ports[4],
            prometheus: ports[5],
            alertmanager: ports[6],
            node_exporter: ports[7],
            grafana: ports[8],
        }
    }

    /// The well-known ports, read from the repository's `nix/ports.json` (the single
    /// source the NixOS modules and the services use too).
    pub fn well_known(repo: &Path) -> Result<Self> {
        let file = repo.join("nix/ports.json");
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        let table: BTreeMap<String, u16> = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON object of port numbers", file.display()))?;
        let port = |name: &str| {
            table
                .get(name)
                .copied()
                .with_context(|| format!("{} has no entry {name}", file.display()))
        };
        Ok(Self {
            user_service: port("user-service")?,
            order_service: port("order-service")?,
            user_service_admin: port("user-service-admin")?,
            order_service_admin: port("order-service-admin")?,
            alert_receiver: port("alert-receiver")?,
            prometheus: port("prometheus")?,
            alertmanager: port("alertmanager")?,
            node_exporter: port("node-exporter")?,
            grafana: port("grafana")?,
        })
    }
}

/// `count` distinct free TCP ports on 127.0.0.1.
pub fn free_loopback_ports(count: usize) -> Result<Vec<u16>> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind(("127.0.0.1", 0)).context("binding a free loopback port"))
        .collect::<Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|listener| Ok(listener.local_addr()?.port()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct_and_bindable() {
        let ports = StackPorts::free().expect("free ports");
        let mut all = vec![
            ports.user_service,
            ports.order_service,
            ports.user_service_admin,
            ports.order_service_admin,
            ports.alert_receiver,
            ports.prometheus,
            ports.alertmanager,
            ports.node_exporter,
            ports.grafana,
        ];
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 9, "ports must be distinct: {ports:?}");
        for port in all {
            TcpListener::bind(("127.0.0.1", port)).expect("a port handed out is free");
        }
    }

    #[test]
    fn well_known_ports_come_from_the_repository_file() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let ports = StackPorts::well_known(&repo).expect("nix/ports.json");
        assert_eq!((ports.user_service, ports.order_service), (8001, 8002));
        assert_eq!((ports.alert_receiver, ports.grafana), (5001, 3000));
    }

    #[test]
    fn a_malformed_ports_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir(dir.path().join("nix")).expect("nix/");
        std::fs::write(
            dir.path().join("nix/ports.json"),
            "{\"user-service\": 8001,}",
        )
        .expect("write");
        let error = format!(
            "{:#}",
            StackPorts::well_known(dir.path()).expect_err("bad JSON")
        );
        assert!(
            error.contains("ports.json is not a JSON object of port numbers"),
            "{error}"
        );
    }
}
