//! The shape of the high-availability stack: two Prometheus replicas, three
//! Alertmanager peers, a remote-write sink, and the loopback ports they use.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;

use crate::ports::{StackPorts, free_loopback_ports};
use crate::stack::names;

/// The replicas' names, the value of their `replica` external label.
pub const REPLICAS: [&str; 2] = ["a", "b"];
/// How many Alertmanager peers form the cluster.
pub const PEERS: usize = 3;
/// The pair's `cluster` external label.
pub const CLUSTER: &str = "lookout-e2e";
/// `--cluster.peer-timeout` of every peer. Alertmanager's default is 15 s: the peer
/// at position n waits n times this before notifying, to find in the gossiped
/// notification log that an earlier peer already did. 3 s keeps the test short
/// and still leaves loopback gossip (every 200 ms) ample time on a busy machine.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(3);

/// Supervisor name of a Prometheus replica (`prometheus-a`).
pub fn replica_process(replica: &str) -> String {
    format!("prometheus-{replica}")
}

/// Supervisor name of an Alertmanager peer, numbered from 1 (`alertmanager-1`).
pub fn peer_process(index: usize) -> String {
    format!("alertmanager-{}", index + 1)
}

/// Supervisor name of the Prometheus receiving the replicas' remote writes.
pub const SINK_PROCESS: &str = "prometheus-sink";

/// Every port of the HA stack, all on 127.0.0.1.
#[derive(Debug, Clone)]
pub struct HaPorts {
    /// The services, the receiver and node exporter (its `prometheus`,
    /// `alertmanager` and `grafana` ports are not used).
    pub shared: StackPorts,
    /// Web and API port of each replica, in the order of [`REPLICAS`].
    pub replicas: Vec<u16>,
    /// Web and API port of each Alertmanager peer.
    pub peers_web: Vec<u16>,
    /// Gossip port (TCP and UDP) of each Alertmanager peer.
    pub peers_gossip: Vec<u16>,
    /// The remote-write sink's port.
    pub sink: u16,
}

impl HaPorts {
    /// Distinct free loopback ports, all picked in one go so none is handed out twice.
    pub fn free() -> Result<Self> {
        let shared_count = StackPorts::COUNT;
        let count = shared_count + REPLICAS.len() + 2 * PEERS + 1;
        let ports = free_loopback_ports(count)?;
        let shared = StackPorts::from_free(&ports);
        let mut rest = ports[shared_count..].iter().copied();
        let mut take = |n: usize| rest.by_ref().take(n).collect::<Vec<u16>>();
        let replicas = take(REPLICAS.len());
        let peers_web = take(PEERS);
        let peers_gossip = take(PEERS);
        let sink = take(1)[0];
        Ok(Self {
            shared,
            replicas,
            peers_web,
            peers_gossip,
            sink,
        })
    }

    /// `127.0.0.1:<port>` of every peer's gossip listener.
    pub fn gossip_addresses(&self) -> Vec<String> {
        self.peers_gossip.iter().map(|p| loopback(*p)).collect()
    }

    /// `127.0.0.1:<port>` of every peer's API, the Alertmanagers each replica sends to.
    pub fn alertmanager_addresses(&self) -> Vec<String> {
        self.peers_web.iter().map(|p| loopback(*p)).collect()
    }
}

/// `127.0.0.1:<port>`.
pub(super) fn loopback(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// `http://127.0.0.1:<port>`.
pub(super) fn url(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// The URL that answers 2xx once each process with one is ready.
pub(super) fn ready_urls(ports: &HaPorts) -> BTreeMap<String, String> {
    let shared = &ports.shared;
    let mut urls = BTreeMap::from([
        (
            names::USER_SERVICE.to_owned(),
            format!("{}/health", url(shared.user_service)),
        ),
        (
            names::ORDER_SERVICE.to_owned(),
            format!("{}/health", url(shared.order_service)),
        ),
        (
            names::ALERT_RECEIVER.to_owned(),
            format!("{}/health", url(shared.alert_receiver)),
        ),
        (
            names::NODE_EXPORTER.to_owned(),
            format!("{}/metrics", url(shared.node_exporter)),
        ),
        (
            SINK_PROCESS.to_owned(),
            format!("{}/-/ready", url(ports.sink)),
        ),
    ]);
    for (index, port) in ports.peers_web.iter().enumerate() {
        urls.insert(peer_process(index), format!("{}/-/ready", url(*port)));
    }
    for (replica, port) in REPLICAS.iter().zip(&ports.replicas) {
        urls.insert(replica_process(replica), format!("{}/-/ready", url(*port)));
    }
    urls
}
