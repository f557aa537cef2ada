//! Counting what was sent and what came back, shared by every request task, and the
//! summary line logged periodically and at the end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Live counters; every field only grows.
#[derive(Debug, Default)]
pub struct Tally {
    sent: AtomicU64,
    status: [AtomicU64; 4],
    other_status: AtomicU64,
    unexpected: AtomicU64,
    timeouts: AtomicU64,
    errors: AtomicU64,
    bodies_too_large: AtomicU64,
    skipped: AtomicU64,
    creates_withheld: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Snapshot {
    /// Requests started.
    pub sent: u64,
    /// Answers with a 2xx status.
    pub status_2xx: u64,
    /// Answers with a 3xx status.
    pub status_3xx: u64,
    /// Answers with a 4xx status.
    pub status_4xx: u64,
    /// Answers with a 5xx status.
    pub status_5xx: u64,
    /// Answers with any other status.
    pub status_other: u64,
    /// Answers whose status is not the one the exercise's services give (fault
    /// injection, a full store, a wrong URL).
    pub unexpected: u64,
    /// Requests that got no answer within `--timeout`.
    pub timeouts: u64,
    /// Requests that failed otherwise (connection refused, reset, an answer body
    /// over `--max-body-bytes`, ...).
    pub errors: u64,
    /// Of `errors`, the answers cut at `--max-body-bytes`.
    pub body_too_large: u64,
    /// Slots not used because `--concurrency` requests were already in flight.
    pub skipped: u64,
    /// Creates replaced by reads because the service's store was full.
    pub creates_withheld: u64,
}

impl Tally {
    /// Counts a request about to be sent.
    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an answer with `status`, `expected` being the exercise's status.
    pub fn answered(&self, status: u16, expected: u16) {
        match status / 100 {
            class @ 2..=5 => self.status[usize::from(class - 2)].fetch_add(1, Ordering::Relaxed),
            _ => self.other_status.fetch_add(1, Ordering::Relaxed),
        };
        if status != expected {
            self.unexpected.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a request that timed out.
    pub fn timed_out(&self) {
        self.timeouts.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a request that failed without an answer.
    pub fn failed(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an answer whose body was over the limit: an error of its own kind.
    pub fn body_too_large(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.bodies_too_large.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a slot skipped for lack of a free concurrency permit.
    pub fn skipped(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a create replaced by a read.
    pub fn create_withheld(&self) {
        self.creates_withheld.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Snapshot {
            sent: load(&self.sent),
            status_2xx: load(&self.status[0]),
            status_3xx: load(&self.status[1]),
            status_4xx: load(&self.status[2]),
            status_5xx: load(&self.status[3]),
            status_other: load(&self.other_status),
            unexpected: load(&self.unexpected),
            timeouts: load(&self.timeouts),
            errors: load(&self.errors),
            body_too_large: load(&self.bodies_too_large),
            skipped: load(&self.skipped),
            creates_withheld: load(&self.creates_withheld),
        }
    }
}

impl Snapshot {
    /// Logs the counters as one line, with the average rate since the start.
    pub fn log(&self, message: &'static str, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 {
            self.sent as f64 / seconds
        } else {
            0.0
        };
        tracing::info!(
            sent = self.sent,
            status_2xx = self.status_2xx,
            status_3xx = self.status_3xx,
            status_4xx = self.status_4xx,
            status_5xx = self.status_5xx,
            status_other = self.status_other,
            unexpected = self.unexpected,
            timeouts = self.timeouts,
            errors = self.errors,
            body_too_large = self.body_too_large,
            skipped = self.skipped,
            creates_withheld = self.creates_withheld,
            elapsed_s = format_args!("{seconds:.1}"),
            rate = format_args!("{rate:.2}"),
            "{message}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_counted_by_class_and_against_the_expected_one() {
        let tally = Tally::default();
        for (status, expected) in [
            (200, 200),
            (201, 201),
            (404, 404),
            (500, 500),
            (500, 200),
            (302, 200),
            (101, 200),
        ] {
            tally.sent();
            tally.answered(status, expected);
        }
        tally.sent();
        tally.timed_out();
        tally.sent();
        tally.failed();
        tally.sent();
        tally.body_too_large();
        tally.skipped();
        let snapshot = tally.snapshot();
        assert_eq!(
            snapshot,
            Snapshot {
                sent: 10,
                status_2xx: 2,
                status_3xx: 1,
                status_4xx: 1,
                status_5xx: 2,
                status_other: 1,
                unexpected: 3,
                timeouts: 1,
                errors: 2,
                body_too_large: 1,
                skipped: 1,
                creates_withheld: 0,
            }
        );
    }
}
