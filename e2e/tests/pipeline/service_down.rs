//! Step 4: a killed service fires ServiceDown, which is delivered and inhibits the
//! job's other alerts and its callers' UpstreamErrors; the restart delivers the
//! resolved notification.

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{
    AlertSelector, wait_alertmanager, wait_delivered, wait_prometheus_state,
};
use lookout_e2e::stack::{Stack, names};
use lookout_e2e::timeline::{Measurement, Timeline};

use crate::edges::upstream_errors_inhibited_by_service_down;
use crate::shared::{FIRING_SLACK, QUICK, check_delivery, record, rule_hold};

pub(crate) async fn step4_service_down_inhibits_then_resolves(
    stack: &mut Stack,
    timeline: &mut Timeline,
    killed_at: Instant,
) -> Result<()> {
    let instance = format!("127.0.0.1:{}", stack.ports().user_service);
    let selector = AlertSelector::named("ServiceDown")
        .with("job", names::USER_SERVICE)
        .with("instance", &instance);
    let hold = rule_hold(stack, "ServiceDown").await?;
    wait_prometheus_state(
        &stack.prometheus(),
        &selector,
        "firing",
        hold + FIRING_SLACK,
    )
    .await?;
    // HighErrorRate of the same job still fires: its 5-minute rate windows keep the
    // errors from before the kill (range selectors ignore staleness), so it is an
    // alert Alertmanager must now inhibit.
    let inhibited = AlertSelector::named("HighErrorRate").with("job", names::USER_SERVICE);
    wait_prometheus_state(&stack.prometheus(), &inhibited, "firing", QUICK).await?;
    let alertmanager = stack.alertmanager();
    let source = wait_alertmanager(&alertmanager, &selector, "active", QUICK, |a| {
        a.status.state == "active"
    })
    .await?;
    let target = wait_alertmanager(
        &alertmanager,
        &inhibited,
        "suppressed, inhibited by ServiceDown",
        QUICK,
        |a| a.status.state == "suppressed" && a.status.inhibited_by.contains(&source.fingerprint),
    )
    .await?;
    println!(
        "[e2e] step 4: {inhibited} is {} with inhibitedBy {:?} (ServiceDown fingerprint {})",
        target.status.state, target.status.inhibited_by, source.fingerprint
    );
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for ServiceDown")?;
    check_delivery(&delivered, "critical", &expected_receiver)?;
    record(
        stack,
        timeline,
        &delivered,
        "service killed",
        seen_at - killed_at,
        hold,
    );
    upstream_errors_inhibited_by_service_down(stack, &source.fingerprint, &delivered)
        .await
        .context("UpstreamErrors of order-service -> user-service, inhibited by ServiceDown")?;

    stack.restart(names::USER_SERVICE).await?;
    let restarted_at = Instant::now();
    let resolved = wait_delivered(&stack.receiver(), &selector, "resolved", QUICK).await?;
    let seen_at = Instant::now();
    ensure!(
        resolved.receiver == expected_receiver,
        "resolved ServiceDown went to {}, expected {expected_receiver}",
        resolved.receiver
    );
    let options = stack.options();
    timeline.record(Measurement {
        what: format!("ServiceDown{{job={}}} resolved", names::USER_SERVICE),
        from: String::from("service restarted"),
        measured: seen_at - restarted_at,
        minimum: options.scrape_interval
            + options.evaluation_interval
            + options.alertmanager.group_interval,
        minimum_formula: String::from(
            "scrape + evaluation + group_interval (upper bound: the next scrape, evaluation and group flush)",
        ),
    });
    Ok(())
}
