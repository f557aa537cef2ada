//! Step 5: Watchdog is delivered through its own receiver.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{AlertSelector, wait_delivered};
use lookout_e2e::stack::Stack;
use lookout_e2e::timeline::{Measurement, Timeline};

use crate::shared::{QUICK, age_of};

pub(crate) async fn step5_watchdog_has_its_own_receiver(
    stack: &Stack,
    timeline: &mut Timeline,
    prometheus_ready: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("Watchdog");
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let watchdog_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for Watchdog")?;
    ensure!(
        delivered.receiver == watchdog_receiver,
        "Watchdog was delivered by receiver {}, the config routes it to {watchdog_receiver}",
        delivered.receiver
    );
    let others: BTreeSet<String> = stack
        .receiver()
        .alerts(None, None)
        .await?
        .into_iter()
        .filter(|a| a.labels.get("alertname").map(String::as_str) != Some("Watchdog"))
        .map(|a| a.receiver)
        .collect();
    ensure!(
        !others.is_empty() && !others.contains(&watchdog_receiver),
        "Watchdog's receiver {watchdog_receiver} must be its own; other alerts went to {others:?}"
    );
    // Watchdog was delivered long ago; its delivery time comes from the receiver's
    // clock relative to now, which this process shares.
    let age = age_of(&delivered.received_at)?;
    let measured = prometheus_ready.elapsed().saturating_sub(age);
    println!("[e2e] step 5: Watchdog delivered to {watchdog_receiver}, other alerts to {others:?}");
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    timeline.record(Measurement {
        what: String::from("Watchdog firing"),
        from: String::from("Prometheus ready"),
        measured,
        minimum: options.evaluation_interval + group_wait,
        minimum_formula: format!(
            "evaluation + group_wait {}s (no `for`, no scrape needed)",
            group_wait.as_secs()
        ),
    });
    Ok(())
}
