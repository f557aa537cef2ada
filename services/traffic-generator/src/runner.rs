//! The generator's main loop: one slot per `1 / rate` seconds, each slot one request
//! of the mix sent on its own task, at most `concurrency` in flight, until the
//! duration ends or the shutdown triggers; then the requests in flight finish (each
//! is bounded by the timeout) and the final summary is logged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use service_runtime::shutdown::Shutdown;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::mix::{Category, Mix, RequestKind, Service, Shares};
use crate::pacer::Pacer;
use crate::requester::{Outcome, Requester, Targets};
use crate::tally::{Snapshot, Tally};

/// The status lookout's services answer a create with when their store is full.
pub const STORE_FULL_STATUS: u16 = 507;

/// Everything a run needs, already validated.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Where the services are.
    pub targets: Targets,
    /// Requests per second, > 0.
    pub rate: f64,
    /// How long to run; `None` runs until the shutdown triggers.
    pub duration: Option<Duration>,
    /// The mix.
    pub shares: Shares,
    /// Most requests in flight at once, ≥ 1.
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// How often the summary line is logged while running, > 0.
    pub report_interval: Duration,
    /// Most bytes read of one answer's body.
    pub max_body_bytes: u64,
}

impl Plan {
    /// When a run started at `started` ends, if it has a duration.
    pub fn deadline(&self, started: Instant) -> Option<Instant> {
        self.duration.map(|duration| started + duration)
    }

    /// When the first periodic summary of a run started at `started` is due.
    pub fn first_report(&self, started: Instant) -> Instant {
        started + self.report_interval
    }
}

/// What the run learnt about each service.
#[derive(Debug, Default)]
struct ServiceFlags {
    /// Set once the service's store answered "full", so creates stop going to it
    /// (the demo runs for days; a full store would otherwise turn every create into
    /// a 5xx and fire a HighErrorRate that nobody asked for).
    store_full: [AtomicBool; 2],
    /// Set once a transport failure was logged at warn; later ones go to debug and
    /// the summary, so a service that is down does not flood the log.
    failure_logged: [AtomicBool; 2],
}

impl ServiceFlags {
    fn store_full(&self, service: Service) -> &AtomicBool {
        &self.store_full[service as usize]
    }

    fn failure_logged(&self, service: Service) -> &AtomicBool {
        &self.failure_logged[service as usize]
    }
}

/// Runs `plan` until its duration ends or `shutdown` triggers, and returns the
/// final counts.
pub async fn run(plan: Plan, shutdown: Shutdown) -> anyhow::Result<Snapshot> {
    let requester = Requester::new(
        plan.targets.clone(),
        plan.timeout,
        plan.concurrency,
        plan.max_body_bytes,
    )?;
    let tally = Arc::new(Tally::default());
    let flags = Arc::new(ServiceFlags::default());
    let permits = Arc::new(Semaphore::new(plan.concurrency));
    let mut mix = Mix::new(plan.shares);
    let started = Instant::now();
    let deadline = plan.deadline(started);
    let mut pacer = Pacer::new(plan.rate);
    let mut report = tokio::time::interval_at(plan.first_report(started), plan.report_interval);
    tracing::info!(
        users = %plan.targets.users,
        orders = %plan.targets.orders,
        rate = plan.rate,
        duration = %plan.duration.map_or_else(|| "until stopped".to_owned(), |d| format!("{d:?}")),
        error_share = plan.shares.error,
        not_found_share = plan.shares.not_found,
        create_share = plan.shares.create,
        concurrency = plan.concurrency,
        max_body_bytes = plan.max_body_bytes,
        "traffic started"
    );

    loop {
        tokio::select! {
            biased;
            () = shutdown.wait() => break,
            () = sleep_until_deadline(deadline) => break,
            () = pacer.next_slot() => {
                // A skipped slot takes no kind from the mix, so the requests actually
                // sent keep the asked-for shares.
                match Arc::clone(&permits).try_acquire_owned() {
                    Ok(permit) => {
                        let kind = adjust_for_full_stores(mix.next_kind(), &flags, &tally);
                        tally.sent();
                        let requester = requester.clone();
                        let tally = Arc::clone(&tally);
                        let flags = Arc::clone(&flags);
                        tokio::spawn(async move {
                            let outcome = requester.send(kind).await;
                            record(kind, &outcome, &tally, &flags);
                            drop(permit);
                        });
                    }
                    Err(_) => tally.skipped(),
                }
            }
            _ = report.tick() => tally.snapshot().log("traffic summary", started.elapsed()),
        }
    }

    // Every request in flight holds a permit; getting them all back means they ended.
    let all = u32::try_from(plan.concurrency).unwrap_or(u32::MAX);
    let _drained = permits.acquire_many(all).await;
    let snapshot = tally.snapshot();
    snapshot.log("traffic finished", started.elapsed());
    Ok(snapshot)
}

async fn sleep_until_deadline(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn adjust_for_full_stores(kind: RequestKind, flags: &ServiceFlags, tally: &Tally) -> RequestKind {
    if kind.category == Category::Create && flags.store_full(kind.service).load(Ordering::Relaxed) {
        tally.create_withheld();
        return RequestKind {
            category: Category::Read,
            service: kind.service,
        };
    }
    kind
}

fn record(kind: RequestKind, outcome: &Outcome, tally: &Tally, flags: &ServiceFlags) {
    match outcome {
        Outcome::Answered(status) => {
            tally.answered(*status, kind.expected_status());
            if *status != kind.expected_status() {
                tracing::debug!(
                    method = kind.method(),
                    path = kind.path(),
                    status,
                    "unexpected status"
                );
            }
            let full = kind.category == Category::Create && *status == STORE_FULL_STATUS;
            if full && !flags.store_full(kind.service).swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    path = kind.path(),
                    "store full ({STORE_FULL_STATUS}): no more creates to this service, reads instead"
                );
            }
        }
        Outcome::TimedOut => {
            tally.timed_out();
            tracing::debug!(
                method = kind.method(),
                path = kind.path(),
                "request timed out"
            );
        }
        Outcome::BodyTooLarge => {
            tally.body_too_large();
            log_failure(kind, "answer body longer than --max-body-bytes", flags);
        }
        Outcome::Failed(error) => {
            tally.failed();
            log_failure(kind, error, flags);
        }
    }
}

/// Logs the first failure of each service at warn and later ones at debug: a
/// service that is down must not flood the log.
fn log_failure(kind: RequestKind, error: &str, flags: &ServiceFlags) {
    if flags
        .failure_logged(kind.service)
        .swap(true, Ordering::Relaxed)
    {
        tracing::debug!(method = kind.method(), path = kind.path(), %error, "request failed");
    } else {
        tracing::warn!(method = kind.method(), path = kind.path(), %error,
                    "request failed (later failures of this service are counted in the summary)");
    }
}
