//! Business events of user-service, each counted exactly once (the exercise counts
//! its simulated server error twice). Every series is registered at start-up, at
//! 0 (see `service_runtime::business`); which operations and error types exist
//! is user-service's own.

use service_runtime::business::{ApplicationErrorCounters, OperationCounters};
use service_runtime::catalog::{self, OP_CREATE_USER, OP_GET_USER, OP_GET_USERS};

/// Every `(operation, status)` pair user-service reports.
const OPERATIONS: [(&str, &str); 7] = [
    (OP_GET_USERS, catalog::STATUS_SUCCESS),
    (OP_GET_USERS, catalog::STATUS_ERROR),
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
    operations: OperationCounters,
    errors: ApplicationErrorCounters,
}

impl Events {
    /// Registers every series at 0. Call after the recorder is installed.
    pub(crate) fn register() -> Self {
        Self {
            operations: OperationCounters::register(&OPERATIONS),
            errors: ApplicationErrorCounters::register(crate::SERVICE.name, &ERROR_TYPES),
        }
    }

    /// Counts one `business_operations_total{operation, status}` event.
    pub(crate) fn operation(&self, operation: &'static str, status: &'static str) {
        self.operations.count(operation, status);
    }

    /// Counts one `application_errors_total{service="user-service", type}` event.
    pub(crate) fn application_error(&self, kind: &'static str) {
        self.errors.count(kind);
    }
}
