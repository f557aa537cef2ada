//! Port assignments for one stack: free loopback ports for tests, or the
//! well-known ports of `nix/ports.nix` for the local stack runner.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::tools::{Tool, locate_tool};

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
        let ports = free_loopback_ports(9)?;
        Ok(Self {
            user_service: ports[0],
            order_service: ports[1],
            user_service_admin: ports[2],
            order_service_admin: ports[3],
            alert_receiver: ports[4],
            prometheus: ports[5],
            alertmanager: ports[6],
            node_exporter: ports[7],
            grafana: ports[8],
        })
    }

    /// The well-known ports, read from the repository's `nix/ports.nix` (the single
    /// source the NixOS modules and the services use too) by evaluating it.
    pub fn well_known(repo: &Path) -> Result<Self> {
        let nix = locate_tool(Tool::NixInstantiate)?;
        let file = repo.join("nix/ports.nix");
        let output = std::process::Command::new(&nix)
            .args(["--eval", "--strict", "--json"])
            .arg(&file)
            .output()
            .with_context(|| format!("running {} on {}", nix.display(), file.display()))?;
        if !output.status.success() {
            bail!(
                "nix-instantiate could not evaluate {}: {}",
                file.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let table: BTreeMap<String, u16> = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("{} is not an attrset of port numbers", file.display()))?;
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
}
