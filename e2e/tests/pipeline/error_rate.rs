//! Step 2: injected errors make HighErrorRate pending, firing, held by
//! Alertmanager and delivered.

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{
    AlertSelector, wait_alertmanager, wait_delivered, wait_prometheus_state,
};
use lookout_e2e::stack::{ServiceName, Stack, names};
use lookout_e2e::timeline::Timeline;

use crate::shared::{
    FIRING_SLACK, ORDER_SERVICE_FAULTS, QUICK, USER_SERVICE_FAULTS, check_delivery, record,
    rule_hold,
};

pub(crate) async fn inject_faults(stack: &Stack) -> Result<Instant> {
    let user = stack
        .faults(ServiceName::User)
        .set(USER_SERVICE_FAULTS)
        .await?;
    ensure!(
        user == USER_SERVICE_FAULTS,
        "user-service reports faults {user:?}"
    );
    let order = stack
        .faults(ServiceName::Order)
        .set(ORDER_SERVICE_FAULTS)
        .await?;
    ensure!(
        order == ORDER_SERVICE_FAULTS,
        "order-service reports faults {order:?}"
    );
    println!("[e2e] faults injected: user-service {user:?}, order-service {order:?}");
    Ok(Instant::now())
}

pub(crate) async fn step2_high_error_rate_lifecycle(
    stack: &Stack,
    timeline: &mut Timeline,
    faults_at: Instant,
) -> Result<()> {
    let selector = AlertSelector::named("HighErrorRate").with("job", names::USER_SERVICE);
    let prometheus = stack.prometheus();
    let hold = rule_hold(stack, "HighErrorRate").await?;
    let pending = wait_prometheus_state(&prometheus, &selector, "pending", QUICK).await?;
    println!(
        "[e2e] step 2: {selector} pending after {:.1}s (value {})",
        faults_at.elapsed().as_secs_f64(),
        pending.value
    );
    wait_prometheus_state(&prometheus, &selector, "firing", hold + FIRING_SLACK).await?;
    println!(
        "[e2e] step 2: {selector} firing after {:.1}s",
        faults_at.elapsed().as_secs_f64()
    );
    let held = wait_alertmanager(&stack.alertmanager(), &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let expected_receiver = stack
        .configs()
        .receiver_for(&held.labels)
        .context("no route for HighErrorRate")?;
    ensure!(
        held.receivers.iter().any(|r| r.name == expected_receiver),
        "Alertmanager routes {selector} to {:?}, the config says {expected_receiver}",
        held.receivers
    );
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
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
