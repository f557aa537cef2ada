//! The in-memory history: the last N notifications, oldest first. A bounded ring so a
//! chatty Alertmanager (or a spammer) can never grow the receiver's memory.

use std::collections::VecDeque;
use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

use crate::payload::Notification;

/// A notification with the time this receiver accepted it. This is also the shape of
/// one line of the store file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredNotification {
    /// RFC 3339 UTC time of receipt.
    pub received_at: String,
    /// The notification as Alertmanager sent it.
    pub notification: Notification,
}

/// The last `capacity` notifications, oldest first.
#[derive(Debug)]
pub struct NotificationRing {
    capacity: NonZeroUsize,
    items: VecDeque<StoredNotification>,
}

impl NotificationRing {
    /// An empty ring that keeps at most `capacity` notifications.
    pub fn new(capacity: NonZeroUsize) -> Self {
        Self {
            capacity,
            items: VecDeque::with_capacity(capacity.get().min(1024)),
        }
    }

    /// Appends a notification, dropping the oldest one when the ring is full.
    pub fn push(&mut self, item: StoredNotification) {
        if self.items.len() == self.capacity.get() {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// The kept notifications, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &StoredNotification> {
        self.items.iter()
    }

    /// How many notifications are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no notification is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most notifications this ring keeps.
    pub fn capacity(&self) -> NonZeroUsize {
        self.capacity
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::payload::parse_notification;

    /// A stored copy of the real firing fixture, with its group key made unique.
    pub(crate) fn stored(group_key: &str) -> StoredNotification {
        let fixture = include_str!("../tests/fixtures/alertmanager-0.25-firing.json");
        let mut notification = parse_notification(fixture.as_bytes()).expect("fixture parses");
        notification.group_key = group_key.to_owned();
        StoredNotification {
            received_at: "2026-01-01T00:00:00.000Z".to_owned(),
            notification,
        }
    }

    fn keys(ring: &NotificationRing) -> Vec<&str> {
        ring.iter()
            .map(|s| s.notification.group_key.as_str())
            .collect()
    }

    #[test]
    fn keeps_everything_below_capacity_in_arrival_order() {
        let mut ring = NotificationRing::new(NonZeroUsize::new(3).expect("non-zero"));
        assert!(ring.is_empty());
        ring.push(stored("a"));
        ring.push(stored("b"));
        assert_eq!(keys(&ring), ["a", "b"]);
    }

    #[test]
    fn drops_the_oldest_when_full() {
        let mut ring = NotificationRing::new(NonZeroUsize::new(3).expect("non-zero"));
        for key in ["a", "b", "c", "d", "e"] {
            ring.push(stored(key));
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(keys(&ring), ["c", "d", "e"]);
    }
}
