//! What one connection is doing, shared by its request service, its bodies and
//! its socket wrapper, so the connection task can tell at SIGTERM whether a
//! request is in flight (let it finish) or the connection is idle or half-sent
//! (close it at once), and on a header timeout whether it was merely idle.

use std::sync::atomic::{AtomicBool, Ordering};

/// Flags of one HTTP/1 connection. Requests on a connection are handled one after
/// the other, so one set of flags describes the current request.
#[derive(Debug, Default)]
pub(super) struct Activity {
    /// A request head was handed to the router and its response body is not done.
    in_flight: AtomicBool,
    /// That request's body has not been received completely yet.
    receiving_body: AtomicBool,
    /// Bytes arrived since the connection last became idle.
    heard: AtomicBool,
    /// That request's body missed `--body-timeout`.
    body_timed_out: AtomicBool,
}

impl Activity {
    /// A request head arrived; `has_body` when a body is still to come.
    pub(super) fn request_started(&self, has_body: bool) {
        self.in_flight.store(true, Ordering::Relaxed);
        self.receiving_body.store(has_body, Ordering::Relaxed);
        self.body_timed_out.store(false, Ordering::Relaxed);
    }

    /// The request body ended, failed, timed out or was dropped unread.
    pub(super) fn body_finished(&self) {
        self.receiving_body.store(false, Ordering::Relaxed);
    }

    /// The body missed its deadline.
    pub(super) fn body_timed_out(&self) {
        self.body_timed_out.store(true, Ordering::Relaxed);
        self.body_finished();
    }

    /// Whether the current request's body missed its deadline.
    pub(super) fn did_body_time_out(&self) -> bool {
        self.body_timed_out.load(Ordering::Relaxed)
    }

    /// The response was handed over completely: the connection is idle again.
    pub(super) fn response_finished(&self) {
        self.in_flight.store(false, Ordering::Relaxed);
        self.heard.store(false, Ordering::Relaxed);
    }

    /// Bytes were read from the client.
    pub(super) fn heard_bytes(&self) {
        self.heard.store(true, Ordering::Relaxed);
    }

    /// Whether bytes arrived since the connection last became idle.
    pub(super) fn heard(&self) -> bool {
        self.heard.load(Ordering::Relaxed)
    }

    /// A complete request is being handled or answered: worth finishing at SIGTERM.
    pub(super) fn handling_complete_request(&self) -> bool {
        self.in_flight.load(Ordering::Relaxed) && !self.receiving_body.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fully_received_request_counts_as_handling() {
        let activity = Activity::default();
        assert!(!activity.handling_complete_request(), "idle");
        activity.request_started(true);
        assert!(!activity.handling_complete_request(), "body still coming");
        activity.body_finished();
        assert!(activity.handling_complete_request());
        activity.response_finished();
        assert!(!activity.handling_complete_request());
        activity.request_started(false);
        assert!(activity.handling_complete_request(), "no body to wait for");
    }

    #[test]
    fn heard_is_reset_when_the_connection_becomes_idle() {
        let activity = Activity::default();
        activity.heard_bytes();
        assert!(activity.heard());
        activity.response_finished();
        assert!(!activity.heard());
    }
}
