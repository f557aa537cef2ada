//! The high-availability scenario of issue 12 against the real Prometheus 2.42 and
//! Alertmanager 0.25: two Prometheus replicas (external labels replica=a/b, one
//! cluster label) scrape the same targets and send to all three Alertmanager
//! peers, clustered by gossip on loopback ports; configs and cluster flags come
//! from `nix/lib`. One test, one file per step:
//!
//! 0. the peers form one settled cluster; each replica sends to every peer;
//! 4. (while the fault builds up) the rendered `remote_write` delivers both
//!    replicas' samples, each with its replica label, into a receiving Prometheus;
//! 1. a fault fires HighErrorRate: exactly one firing notification for the group;
//! 2. `kill -9` of the peer that notifies first, while the alert fires;
//! 3. `kill -9` of replica a while the fault lasts: no resolution, the alert stays
//!    active; its restart sends no second firing notification;
//!
//! then, for steps 2 and 3: after the fault clears, exactly one resolution comes
//! from the surviving peers; the dead peer is paged once as ServiceDown; no group
//! holds a duplicate.
//!
//! HighErrorRate reads 5-minute rates, so it resolves about 4.5 minutes after the
//! fault clears: the run takes about 6.5 minutes. Latencies are printed (step 5).

mod cluster;
mod deliveries;
mod failover;
mod firing;
mod remote_write;
mod shared;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use lookout_e2e::stack::StackOptions;
use lookout_e2e::stack::ha::HaStack;
use lookout_e2e::timeline::Timeline;
use lookout_e2e::tools::repo_dir;

use crate::cluster::step0_cluster_and_wiring;
use crate::deliveries::duplicates;
use crate::failover::{
    dead_peer_is_paged, resolution_delivered_once, step2_kill_first_peer,
    step3_kill_replica_keeps_alert, step3_restarted_replica_no_duplicate,
};
use crate::firing::{clear_fault, inject_fault, step1_fires_once};
use crate::remote_write::step4_remote_write_carries_both_replicas;
use crate::shared::all_notifications;

/// Alertmanager's group interval in this test (see where it is set).
const HA_GROUP_INTERVAL: Duration = Duration::from_secs(10);

#[tokio::test]
async fn two_replicas_three_peers_page_exactly_once() {
    let run_started = Instant::now();
    let mut options = StackOptions::for_tests().expect("test options");
    // The two replicas do not see the same samples once one has been killed and
    // restarted, so they resolve an alert a few seconds apart: with the pipeline
    // test's 2 s group interval Alertmanager sends that as resolved, firing,
    // resolved (seen once, 4 s apart, on a loaded machine). A group interval
    // longer than that gap (production uses minutes) sends one resolution.
    options.alertmanager.group_interval = HA_GROUP_INTERVAL;
    let mut stack = match HaStack::start(&repo_dir(), options).await {
        Ok(stack) => stack,
        Err(err) => panic!("the HA stack did not start: {err:#}"),
    };
    println!(
        "[ha] stack up in {:.1}s, work directory {}",
        run_started.elapsed().as_secs_f64(),
        stack.dir().display()
    );
    let mut timeline = Timeline::default();
    let outcome = run_steps(&mut stack, &mut timeline).await;
    println!("[ha] measured latencies:\n{}", timeline.table());
    if let Err(err) = outcome {
        let err = stack.diagnose(&err);
        let kept = stack.keep_dir().display().to_string();
        panic!("{err:#}\n(configs, data and full logs kept in {kept})");
    }
    stack.shutdown().await;
    println!(
        "[ha] every step passed in {:.0}s",
        run_started.elapsed().as_secs_f64()
    );
}

async fn run_steps(stack: &mut HaStack, timeline: &mut Timeline) -> Result<()> {
    step0_cluster_and_wiring(stack)
        .await
        .context("step 0: cluster formed, replicas wired to every peer")?;
    let faults_at = inject_fault(stack).await?;
    step4_remote_write_carries_both_replicas(stack)
        .await
        .context("step 4: remote write carries both replicas, labelled")?;
    step1_fires_once(stack, timeline, faults_at)
        .await
        .context("step 1: exactly one firing notification")?;
    let killed = step2_kill_first_peer(stack, timeline)
        .await
        .context("step 2: kill -9 the first peer")?;
    step3_kill_replica_keeps_alert(stack, killed.index)
        .await
        .context("step 3: kill -9 a replica while the fault lasts")?;
    let cleared_at = clear_fault(stack).await?;
    step3_restarted_replica_no_duplicate(stack)
        .await
        .context("step 3: the restarted replica sends no duplicate")?;
    dead_peer_is_paged(stack, timeline, &killed)
        .await
        .context("the dead peer is paged as ServiceDown")?;
    resolution_delivered_once(stack, timeline, cleared_at)
        .await
        .context("steps 2-3: exactly one resolution after the fault clears")?;
    let history = all_notifications(stack).await?;
    let found = duplicates(&history);
    println!(
        "[ha] duplicates: {} in {} notifications",
        found.len(),
        history.len()
    );
    ensure!(found.is_empty(), "duplicate notifications: {found:#?}");
    Ok(())
}
