//! Step 0: the Alertmanager peers formed one settled cluster, and each replica
//! sends to all of them; also, which peer notifies first.

use anyhow::{Context, Result, ensure};
use lookout_e2e::stack::ha::{HaStack, PEERS, REPLICAS};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::QUICK;

/// Waits until every peer in `peers` reports cluster status `ready` with exactly
/// those `peers` as live members.
pub(crate) async fn wait_cluster(stack: &HaStack, peers: &[usize]) -> Result<()> {
    let expected: Vec<String> = peers
        .iter()
        .map(|i| format!("127.0.0.1:{}", stack.ports().peers_gossip[*i]))
        .collect();
    let what = format!("peers {peers:?} to be ready with members {expected:?}");
    wait_until(&what, QUICK + QUICK, || async {
        let mut seen = Vec::new();
        for index in peers {
            let status = stack.peer(*index).status().await?;
            let mut members: Vec<String> = status
                .cluster
                .peers
                .iter()
                .map(|p| p.address.clone())
                .collect();
            members.sort();
            let mut wanted = expected.clone();
            wanted.sort();
            if status.cluster.status != "ready" || members != wanted {
                seen.push(format!(
                    "peer {}: {} with {members:?}",
                    index + 1,
                    status.cluster.status
                ));
            }
        }
        Ok(if seen.is_empty() {
            Probe::Ready(())
        } else {
            Probe::Pending(seen.join("; "))
        })
    })
    .await
}

pub(crate) async fn step0_cluster_and_wiring(stack: &HaStack) -> Result<()> {
    let all: Vec<usize> = (0..PEERS).collect();
    wait_cluster(stack, &all)
        .await
        .context("the cluster did not form")?;
    for (index, replica) in REPLICAS.iter().enumerate() {
        let mut urls: Vec<String> = stack
            .replica(index)
            .alertmanagers()
            .await?
            .active_alertmanagers
            .into_iter()
            .map(|am| am.url)
            .collect();
        urls.sort();
        let mut expected: Vec<String> = stack
            .ports()
            .alertmanager_addresses()
            .iter()
            .map(|address| format!("http://{address}/api/v2/alerts"))
            .collect();
        expected.sort();
        ensure!(
            urls == expected,
            "replica {replica} sends to {urls:?}, expected every peer {expected:?}"
        );
    }
    println!("[ha] cluster of {PEERS} peers ready; both replicas send to every peer");
    Ok(())
}

/// The peer at position 0 (the one that notifies without waiting), read from
/// each peer's `alertmanager_peer_position` metric.
pub(crate) async fn first_position_peer(stack: &HaStack, alive: &[usize]) -> Result<usize> {
    for index in alive {
        let url = format!(
            "http://127.0.0.1:{}/metrics",
            stack.ports().peers_web[*index]
        );
        let text = stack.http().get(&url).send().await?.text().await?;
        let position = text
            .lines()
            .find_map(|line| line.strip_prefix("alertmanager_peer_position "))
            .with_context(|| format!("{url} has no alertmanager_peer_position"))?;
        if position.trim() == "0" {
            return Ok(*index);
        }
    }
    anyhow::bail!("no peer among {alive:?} is at position 0")
}
