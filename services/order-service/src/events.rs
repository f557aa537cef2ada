//! Business events of order-service, each counted exactly once. Every series is
//! registered at start-up, at 0, so `rate()` and dashboards work before the first
//! event, and handlers increment a ready handle instead of looking it up.

use metrics::Counter;
use service_runtime::catalog::{self, OP_CREATE_ORDER, OP_GET_ORDER, OP_GET_ORDERS};

/// Every `(operation, status)` pair order-service reports.
const OPERATIONS: [(&str, &str); 6] = [
    (OP_GET_ORDERS, catalog::STATUS_SUCCESS),
    (OP_GET_ORDER, catalog::STATUS_SUCCESS),
    (OP_GET_ORDER, catalog::STATUS_NOT_FOUND),
    (OP_GET_ORDER, catalog::STATUS_ERROR),
    (OP_CREATE_ORDER, catalog::STATUS_SUCCESS),
    (OP_CREATE_ORDER, catalog::STATUS_ERROR),
];

/// Handles on the business counters.
#[derive(Debug)]
pub(crate) struct Events {
    operations: Vec<(&'static str, &'static str, Counter)>,
}

impl Events {
    /// Registers every series at 0. Call after the recorder is installed.
    pub(crate) fn register() -> Self {
        let operations = OPERATIONS
            .iter()
            .map(|(operation, status)| (*operation, *status, operation_counter(operation, status)))
            .collect();
        Self { operations }
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
}

fn operation_counter(operation: &'static str, status: &'static str) -> Counter {
    metrics::counter!(
        catalog::BUSINESS_OPERATIONS_TOTAL,
        catalog::LABEL_OPERATION => operation,
        catalog::LABEL_STATUS => status,
    )
}
