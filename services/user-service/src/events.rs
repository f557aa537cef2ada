//! Business events of user-service, each counted exactly once (the exercise counts
//! its simulated server error twice). Every series is registered at start-up, at
//! 0, so `rate()` and dashboards work before the first event, and handlers
//! increment a ready handle instead of looking the series up on each request.

use metrics::Counter;
use service_runtime::catalog::{self, OP_CREATE_USER, OP_GET_USER, OP_GET_USERS};

/// Every `(operation, status)` pair user-service reports.
const OPERATIONS: [(&str, &str); 6] = [
    (OP_GET_USERS, catalog::STATUS_SUCCESS),
    (OP_GET_USER, catalog::STATUS_SUCCESS),
    (OP_GET_USER, catalog::STATUS_NOT_FOUND),
    (OP_GET_USER, catalog::STATUS_ERROR),
    (OP_CREATE_USER, catalog::STATUS_SUCCESS),
    (OP_CREATE_USER, catalog::STATUS_ERROR),
];

/// Every application error type user-service reports.
const ERROR_TYPES: [&str; 4] = [
    catalog::ERROR_NOT_FOUND,
    catalog::ERROR_SERVER_ERROR,
    catalog::ERROR_VALIDATION,
    catalog::ERROR_CAPACITY_EXCEEDED,
];

/// Handles on the business counters.
#[derive(Debug)]
pub(crate) struct Events {
    operations: Vec<(&'static str, &'static str, Counter)>,
    errors: Vec<(&'static str, Counter)>,
}

impl Events {
    /// Registers every series at 0. Call after the recorder is installed.
    pub(crate) fn register() -> Self {
        let operations = OPERATIONS
            .iter()
            .map(|(operation, status)| (*operation, *status, operation_counter(operation, status)))
            .collect();
        let errors = ERROR_TYPES
            .iter()
            .map(|kind| (*kind, error_counter(kind)))
            .collect();
        Self { operations, errors }
    }

    /// Counts one `business_operations_total{operation, status}` event.
    pub(crate) fn operation(&self, operation: &'static str, status: &'static str) {
        match self
            .operations
            .iter()
            .find(|(op, st, _)| *op == operation && *st == status)
        {
            Some((_, _, counter)) => counter.increment(1),
            None => operation_counter(operation, status).increment(1),
        }
    }

    /// Counts one `application_errors_total{service="user-service", type}` event.
    pub(crate) fn application_error(&self, kind: &'static str) {
        match self.errors.iter().find(|(known, _)| *known == kind) {
            Some((_, counter)) => counter.increment(1),
            None => error_counter(kind).increment(1),
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

fn error_counter(kind: &'static str) -> Counter {
    metrics::counter!(
        catalog::APPLICATION_ERRORS_TOTAL,
        catalog::LABEL_SERVICE => crate::SERVICE.name,
        catalog::LABEL_TYPE => kind,
    )
}
