//! Bounds on the work in progress, which is memory the history's bound does not
//! cover: webhook bodies being received, bodies being parsed, and `GET /alerts`
//! answers being sent. Each is a byte budget derived from `--max-memory-bytes` (M):
//!
//! | work | budget |
//! | --- | --- |
//! | bodies being received | M / 4 |
//! | parses in progress | max(M / 4, 8 MiB): [`PARSE_FACTOR`] times each body |
//! | answers being sent | M / 2, split evenly between `--max-alerts-answers` |
//!
//! so the receiver holds at most about 2 × M besides its fixed baseline: M of history
//! plus M of work. A body is read completely, under its own deadline, before it asks
//! for parse memory; its first 16 KiB need no body budget and a longer body takes its
//! whole budget at once, so a stalled upload holds its connection and at most 16 KiB.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, timeout, timeout_at};

/// Parse memory reserved per body byte. Parsing into the compact structures of
/// [`crate::payload`] takes at most about 5.6 times the body at its peak (an array of
/// minimal alerts with one label each, while the array grows by doubling); the margin
/// covers the parser's scratch space.
pub const PARSE_FACTOR: usize = 8;

/// Largest notification accepted (Alertmanager's own payloads are a few KiB per
/// alert); the 413 message names it as "1 MiB".
pub const WEBHOOK_BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// The smallest parse budget: one body of the maximum size fits in it.
const MIN_PARSE_BUDGET: usize = PARSE_FACTOR * WEBHOOK_BODY_LIMIT_BYTES;

/// How long a received body may wait for parse memory before the answer is 503.
/// Parses take milliseconds, so only a flood of large bodies waits this long.
const PARSE_WAIT: Duration = Duration::from_secs(10);

/// The first bytes of a body, read without body budget: a notification this small
/// (Alertmanager's are a few KiB per alert) is never held up by stalled uploads.
/// At most `--max-connections` bodies hold this much each (8 MiB at 512), outside
/// the budgets.
pub const FIRST_BUFFER: usize = 16 * 1024;

/// How long a webhook body may wait for body budget, in all, before the answer is 503.
const BUDGET_WAIT: Duration = Duration::from_secs(10);

/// How long a `GET /alerts` waits for one of the answer slots before it gets 503.
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// The settings the limits are built from (the receiver's flags).
#[derive(Debug, Clone, Copy)]
pub struct WorkSettings {
    /// `--max-memory-bytes`.
    pub max_memory_bytes: usize,
    /// `--webhook-body-timeout`.
    pub body_timeout: Duration,
    /// `--max-alerts-answers`.
    pub max_answers: usize,
    /// `--alerts-send-timeout`.
    pub answer_send_timeout: Duration,
}

/// The budgets, shared by every request.
#[derive(Debug)]
pub struct WorkLimits {
    settings: WorkSettings,
    bodies: Arc<Semaphore>,
    parses: Arc<Semaphore>,
    parse_budget: usize,
    answers: Arc<Semaphore>,
}

/// Why a webhook body was not received.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Not complete within the body timeout.
    Timeout(Duration),
    /// Longer than [`WEBHOOK_BODY_LIMIT_BYTES`].
    TooLarge,
    /// The connection failed while sending it.
    Unreadable(String),
    /// Too many bodies being received at once: no budget within [`BUDGET_WAIT`].
    Busy,
}

/// A received body, holding its share of the body budget until dropped.
#[derive(Debug)]
pub struct ReceivedBody {
    /// The body.
    pub bytes: Vec<u8>,
    budget: Option<OwnedSemaphorePermit>,
}

/// No room for the work now; the answer is 503 so the client retries.
#[derive(Debug, PartialEq, Eq)]
pub struct Busy;

impl WorkLimits {
    /// Budgets derived from `settings`.
    pub fn new(settings: WorkSettings) -> Self {
        let max = settings.max_memory_bytes;
        let parse_budget = (max / 4)
            .max(MIN_PARSE_BUDGET)
            .min(permits(usize::MAX) as usize);
        Self {
            settings,
            bodies: Arc::new(Semaphore::new(permits(max / 4) as usize)),
            parses: Arc::new(Semaphore::new(permits(parse_budget) as usize)),
            parse_budget,
            answers: Arc::new(Semaphore::new(settings.max_answers.max(1))),
        }
    }

    /// The flags these limits came from.
    pub fn settings(&self) -> WorkSettings {
        self.settings
    }

    /// The most bytes of entries one `GET /alerts` answer carries: its even share of M / 2.
    pub fn answer_bytes(&self) -> usize {
        self.settings.max_memory_bytes / 2 / self.settings.max_answers.max(1)
    }

    /// Reads a webhook body within the body timeout, taking body budget for its buffer
    /// as it grows. Time spent waiting for budget (at most [`BUDGET_WAIT`] in all) does
    /// not count against the client's timeout: the receiver is the slow one then.
    pub async fn read_body(
        &self,
        mut body: Body,
        content_length: Option<u64>,
    ) -> Result<ReceivedBody, BodyError> {
        let limit = WEBHOOK_BODY_LIMIT_BYTES;
        let declared = match content_length.map(usize::try_from) {
            Some(Ok(length)) if length <= limit => Some(length),
            Some(_) => return Err(BodyError::TooLarge),
            None => None,
        };
        let mut received = ReceivedBody {
            bytes: Vec::new(),
            budget: None,
        };
        let budget_deadline = Instant::now() + BUDGET_WAIT;
        let mut deadline = Instant::now() + self.settings.body_timeout;
        // The first FIRST_BUFFER bytes need no budget, so a small notification is
        // never held up by stalled uploads (each of which holds at most that much,
        // whatever it announced). A longer body then takes its whole budget at
        // once, its declared length or the limit: all or nothing, so bodies that
        // wait for budget hold none and cannot block each other half-way.
        let largest = declared.unwrap_or(limit);
        loop {
            let frame = match timeout_at(deadline, body.frame()).await {
                Err(_) => return Err(BodyError::Timeout(self.settings.body_timeout)),
                Ok(None) => return Ok(received),
                Ok(Some(frame)) => frame.map_err(|e| BodyError::Unreadable(e.to_string()))?,
            };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let needed = received.bytes.len() + data.len();
            if needed > limit {
                return Err(BodyError::TooLarge);
            }
            if needed > received.bytes.capacity() {
                if needed <= FIRST_BUFFER {
                    received
                        .bytes
                        .reserve_exact(FIRST_BUFFER.min(largest.max(needed)));
                } else {
                    // hyper refuses a body longer than its Content-Length.
                    let whole = largest.max(needed);
                    deadline += self.grow(&mut received, whole, budget_deadline).await?;
                }
            }
            received.bytes.extend_from_slice(&data);
        }
    }

    /// Takes budget for, then makes, a buffer of `capacity` bytes; returns how long
    /// it waited for the budget.
    async fn grow(
        &self,
        received: &mut ReceivedBody,
        capacity: usize,
        budget_deadline: Instant,
    ) -> Result<Duration, BodyError> {
        let started = Instant::now();
        let held = received.budget.as_ref().map_or(0, |p| p.num_permits());
        if capacity > held {
            let acquire = Arc::clone(&self.bodies).acquire_many_owned(permits(capacity - held));
            // The semaphore is never closed: only the deadline can fail this.
            let Ok(Ok(more)) = timeout_at(budget_deadline, acquire).await else {
                return Err(BodyError::Busy);
            };
            match received.budget.as_mut() {
                Some(permit) => permit.merge(more),
                None => received.budget = Some(more),
            }
        }
        received
            .bytes
            .reserve_exact(capacity - received.bytes.len());
        Ok(started.elapsed())
    }

    /// Waits (at most [`PARSE_WAIT`]) for the parse memory of a body of `len` bytes.
    pub async fn parse_permit(&self, len: usize) -> Result<OwnedSemaphorePermit, Busy> {
        let needed = len.saturating_mul(PARSE_FACTOR).min(self.parse_budget);
        let acquire = Arc::clone(&self.parses).acquire_many_owned(permits(needed));
        match timeout(PARSE_WAIT, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// Waits (at most [`ANSWER_WAIT`]) for one of the `GET /alerts` answer slots.
    pub async fn answer_permit(&self) -> Result<OwnedSemaphorePermit, Busy> {
        match timeout(ANSWER_WAIT, Arc::clone(&self.answers).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }
}

/// Semaphores count `u32` permits at a time; budgets past 4 GiB are capped there.
fn permits(bytes: usize) -> u32 {
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_memory_bytes: usize, body_timeout: Duration) -> WorkLimits {
        WorkLimits::new(WorkSettings {
            max_memory_bytes,
            body_timeout,
            max_answers: 4,
            answer_send_timeout: Duration::from_secs(30),
        })
    }

    #[tokio::test]
    async fn small_bodies_take_no_budget_and_longer_ones_take_it_whole() {
        let limits = limits(4 << 20, Duration::from_secs(5));
        let small = limits
            .read_body(Body::from("{}"), Some(2))
            .await
            .expect("read");
        assert_eq!(small.bytes, b"{}");
        assert_eq!(limits.bodies.available_permits(), 1 << 20);

        let length = FIRST_BUFFER + 4096;
        let long = limits
            .read_body(Body::from(vec![b' '; length]), Some(length as u64))
            .await
            .expect("read");
        assert_eq!(long.bytes.len(), length);
        assert_eq!(limits.bodies.available_permits(), (1 << 20) - length);
        drop(long);
        assert_eq!(limits.bodies.available_permits(), 1 << 20);
    }

    #[tokio::test]
    async fn refuses_bodies_over_the_limit_declared_or_not() {
        let limits = limits(4 << 20, Duration::from_secs(5));
        let big = vec![b' '; WEBHOOK_BODY_LIMIT_BYTES + 1];
        let declared = limits
            .read_body(Body::empty(), Some(big.len() as u64))
            .await;
        assert_eq!(declared.err(), Some(BodyError::TooLarge));
        let undeclared = limits.read_body(Body::from(big), None).await;
        assert_eq!(undeclared.err(), Some(BodyError::TooLarge));
        assert_eq!(limits.bodies.available_permits(), 1 << 20);
    }

    /// A body whose bytes never come.
    struct Stalled;

    impl http_body::Body for Stalled {
        type Data = axum::body::Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_does_not_arrive_times_out_and_returns_its_budget() {
        let limits = limits(4 << 20, Duration::from_secs(5));
        let read = limits.read_body(Body::new(Stalled), Some(1000)).await;
        assert_eq!(read.err(), Some(BodyError::Timeout(Duration::from_secs(5))));
        assert_eq!(limits.bodies.available_permits(), 1 << 20);
    }

    #[tokio::test(start_paused = true)]
    async fn parse_memory_is_proportional_to_the_body_up_to_the_budget() {
        let limits = limits(64 << 20, Duration::from_secs(5));
        let small = limits.parse_permit(1000).await.expect("room");
        assert_eq!(small.num_permits(), 1000 * PARSE_FACTOR);
        // The whole budget is not free: the wait ends with Busy, not never.
        assert_eq!(limits.parse_permit(usize::MAX).await.err(), Some(Busy));
        drop(small);
        let all = limits.parse_permit(usize::MAX).await.expect("room");
        assert_eq!(all.num_permits(), 16 << 20);
    }

    #[test]
    fn answers_share_half_the_memory_bound() {
        assert_eq!(
            limits(32 << 20, Duration::from_secs(1)).answer_bytes(),
            4 << 20
        );
    }
}
