//! Business events of order-service, each counted exactly once.

use service_runtime::catalog;

/// Counts one `business_operations_total{operation, status}` event.
pub(crate) fn operation(operation: &'static str, status: &'static str) {
    metrics::counter!(
        catalog::BUSINESS_OPERATIONS_TOTAL,
        catalog::LABEL_OPERATION => operation,
        catalog::LABEL_STATUS => status,
    )
    .increment(1);
}
