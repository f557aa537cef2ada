//! Business events of order-service, each counted exactly once. Every series is
//! registered at start-up, at 0 (see `service_runtime::business`); which
//! operations exist is order-service's own.

use service_runtime::business::OperationCounters;
use service_runtime::catalog::{self, OP_CREATE_ORDER, OP_GET_ORDER, OP_GET_ORDERS};

/// Every `(operation, status)` pair order-service reports.
const OPERATIONS: [(&str, &str); 7] = [
    (OP_GET_ORDERS, catalog::STATUS_SUCCESS),
    (OP_GET_ORDERS, catalog::STATUS_ERROR),
    (OP_GET_ORDER, catalog::STATUS_SUCCESS),
    (OP_GET_ORDER, catalog::STATUS_NOT_FOUND),
    (OP_GET_ORDER, catalog::STATUS_ERROR),
    (OP_CREATE_ORDER, catalog::STATUS_SUCCESS),
    (OP_CREATE_ORDER, catalog::STATUS_ERROR),
];

/// Handles on the business counters.
#[derive(Debug)]
pub(crate) struct Events {
    operations: OperationCounters,
}

impl Events {
    /// Registers every series at 0. Call after the recorder is installed.
    pub(crate) fn register() -> Self {
        Self {
            operations: OperationCounters::register(&OPERATIONS),
        }
    }

    /// Counts one `business_operations_total{operation, status}` event.
    pub(crate) fn operation(&self, operation: &'static str, status: &'static str) {
        self.operations.count(operation, status);
    }
}
