//! Step 1: a fault fires HighErrorRate on both replicas; the cluster delivers
//! exactly one firing notification for the group.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{AlertSelector, wait_delivered, wait_prometheus_state};
use lookout_e2e::clients::faults::Faults;
use lookout_e2e::stack::ServiceName;
use lookout_e2e::stack::ha::{HaStack, REPLICAS};
use lookout_e2e::timeline::{Measurement, Timeline};

use crate::shared::{ALERT, FIRING_SLACK, JOB, duplicate_window, ensure_exactly_one};

/// Half of user-service's requests fail, as in the single-instance pipeline test.
const FAULT: Faults = Faults {
    latency_ms: 0,
    error_ratio: 0.5,
};

pub(crate) fn selector() -> AlertSelector {
    AlertSelector::named(ALERT).with("job", JOB)
}

pub(crate) async fn inject_fault(stack: &HaStack) -> Result<Instant> {
    let state = stack.faults(ServiceName::User).set(FAULT).await?;
    ensure!(state == FAULT, "user-service reports faults {state:?}");
    println!("[ha] fault injected: user-service {state:?}");
    Ok(Instant::now())
}

pub(crate) async fn clear_fault(stack: &HaStack) -> Result<Instant> {
    let state = stack.faults(ServiceName::User).clear().await?;
    ensure!(state.error_ratio == 0.0, "user-service reports {state:?}");
    println!("[ha] fault cleared");
    Ok(Instant::now())
}

/// The alert's `for`, as replica `index` loaded it.
pub(crate) async fn hold(stack: &HaStack, index: usize) -> Result<Duration> {
    let seconds = stack
        .replica(index)
        .rule_groups()
        .await?
        .iter()
        .flat_map(|g| &g.rules)
        .find(|r| r.kind == "alerting" && r.name == ALERT)
        .with_context(|| format!("replica {} has no rule {ALERT}", REPLICAS[index]))?
        .duration
        .unwrap_or(0.0);
    Ok(Duration::from_secs_f64(seconds))
}

pub(crate) async fn step1_fires_once(
    stack: &HaStack,
    timeline: &mut Timeline,
    faults_at: Instant,
) -> Result<()> {
    let hold = hold(stack, 0).await?;
    for (index, replica) in REPLICAS.iter().enumerate() {
        wait_prometheus_state(
            &stack.replica(index),
            &selector(),
            "firing",
            hold + FIRING_SLACK,
        )
        .await
        .with_context(|| format!("on replica {replica}"))?;
        println!(
            "[ha] step 1: {} firing on replica {replica} after {:.1}s",
            selector(),
            faults_at.elapsed().as_secs_f64()
        );
    }
    wait_delivered(&stack.receiver(), &selector(), "firing", FIRING_SLACK).await?;
    let delivered_after = faults_at.elapsed();
    let options = stack.options();
    let group_wait = options.alertmanager.group_wait;
    timeline.record(Measurement {
        what: format!("{ALERT}{{job={JOB}}} firing (2 replicas, 3 peers)"),
        from: "fault injected".into(),
        measured: delivered_after,
        minimum: hold + options.evaluation_interval + options.scrape_interval + group_wait,
        minimum_formula: format!(
            "for {}s + evaluation {}s + scrape {}s + group_wait {}s",
            hold.as_secs(),
            options.evaluation_interval.as_secs(),
            options.scrape_interval.as_secs(),
            group_wait.as_secs()
        ),
    });
    let window = duplicate_window(stack);
    tokio::time::sleep(window).await;
    ensure_exactly_one(stack, ALERT, JOB, "firing")
        .await
        .with_context(|| format!("{window:?} after the first firing notification"))?;
    println!(
        "[ha] step 1: exactly one firing notification, no duplicate in the {window:?} after it"
    );
    Ok(())
}
