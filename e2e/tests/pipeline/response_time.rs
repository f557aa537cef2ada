//! Step 3: injected latency makes HighResponseTime fire and be delivered.

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{
    AlertSelector, wait_alertmanager, wait_delivered, wait_prometheus_state,
};
use lookout_e2e::stack::{Stack, names};
use lookout_e2e::timeline::Timeline;

use crate::shared::{FIRING_SLACK, QUICK, check_delivery, record, rule_hold};

pub(crate) async fn step3_high_response_time_delivered(
    stack: &Stack,
    timeline: &mut Timeline,
    faults_at: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("HighResponseTime").with("job", names::ORDER_SERVICE);
    let hold = rule_hold(stack, "HighResponseTime").await?;
    let firing = wait_prometheus_state(
        &stack.prometheus(),
        &selector,
        "firing",
        hold + FIRING_SLACK,
    )
    .await?;
    let p95: f64 = firing
        .value
        .parse()
        .context("alert value is not a number")?;
    ensure!(
        p95 > 0.5,
        "HighResponseTime fires with p95 {p95}, expected > 0.5"
    );
    wait_alertmanager(&stack.alertmanager(), &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for HighResponseTime")?;
    check_delivery(&delivered, "warning", &expected_receiver)?;
    record(
        stack,
        timeline,
        &delivered,
        "fault injected",
        seen_at - faults_at,
        hold,
    );
    Ok(())
}
