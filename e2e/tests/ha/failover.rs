//! Steps 2 and 3: while the alert fires, `kill -9` the Alertmanager peer that
//! notifies first, then one Prometheus replica; the alert stays active and no
//! resolution goes out while the fault lasts; the restarted replica sends no
//! duplicate; after the fault clears the surviving peers deliver exactly one
//! resolution; the dead peer is paged as ServiceDown.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{AlertSelector, wait_delivered, wait_prometheus_state};
use lookout_e2e::stack::ha::{HaStack, PEERS, REPLICAS, peer_process, replica_process};
use lookout_e2e::stack::names;
use lookout_e2e::timeline::{Measurement, Timeline};

use crate::cluster::{first_position_peer, wait_cluster};
use crate::firing::{hold, selector};
use crate::shared::{
    ALERT, FIRING_SLACK, JOB, duplicate_window, ensure_exactly_one, group_notifications,
};

/// The killed peer and when.
pub(crate) struct KilledPeer {
    pub(crate) index: usize,
    pub(crate) at: Instant,
}

/// Step 2, first half: kill -9 the peer at position 0; the two others see it gone.
pub(crate) async fn step2_kill_first_peer(
    stack: &mut HaStack,
    timeline: &mut Timeline,
) -> Result<KilledPeer> {
    let all: Vec<usize> = (0..PEERS).collect();
    let index = first_position_peer(stack, &all).await?;
    stack.kill(&peer_process(index)).await?;
    let at = Instant::now();
    println!(
        "[ha] step 2: killed (SIGKILL) peer {} at position 0",
        index + 1
    );
    let survivors: Vec<usize> = all.into_iter().filter(|i| *i != index).collect();
    wait_cluster(stack, &survivors)
        .await
        .context("the surviving peers did not drop the killed one")?;
    timeline.record(Measurement {
        what: format!("surviving peers see {} members", survivors.len()),
        from: "peer killed".into(),
        measured: at.elapsed(),
        minimum: Duration::ZERO,
        minimum_formula: "memberlist failure detection (probe interval 1s)".into(),
    });
    Ok(KilledPeer { index, at })
}

/// Step 3, first half: kill -9 replica a while the fault lasts; for as long as a
/// notification could take, no resolution is delivered and the surviving peers
/// keep the alert active (replica b alone refreshes it).
pub(crate) async fn step3_kill_replica_keeps_alert(
    stack: &mut HaStack,
    dead_peer: usize,
) -> Result<()> {
    stack.kill(&replica_process(REPLICAS[0])).await?;
    println!("[ha] step 3: killed (SIGKILL) replica {}", REPLICAS[0]);
    let options = stack.options();
    // An alert not refreshed expires in Alertmanager 4 resend delays after its last
    // send (Prometheus sets endsAt so); then a resolution would need a group interval
    // and the peers' waits.
    let expiry = 4 * options.resend_delay.max(options.evaluation_interval);
    let watch = expiry + duplicate_window(stack);
    let started = Instant::now();
    while started.elapsed() < watch {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let resolved = group_notifications(stack, ALERT, JOB, "resolved").await?;
        ensure!(
            resolved.is_empty(),
            "a resolution was delivered while the fault lasts, {:.1}s after replica {} died: {resolved:#?}",
            started.elapsed().as_secs_f64(),
            REPLICAS[0]
        );
    }
    for index in (0..PEERS).filter(|i| *i != dead_peer) {
        let alerts = stack.peer(index).alerts().await?;
        ensure!(
            alerts
                .iter()
                .any(|a| selector().matches(&a.labels) && a.status.state == "active"),
            "peer {} no longer holds {} active {watch:?} after replica {} died",
            index + 1,
            selector(),
            REPLICAS[0]
        );
    }
    println!(
        "[ha] step 3: {watch:?} without replica {}: no resolution, the alert is active on both surviving peers",
        REPLICAS[0]
    );
    Ok(())
}

/// Step 3, second half: replica a restarts on its TSDB, fires again, and no
/// second firing notification goes out.
pub(crate) async fn step3_restarted_replica_no_duplicate(stack: &mut HaStack) -> Result<()> {
    let name = replica_process(REPLICAS[0]);
    stack.restart(&name).await?;
    let restarted = Instant::now();
    let hold = hold(stack, 0).await?;
    wait_prometheus_state(
        &stack.replica(0),
        &selector(),
        "firing",
        hold + FIRING_SLACK,
    )
    .await
    .context("the restarted replica")?;
    println!(
        "[ha] step 3: replica {} restarted, {} firing on it again after {:.1}s",
        REPLICAS[0],
        selector(),
        restarted.elapsed().as_secs_f64()
    );
    tokio::time::sleep(duplicate_window(stack)).await;
    ensure_exactly_one(stack, ALERT, JOB, "firing")
        .await
        .context("after the replica's restart")?;
    println!("[ha] step 3: still exactly one firing notification");
    Ok(())
}

/// Steps 2 and 3, end: after the fault clears, the surviving peers deliver
/// exactly one resolution.
pub(crate) async fn resolution_delivered_once(
    stack: &HaStack,
    timeline: &mut Timeline,
    cleared_at: Instant,
) -> Result<()> {
    // The rule reads 5-minute rates: it holds until the errors leave the window.
    let window = Duration::from_secs(300);
    wait_delivered(
        &stack.receiver(),
        &selector(),
        "resolved",
        window + FIRING_SLACK,
    )
    .await?;
    let options = stack.options();
    timeline.record(Measurement {
        what: format!("{ALERT}{{job={JOB}}} resolved (1 replica restarted, 2 peers)"),
        from: "fault cleared".into(),
        measured: cleared_at.elapsed(),
        minimum: options.evaluation_interval + options.alertmanager.group_interval,
        minimum_formula: "the 5m rate window draining (not modelled) + evaluation + group_interval"
            .into(),
    });
    tokio::time::sleep(duplicate_window(stack)).await;
    ensure_exactly_one(stack, ALERT, JOB, "resolved").await?;
    println!("[ha] steps 2-3: exactly one resolution, delivered by the surviving peers");
    Ok(())
}

/// What the operator sees of the dead peer: ServiceDown for the alertmanager job
/// on its address, delivered once (its `for` runs while the steps above wait).
pub(crate) async fn dead_peer_is_paged(
    stack: &HaStack,
    timeline: &mut Timeline,
    killed: &KilledPeer,
) -> Result<()> {
    let instance = format!("127.0.0.1:{}", stack.ports().peers_web[killed.index]);
    let selector = AlertSelector::named("ServiceDown")
        .with("job", names::ALERTMANAGER)
        .with("instance", &instance);
    let already = wait_delivered(&stack.receiver(), &selector, "firing", FIRING_SLACK * 2).await?;
    let received = humantime::parse_rfc3339(&already.received_at)
        .with_context(|| format!("bad receivedAt {}", already.received_at))?;
    let age = std::time::SystemTime::now()
        .duration_since(received)
        .unwrap_or_default();
    timeline.record(Measurement {
        what: format!("ServiceDown{{job=alertmanager,instance={instance}}} firing"),
        from: "peer killed".into(),
        measured: killed.at.elapsed().saturating_sub(age),
        minimum: Duration::from_secs(60),
        minimum_formula: "for 60s + evaluation + scrape (critical: group_wait 0s)".into(),
    });
    let found = group_notifications(stack, "ServiceDown", names::ALERTMANAGER, "firing").await?;
    ensure!(
        found.len() == 1 && found[0].alerts.len() == 1,
        "expected one ServiceDown notification for the dead peer {instance}, got {found:#?} (first: {already:?})"
    );
    Ok(())
}
