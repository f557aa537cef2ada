//! The receiver's history as notifications, grouped as Alertmanager groups them,
//! and the duplicates in it. The receiver stores one entry per alert; the entries
//! of one notification are stored together and share its receiver and arrival time.

use std::collections::BTreeMap;

use lookout_e2e::clients::receiver::ReceivedAlert;

/// One webhook notification as the receiver stored it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Notification {
    /// Alertmanager receiver.
    pub(crate) receiver: String,
    /// Values of the `group_by` labels: the notification group.
    pub(crate) group: BTreeMap<String, String>,
    /// When the receiver accepted it.
    pub(crate) received_at: String,
    /// `(fingerprint, status)` of each alert it carried, in order.
    pub(crate) alerts: Vec<(String, String)>,
    /// The label sets of its alerts.
    pub(crate) labels: Vec<BTreeMap<String, String>>,
}

impl Notification {
    /// `firing` when any of its alerts fires, as Alertmanager sets it.
    pub(crate) fn status(&self) -> &str {
        if self.alerts.iter().any(|(_, status)| status == "firing") {
            "firing"
        } else {
            "resolved"
        }
    }

    /// Whether its group has these label values.
    pub(crate) fn is_group(&self, group: &[(&str, &str)]) -> bool {
        group
            .iter()
            .all(|(k, v)| self.group.get(*k).map(String::as_str) == Some(v))
    }

    fn describe(&self) -> String {
        format!(
            "{} {:?} at {} via {}: {:?}",
            self.status(),
            self.group,
            self.received_at,
            self.receiver,
            self.alerts
        )
    }
}

/// Rebuilds the notifications from the entries (oldest first).
pub(crate) fn notifications(entries: &[ReceivedAlert], group_by: &[String]) -> Vec<Notification> {
    let mut out: Vec<Notification> = Vec::new();
    for entry in entries {
        let group: BTreeMap<String, String> = group_by
            .iter()
            .map(|label| {
                let value = entry.labels.get(label).cloned().unwrap_or_default();
                (label.clone(), value)
            })
            .collect();
        let alert = (entry.fingerprint.clone(), entry.status.clone());
        match out.last_mut() {
            Some(last)
                if last.receiver == entry.receiver
                    && last.received_at == entry.received_at
                    && last.group == group =>
            {
                last.alerts.push(alert);
                last.labels.push(entry.labels.clone());
            }
            _ => out.push(Notification {
                receiver: entry.receiver.clone(),
                group,
                received_at: entry.received_at.clone(),
                alerts: vec![alert],
                labels: vec![entry.labels.clone()],
            }),
        }
    }
    out
}

/// Every duplicate: a notification that repeats the previous one of its group
/// alert for alert (Alertmanager only re-sends an unchanged group after the repeat
/// interval, 1 h here), or that carries one alert twice (two identical
/// notifications that arrived in the same millisecond).
pub(crate) fn duplicates(notifications: &[Notification]) -> Vec<String> {
    let mut last_of_group: BTreeMap<(String, BTreeMap<String, String>), &Notification> =
        BTreeMap::new();
    let mut found = Vec::new();
    for notification in notifications {
        let mut fingerprints: Vec<&str> = notification
            .alerts
            .iter()
            .map(|(fingerprint, _)| fingerprint.as_str())
            .collect();
        fingerprints.sort_unstable();
        if fingerprints.windows(2).any(|pair| pair[0] == pair[1]) {
            found.push(format!("one alert twice in {}", notification.describe()));
        }
        let key = (notification.receiver.clone(), notification.group.clone());
        if let Some(previous) = last_of_group.insert(key, notification)
            && sorted(&previous.alerts) == sorted(&notification.alerts)
        {
            found.push(format!(
                "{} repeats the notification of {}",
                notification.describe(),
                previous.received_at
            ));
        }
    }
    found
}

fn sorted(alerts: &[(String, String)]) -> Vec<(String, String)> {
    let mut alerts = alerts.to_vec();
    alerts.sort();
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fingerprint: &str, status: &str, at: &str) -> ReceivedAlert {
        ReceivedAlert {
            receiver: "warning".into(),
            status: status.into(),
            labels: BTreeMap::from([
                ("alertname".into(), "HighErrorRate".into()),
                ("job".into(), "user-service".into()),
            ]),
            annotations: BTreeMap::new(),
            starts_at: String::new(),
            fingerprint: fingerprint.into(),
            received_at: at.into(),
        }
    }

    fn group_by() -> Vec<String> {
        vec!["alertname".into(), "job".into()]
    }

    #[test]
    fn firing_then_resolved_is_no_duplicate() {
        let entries = [entry("f1", "firing", "t1"), entry("f1", "resolved", "t2")];
        let found = notifications(&entries, &group_by());
        assert_eq!(found.len(), 2);
        assert!(duplicates(&found).is_empty());
    }

    #[test]
    fn a_repeated_or_doubled_notification_is_a_duplicate() {
        let repeated = [entry("f1", "firing", "t1"), entry("f1", "firing", "t2")];
        assert_eq!(duplicates(&notifications(&repeated, &group_by())).len(), 1);
        let same_millisecond = [entry("f1", "firing", "t1"), entry("f1", "firing", "t1")];
        let found = notifications(&same_millisecond, &group_by());
        assert_eq!(found.len(), 1);
        assert_eq!(duplicates(&found).len(), 1);
    }

    #[test]
    fn two_replicas_alerts_in_one_notification_are_two_alerts() {
        let entries = [entry("fa", "firing", "t1"), entry("fb", "firing", "t1")];
        let found = notifications(&entries, &group_by());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].alerts.len(), 2);
    }
}
