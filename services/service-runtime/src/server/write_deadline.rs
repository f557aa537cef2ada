//! A deadline on a stalled write: a client that sends a request and then never
//! reads the answer would otherwise hold its connection (and its slot under
//! `--max-connections`) for as long as it likes once the socket's send buffer is
//! full, since hyper then waits for the socket without any timer. When a write or
//! flush has made no progress for `--write-timeout`, it fails with `TimedOut`, which
//! ends the connection; a slow reader that takes some bytes now and then is fine.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Sleep;

/// Watches one connection's writes for a stall longer than `timeout`.
#[derive(Debug)]
pub(super) struct WriteDeadline {
    timeout: Duration,
    /// Running while the socket has not taken a byte since the first `Pending`.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl WriteDeadline {
    pub(super) fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            stalled: None,
        }
    }

    /// Passes on a write's result; a `Pending` starts (or keeps) the stall timer,
    /// which registers the task's waker so the stall is noticed even if the
    /// socket never becomes writable again; progress clears the timer.
    pub(super) fn check<T>(
        &mut self,
        context: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.stalled = None;
            return polled;
        }
        let timeout = self.timeout;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stalled.as_mut().poll(context) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing within the write timeout",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether a connection ended because of this deadline.
pub(super) fn is_write_timeout(error: &hyper::Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<io::Error>())
        .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_stall_fails_after_the_timeout_and_progress_resets_it() {
        let mut context = Context::from_waker(std::task::Waker::noop());
        let mut deadline = WriteDeadline::new(Duration::from_millis(300));
        let pending = || Poll::<io::Result<usize>>::Pending;
        assert!(deadline.check(&mut context, pending()).is_pending());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(deadline.check(&mut context, pending()).is_pending());
        // Progress: the timer starts again from the next stall.
        assert!(matches!(
            deadline.check(&mut context, Poll::Ready(Ok(1))),
            Poll::Ready(Ok(1))
        ));
        assert!(deadline.check(&mut context, pending()).is_pending());
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(deadline.check(&mut context, pending()).is_pending());
        tokio::time::sleep(Duration::from_millis(250)).await;
        match deadline.check(&mut context, pending()) {
            Poll::Ready(Err(error)) => assert_eq!(error.kind(), io::ErrorKind::TimedOut),
            other => panic!("expected a write timeout, got {other:?}"),
        }
    }
}
