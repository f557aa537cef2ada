//! Constants and checks every step shares.

use std::time::Duration;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::check_alert_contract;
use lookout_e2e::clients::faults::Faults;
use lookout_e2e::clients::receiver::ReceivedAlert;
use lookout_e2e::stack::Stack;
use lookout_e2e::timeline::{Measurement, Timeline};

/// Slack on top of a rule's `for` before a firing wait gives up.
pub(crate) const FIRING_SLACK: Duration = Duration::from_secs(60);
/// Bound for a step that should take a few seconds (Alertmanager, delivery).
pub(crate) const QUICK: Duration = Duration::from_secs(30);

/// The fault state a service starts with and returns to after `DELETE /faults`.
pub(crate) const NO_FAULTS: Faults = Faults {
    latency_ms: 0,
    error_ratio: 0.0,
};
/// Faults that trigger HighErrorRate on user-service (half of its requests fail).
pub(crate) const USER_SERVICE_FAULTS: Faults = Faults {
    latency_ms: 0,
    error_ratio: 0.5,
};
/// Faults that trigger HighResponseTime on order-service (every request takes 0.8 s,
/// above the 0.5 s threshold, in the (0.5, 1] histogram bucket).
pub(crate) const ORDER_SERVICE_FAULTS: Faults = Faults {
    latency_ms: 800,
    error_ratio: 0.0,
};

/// The `for` duration of an alerting rule, as Prometheus loaded it.
pub(crate) async fn rule_hold(stack: &Stack, alertname: &str) -> Result<Duration> {
    let groups = stack.prometheus().rule_groups().await?;
    let seconds = groups
        .iter()
        .flat_map(|g| &g.rules)
        .find(|r| r.kind == "alerting" && r.name == alertname)
        .with_context(|| format!("Prometheus has no alerting rule {alertname}"))?
        .duration
        .unwrap_or(0.0);
    Ok(Duration::from_secs_f64(seconds))
}

/// The delivered alert has the contract's labels and annotations and came
/// through the receiver the routing tree names.
pub(crate) fn check_delivery(alert: &ReceivedAlert, severity: &str, receiver: &str) -> Result<()> {
    check_alert_contract(alert, severity)?;
    ensure!(
        alert.receiver == receiver,
        "{:?} was delivered by receiver {}, the routing tree says {receiver}",
        alert.labels,
        alert.receiver
    );
    if let Some(job) = alert.labels.get("job") {
        ensure!(
            alert.annotations["description"].contains(job.as_str()),
            "the description must name the job {job}: {:?}",
            alert.annotations["description"]
        );
    }
    Ok(())
}

/// Records fault → delivery against `for` + evaluation + scrape + group wait.
pub(crate) fn record(
    stack: &Stack,
    timeline: &mut Timeline,
    delivered: &ReceivedAlert,
    from: &str,
    measured: Duration,
    hold: Duration,
) {
    let options = stack.options();
    let group_wait = stack
        .configs()
        .group_wait_for(&delivered.labels)
        .unwrap_or_default();
    let job = delivered.labels.get("job").map_or("", String::as_str);
    timeline.record(Measurement {
        what: format!(
            "{}{{job={job}}} {}",
            delivered
                .labels
                .get("alertname")
                .map_or("?", String::as_str),
            delivered.status
        ),
        from: from.to_owned(),
        measured,
        minimum: hold + options.evaluation_interval + options.scrape_interval + group_wait,
        minimum_formula: format!(
            "for {}s + evaluation {}s + scrape {}s + group_wait {}s",
            hold.as_secs(),
            options.evaluation_interval.as_secs(),
            options.scrape_interval.as_secs(),
            group_wait.as_secs()
        ),
    });
}

/// How long ago an RFC 3339 UTC timestamp (`2026-01-01T00:00:00.123Z`) was.
pub(crate) fn age_of(rfc3339: &str) -> Result<Duration> {
    let then =
        humantime::parse_rfc3339(rfc3339).with_context(|| format!("bad timestamp {rfc3339}"))?;
    Ok(std::time::SystemTime::now()
        .duration_since(then)
        .unwrap_or_default())
}
