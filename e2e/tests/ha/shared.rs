//! What the HA steps share: the alert under test, observation windows, reading
//! the receiver's notifications and asserting how many a group got.

use std::time::Duration;

use anyhow::{Result, ensure};
use lookout_e2e::stack::ha::{HaStack, PEER_TIMEOUT, PEERS};
use lookout_e2e::stack::names;

use crate::deliveries::{Notification, notifications};

/// The alert every step follows, and the job it fires for.
pub(crate) const ALERT: &str = "HighErrorRate";
pub(crate) const JOB: &str = names::USER_SERVICE;

/// Slack on top of a rule's `for` before a firing wait gives up.
pub(crate) const FIRING_SLACK: Duration = Duration::from_secs(60);
/// Bound for what should take seconds (cluster, remote write, delivery).
pub(crate) const QUICK: Duration = Duration::from_secs(30);

/// How long to watch for a duplicate after a notification: two group intervals
/// (the window) plus the longest a later peer waits before it checks the
/// gossiped log (its position times the peer timeout), when a duplicate would go out.
pub(crate) fn duplicate_window(stack: &HaStack) -> Duration {
    2 * stack.options().alertmanager.group_interval + (PEERS as u32 - 1) * PEER_TIMEOUT
}

/// The receiver's whole history as notifications, grouped by the rendered `group_by`.
pub(crate) async fn all_notifications(stack: &HaStack) -> Result<Vec<Notification>> {
    let entries = stack.receiver().alerts(None, None).await?;
    Ok(notifications(&entries, &stack.configs().group_by()))
}

/// The notifications of the group `alertname`/`job` with `status`.
pub(crate) async fn group_notifications(
    stack: &HaStack,
    alertname: &str,
    job: &str,
    status: &str,
) -> Result<Vec<Notification>> {
    Ok(all_notifications(stack)
        .await?
        .into_iter()
        .filter(|n| n.is_group(&[("alertname", alertname), ("job", job)]) && n.status() == status)
        .collect())
}

/// Exactly one `status` notification for the group, carrying exactly one alert
/// without the replica label (the two replicas' alerts are one alert).
pub(crate) async fn ensure_exactly_one(
    stack: &HaStack,
    alertname: &str,
    job: &str,
    status: &str,
) -> Result<Notification> {
    let found = group_notifications(stack, alertname, job, status).await?;
    ensure!(
        found.len() == 1,
        "expected exactly one {status} notification for {alertname}{{job={job}}}, the receiver holds {}: {found:#?}",
        found.len()
    );
    let notification = found[0].clone();
    let replica_label = &stack.configs().labels.replica;
    ensure!(
        notification.alerts.len() == 1
            && notification
                .labels
                .iter()
                .all(|labels| !labels.contains_key(replica_label)),
        "the {status} notification for {alertname}{{job={job}}} must carry one alert without the {replica_label} label: {notification:#?}"
    );
    Ok(notification)
}
