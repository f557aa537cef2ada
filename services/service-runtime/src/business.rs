//! Business counters whose series are all registered at start-up, at 0, so
//! `rate()` and dashboards work before the first event, and whose handles are
//! looked up in a short table instead of the recorder on each request. Which
//! operations and error types exist is each service's business.

use metrics::Counter;

use crate::catalog;

/// `business_operations_total{operation, status}` handles.
#[derive(Debug)]
pub struct OperationCounters {
    counters: Vec<(&'static str, &'static str, Counter)>,
}

impl OperationCounters {
    /// Registers every `(operation, status)` pair at 0. Call after the recorder is
    /// installed.
    pub fn register(pairs: &[(&'static str, &'static str)]) -> Self {
        let counters = pairs
            .iter()
            .map(|(operation, status)| (*operation, *status, operation_counter(operation, status)))
            .collect();
        Self { counters }
    }

    /// Counts one event; a pair that was not registered is still counted.
    pub fn count(&self, operation: &'static str, status: &'static str) {
        match self
            .counters
            .iter()
            .find(|(op, st, _)| *op == operation && *st == status)
        {
            Some((_, _, counter)) => counter.increment(1),
            None => operation_counter(operation, status).increment(1),
        }
    }
}

/// `application_errors_total{service, type}` handles of one service.
#[derive(Debug)]
pub struct ApplicationErrorCounters {
    service: &'static str,
    counters: Vec<(&'static str, Counter)>,
}

impl ApplicationErrorCounters {
    /// Registers every error type of `service` at 0. Call after the recorder is
    /// installed.
    pub fn register(service: &'static str, kinds: &[&'static str]) -> Self {
        let counters = kinds
            .iter()
            .map(|kind| (*kind, error_counter(service, kind)))
            .collect();
        Self { service, counters }
    }

    /// Counts one error; a type that was not registered is still counted.
    pub fn count(&self, kind: &'static str) {
        match self.counters.iter().find(|(known, _)| *known == kind) {
            Some((_, counter)) => counter.increment(1),
            None => error_counter(self.service, kind).increment(1),
        }
    }
}

fn operation_counter(operation: &'static str, status: &'static str) -> Counter {
    metrics::counter!(
        catalog::BUSINESS_OPERATIONS_TOTAL,
        catalog::LABEL_OPERATION => operation,
        catalog::LABEL_STATUS => status,
    )
}

fn error_counter(service: &'static str, kind: &'static str) -> Counter {
    metrics::counter!(
        catalog::APPLICATION_ERRORS_TOTAL,
        catalog::LABEL_SERVICE => service,
        catalog::LABEL_TYPE => kind,
    )
}
