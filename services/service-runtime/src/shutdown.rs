//! Graceful shutdown: one [`Shutdown`] handle shared by every listener of a
//! process, triggered by SIGTERM, ctrl-c, or a test.

use tokio::sync::watch;

/// A clonable shutdown switch. Every clone sees the same trigger.
#[derive(Debug, Clone)]
pub struct Shutdown {
    sender: std::sync::Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A switch that only [`Shutdown::trigger`] flips.
    pub fn new() -> Self {
        let (sender, _) = watch::channel(false);
        Self {
            sender: std::sync::Arc::new(sender),
        }
    }

    /// A switch that SIGTERM or ctrl-c flips. Must be called inside a tokio runtime.
    pub fn on_signals() -> Self {
        let shutdown = Self::new();
        let trigger = shutdown.clone();
        tokio::spawn(async move {
            signal().await;
            trigger.trigger();
        });
        shutdown
    }

    /// Starts the shutdown: listeners stop accepting and finish in-flight requests.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// Resolves once the shutdown has been triggered (at once if it already was).
    pub async fn wait(&self) {
        let mut receiver = self.sender.subscribe();
        // An error means the sender is gone, which cannot happen while `self` holds it.
        let _ = receiver.wait_for(|triggered| *triggered).await;
    }
}

/// Resolves on the first SIGTERM or ctrl-c (SIGINT).
///
/// If a signal handler cannot be installed, that signal is logged and ignored, so the
/// other one still works.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_resolves_for_every_clone_after_trigger() {
        let shutdown = Shutdown::new();
        let clone = shutdown.clone();
        let waiter = tokio::spawn(async move { clone.wait().await });
        shutdown.trigger();
        waiter.await.expect("waiter finished");
        shutdown.wait().await;
    }
}
