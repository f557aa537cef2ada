//! The in-memory history: the newest notifications, oldest first, bounded twice: by
//! count and by total size, so neither a chatty Alertmanager nor a spammer posting
//! 1 MiB bodies can grow the receiver's memory past what the operator allowed. The
//! size of a notification is what it occupies on the heap ([`crate::heap_size`]), not
//! its JSON length: the two differ by up to twenty times for hostile payloads.

use std::collections::VecDeque;
use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};

use crate::heap_size;
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

impl StoredNotification {
    /// Heap bytes of a stored notification: its own box in the history, and
    /// everything it owns.
    pub fn heap_bytes(&self) -> usize {
        heap_size::allocation(std::mem::size_of::<Self>())
            + heap_size::string(&self.received_at)
            + self.notification.heap_bytes()
    }
}

/// How much history to keep in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryBounds {
    /// The most notifications kept.
    pub max_notifications: NonZeroUsize,
    /// The most heap bytes (summed [`StoredNotification::heap_bytes`]) kept.
    pub max_bytes: NonZeroUsize,
}

/// What [`NotificationRing::push`] did with a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Kept, after dropping this many older notifications to make room.
    Kept {
        /// Notifications evicted, oldest first.
        evicted: usize,
    },
    /// Not kept: on its own it is larger than the byte bound (it is still in the
    /// store file, if there is one). The older notifications stay.
    TooLarge {
        /// Its heap size.
        size: usize,
    },
}

/// The newest notifications within [`HistoryBounds`], oldest first.
#[derive(Debug)]
pub struct NotificationRing {
    bounds: HistoryBounds,
    /// Boxed so that a ring sized for 100,000 notifications costs 16 bytes a slot,
    /// not the 250-odd of a notification's inline fields.
    items: VecDeque<(Box<StoredNotification>, usize)>,
    bytes: usize,
}

impl NotificationRing {
    /// An empty ring keeping at most what `bounds` allow.
    pub fn new(bounds: HistoryBounds) -> Self {
        Self {
            bounds,
            items: VecDeque::with_capacity(bounds.max_notifications.get().min(1024)),
            bytes: 0,
        }
    }

    /// Appends a notification, dropping the oldest ones until both bounds hold.
    pub fn push(&mut self, item: StoredNotification) -> Pushed {
        let size = item.heap_bytes();
        if size > self.bounds.max_bytes.get() {
            return Pushed::TooLarge { size };
        }
        let mut evicted = 0;
        while self.items.len() >= self.bounds.max_notifications.get()
            || self.bytes + size > self.bounds.max_bytes.get()
        {
            let Some((_, oldest)) = self.items.pop_front() else {
                break;
            };
            self.bytes -= oldest;
            evicted += 1;
        }
        self.items.push_back((Box::new(item), size));
        self.bytes += size;
        Pushed::Kept { evicted }
    }

    /// The kept notifications, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &StoredNotification> {
        self.items.iter().map(|(item, _)| &**item)
    }

    /// How many notifications are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no notification is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The summed heap size of the kept notifications; never above the bound.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The bounds this ring keeps to.
    pub fn bounds(&self) -> HistoryBounds {
        self.bounds
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

    /// Bounds of `notifications` and `bytes`.
    pub(crate) fn bounds(notifications: usize, bytes: usize) -> HistoryBounds {
        HistoryBounds {
            max_notifications: NonZeroUsize::new(notifications).expect("non-zero"),
            max_bytes: NonZeroUsize::new(bytes).expect("non-zero"),
        }
    }

    fn keys(ring: &NotificationRing) -> Vec<&str> {
        ring.iter()
            .map(|s| s.notification.group_key.as_str())
            .collect()
    }

    #[test]
    fn keeps_everything_below_capacity_in_arrival_order() {
        let mut ring = NotificationRing::new(bounds(3, usize::MAX));
        assert!(ring.is_empty());
        ring.push(stored("a"));
        ring.push(stored("b"));
        assert_eq!(keys(&ring), ["a", "b"]);
    }

    #[test]
    fn drops_the_oldest_when_full() {
        let mut ring = NotificationRing::new(bounds(3, usize::MAX));
        for key in ["a", "b", "c", "d", "e"] {
            ring.push(stored(key));
        }
        assert_eq!(ring.len(), 3);
        assert_eq!(keys(&ring), ["c", "d", "e"]);
    }

    #[test]
    fn drops_the_oldest_until_the_bytes_fit() {
        let size = stored("a").heap_bytes();
        // Room for two and a half notifications of this size.
        let mut ring = NotificationRing::new(bounds(100, size * 5 / 2));
        assert_eq!(ring.push(stored("a")), Pushed::Kept { evicted: 0 });
        assert_eq!(ring.push(stored("b")), Pushed::Kept { evicted: 0 });
        assert_eq!(ring.push(stored("c")), Pushed::Kept { evicted: 1 });
        assert_eq!(keys(&ring), ["b", "c"]);
        assert_eq!(ring.bytes(), 2 * size);
    }

    #[test]
    fn the_byte_bound_holds_after_every_push() {
        let base = stored("").heap_bytes();
        let max = base * 4;
        let mut ring = NotificationRing::new(bounds(1000, max));
        for i in 0..200 {
            // Group keys of varied length give notifications of varied size.
            let key = "k".repeat(i * 37 % (base * 2));
            let pushed = ring.push(stored(&key));
            assert!(matches!(pushed, Pushed::Kept { .. }), "{pushed:?}");
            let summed: usize = ring.iter().map(StoredNotification::heap_bytes).sum();
            assert_eq!(ring.bytes(), summed);
            assert!(summed <= max, "{summed} > {max}");
            assert_eq!(
                ring.iter().last(),
                Some(&stored(&key)),
                "the newest is kept"
            );
        }
    }

    #[test]
    fn a_notification_larger_than_the_bound_is_not_kept_and_evicts_nothing() {
        let size = stored("a").heap_bytes();
        let mut ring = NotificationRing::new(bounds(10, size * 2));
        ring.push(stored("a"));
        let huge = "h".repeat(size * 2);
        let pushed = ring.push(stored(&huge));
        assert!(
            matches!(pushed, Pushed::TooLarge { size: s } if s > 2 * size),
            "{pushed:?}"
        );
        assert_eq!(keys(&ring), ["a"]);
        assert_eq!(ring.bytes(), size);
    }
}
