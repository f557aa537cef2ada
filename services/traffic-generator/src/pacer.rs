//! Sending at a fixed rate: request n is due at `start + n / rate`. Computing each
//! due time from the start (instead of sleeping one period after the last send)
//! keeps the average rate exact whatever the scheduling jitter. If the process falls
//! far behind (suspended, starved), the schedule restarts from now instead of
//! bursting to catch up.

use std::time::Duration;

use tokio::time::Instant;

/// How far behind schedule the pacer may fall before it gives up catching up.
const MAX_LAG: Duration = Duration::from_secs(1);

/// Yields one send slot per `1 / rate` seconds.
#[derive(Debug)]
pub struct Pacer {
    rate: f64,
    start: Instant,
    slots: u64,
}

impl Pacer {
    /// A pacer whose first slot is due now. `rate` is in slots per second, > 0.
    pub fn new(rate: f64) -> Self {
        Self::starting_at(rate, Instant::now())
    }

    pub(crate) fn starting_at(rate: f64, start: Instant) -> Self {
        Self {
            rate,
            start,
            slots: 0,
        }
    }

    /// Waits for the next slot. Cancel-safe: the slot is only taken once the wait
    /// completes, so a `select!` that drops this future loses nothing.
    pub async fn next_slot(&mut self) {
        let due = self.next_due(Instant::now());
        tokio::time::sleep_until(due).await;
        self.slots += 1;
    }

    /// When the next slot is due, seen from `now`. If that is more than [`MAX_LAG`]
    /// ago, the schedule restarts at `now`.
    fn next_due(&mut self, now: Instant) -> Instant {
        let due = self.due(self.slots);
        if now > due + MAX_LAG {
            self.start = now;
            self.slots = 0;
            return now;
        }
        due
    }

    /// When slot `slot` of the current schedule is due.
    pub(crate) fn due(&self, slot: u64) -> Instant {
        self.start + Duration::from_secs_f64(slot as f64 / self.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The schedule is checked as a pure function of the slot count and a given
    // "now": no clock is read, so nothing here depends on timing.

    fn take(pacer: &mut Pacer, now: Instant) -> Instant {
        let due = pacer.next_due(now);
        pacer.slots += 1;
        due
    }

    #[test]
    fn slots_are_spaced_by_one_over_the_rate() {
        let start = Instant::now();
        let mut pacer = Pacer::starting_at(4.0, start);
        let dues: Vec<Duration> = (0..9).map(|_| take(&mut pacer, start) - start).collect();
        assert_eq!(dues[1], Duration::from_millis(250));
        assert_eq!(dues[8], Duration::from_secs(2));
    }

    #[test]
    fn a_fractional_rate_keeps_its_average() {
        let start = Instant::now();
        let mut pacer = Pacer::starting_at(3.0, start);
        let last = (0..301).map(|_| take(&mut pacer, start)).last();
        let elapsed = last.map(|due| (due - start).as_secs_f64());
        assert!(
            elapsed.is_some_and(|e| (e - 100.0).abs() < 1e-6),
            "{elapsed:?}"
        );
    }

    #[test]
    fn a_little_lag_is_caught_up() {
        let start = Instant::now();
        let mut pacer = Pacer::starting_at(10.0, start);
        take(&mut pacer, start);
        let late = start + Duration::from_millis(900);
        assert_eq!(take(&mut pacer, late), start + Duration::from_millis(100));
        assert_eq!(take(&mut pacer, late), start + Duration::from_millis(200));
    }

    #[test]
    fn falling_far_behind_restarts_the_schedule_instead_of_bursting() {
        let start = Instant::now();
        let mut pacer = Pacer::starting_at(10.0, start);
        take(&mut pacer, start);
        let resumed = start + Duration::from_secs(5);
        assert_eq!(
            take(&mut pacer, resumed),
            resumed,
            "the late slot is due at once"
        );
        assert_eq!(
            take(&mut pacer, resumed),
            resumed + Duration::from_millis(100),
            "then the rate resumes: no burst of 50 slots"
        );
    }
}
