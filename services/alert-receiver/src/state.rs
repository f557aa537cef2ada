//! The receiver's shared state: the notification history (ring plus optional store
//! file, behind one lock so memory and disk see notifications in the same order) and
//! the label caps of its metrics.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::Arc;

use service_runtime::catalog;
use tokio::sync::Mutex;

use crate::label_cap::LabelCap;
use crate::payload::Notification;
use crate::ring::{HistoryBounds, NotificationRing, Pushed, StoredNotification};
use crate::store_file::{StoreFile, StoreFileError};
use crate::timestamp::now_rfc3339;
use crate::work_limits::WorkLimits;

/// Handle on the receiver's state; cheap to clone into handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    history: Mutex<History>,
    alertnames: LabelCap,
    receivers: LabelCap,
    limits: WorkLimits,
}

#[derive(Debug)]
struct History {
    ring: NotificationRing,
    store: Option<StoreFile>,
}

impl AppState {
    /// State keeping the newest notifications within `bounds`; with `store_file`, the
    /// file is opened (created if missing) and its newest notifications within `bounds`
    /// reloaded. `limits` bound the requests' work in progress.
    pub fn open(
        bounds: HistoryBounds,
        store_file: Option<&Path>,
        max_label_values: NonZeroUsize,
        limits: WorkLimits,
    ) -> Result<Self, StoreFileError> {
        let history = match store_file {
            None => History {
                ring: NotificationRing::new(bounds),
                store: None,
            },
            Some(path) => {
                let loaded = StoreFile::open(path, bounds)?;
                tracing::info!(path = %path.display(), kept = loaded.ring.len(),
                    kept_bytes = loaded.ring.bytes(), read = loaded.lines_read,
                    skipped = loaded.lines_skipped, "store file loaded");
                History {
                    ring: loaded.ring,
                    store: Some(loaded.store),
                }
            }
        };
        Ok(Self {
            shared: Arc::new(Shared {
                history: Mutex::new(history),
                alertnames: LabelCap::new(max_label_values.get()),
                receivers: LabelCap::new(max_label_values.get()),
                limits,
            }),
        })
    }

    /// Records an accepted notification: appends it to the store file (waiting until
    /// it is on disk), then to the in-memory history, then counts it. If the file
    /// cannot be written nothing is kept, so the sender's retry does not duplicate it.
    pub async fn accept(&self, notification: Notification) -> Result<(), StoreFileError> {
        let stored = StoredNotification {
            received_at: now_rfc3339(),
            notification,
        };
        let mut history = self.shared.history.lock().await;
        if let Some(store) = history.store.as_mut() {
            store.append(&stored).await?;
        }
        self.count(&stored.notification);
        if let Pushed::TooLarge { size } = history.ring.push(stored) {
            // Cannot happen for a body the webhook accepts (the bound is at least
            // 4 MiB); kept in the store file, if any, but not in memory.
            tracing::warn!(
                size,
                max_bytes = history.ring.bounds().max_bytes.get(),
                "notification larger than the memory bound; not kept in memory"
            );
        }
        Ok(())
    }

    /// Runs `read` on the kept notifications (webhook deliveries wait meanwhile).
    pub async fn with_history<T>(&self, read: impl FnOnce(&NotificationRing) -> T) -> T {
        let history = self.shared.history.lock().await;
        read(&history.ring)
    }

    /// The bounds on work in progress.
    pub fn limits(&self) -> &WorkLimits {
        &self.shared.limits
    }

    fn count(&self, notification: &Notification) {
        metrics::counter!(
            catalog::ALERT_RECEIVER_NOTIFICATIONS_TOTAL,
            catalog::LABEL_RECEIVER => self.shared.receivers.label_for(&notification.receiver),
            catalog::LABEL_STATUS => notification.status.as_str(),
        )
        .increment(1);
        for alert in &notification.alerts {
            metrics::counter!(
                catalog::ALERT_RECEIVER_ALERTS_TOTAL,
                catalog::LABEL_ALERTNAME => self.shared.alertnames.label_for(alert.alertname()),
                catalog::LABEL_STATUS => alert.status.as_str(),
            )
            .increment(1);
        }
    }
}
