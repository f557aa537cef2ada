//! Step 6: an alert that fires while Alertmanager is down is delivered once it is back.

use std::time::Instant;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{AlertSelector, wait_delivered, wait_prometheus_state};
use lookout_e2e::clients::receiver::ReceivedAlert;
use lookout_e2e::stack::{Stack, names};
use lookout_e2e::timeline::{Measurement, Timeline};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::{FIRING_SLACK, QUICK, check_delivery, rule_hold};

pub(crate) async fn step6_alertmanager_outage_delivers_late(
    stack: &mut Stack,
    timeline: &mut Timeline,
) -> Result<()> {
    let prometheus = stack.prometheus();
    let errors_before = notification_errors(&prometheus).await?;
    stack.stop(names::ALERTMANAGER).await?;
    stack.kill(names::ORDER_SERVICE).await?;
    println!("[e2e] step 6: Alertmanager stopped, order-service killed");
    let selector = AlertSelector::named("ServiceDown")
        .with("job", names::ORDER_SERVICE)
        .with(
            "instance",
            &format!("127.0.0.1:{}", stack.ports().order_service),
        );
    let hold = rule_hold(stack, "ServiceDown").await?;
    wait_prometheus_state(&prometheus, &selector, "firing", hold + FIRING_SLACK).await?;
    wait_until(
        "Prometheus to count failed sends to the stopped Alertmanager",
        QUICK,
        || async {
            let errors = notification_errors(&prometheus).await?;
            Ok(if errors > errors_before {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("prometheus_notifications_errors_total = {errors}"))
            })
        },
    )
    .await?;
    let early: Vec<ReceivedAlert> = stack
        .receiver()
        .alerts(None, Some("ServiceDown"))
        .await?
        .into_iter()
        .filter(|a| selector.matches(&a.labels))
        .collect();
    ensure!(
        early.is_empty(),
        "{selector} reached the receiver while Alertmanager was down: {early:?}"
    );
    stack.restart(names::ALERTMANAGER).await?;
    let back_at = Instant::now();
    let delivered = wait_delivered(&stack.receiver(), &selector, "firing", QUICK).await?;
    let seen_at = Instant::now();
    let expected_receiver = stack
        .configs()
        .receiver_for(&delivered.labels)
        .context("no route for ServiceDown")?;
    check_delivery(&delivered, "critical", &expected_receiver)?;
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    timeline.record(Measurement {
        what: format!("ServiceDown{{job={}}} firing", names::ORDER_SERVICE),
        from: String::from("Alertmanager back"),
        measured: seen_at - back_at,
        minimum: options.resend_delay + group_wait,
        minimum_formula: String::from("Prometheus resend delay + group_wait"),
    });
    stack.restart(names::ORDER_SERVICE).await?;
    Ok(())
}

pub(crate) async fn notification_errors(
    prometheus: &lookout_e2e::clients::prometheus::PrometheusClient,
) -> Result<f64> {
    let samples = prometheus
        .query("sum(prometheus_notifications_errors_total)")
        .await?;
    let value = samples.first().map_or("0", |s| s.value.1.as_str());
    value
        .parse()
        .context("prometheus_notifications_errors_total is not a number")
}
