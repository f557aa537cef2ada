//! Business events of user-service, each counted exactly once (the exercise counts
//! its simulated server error twice).

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

/// Counts one `application_errors_total{service="user-service", type}` event.
pub(crate) fn application_error(kind: &'static str) {
    metrics::counter!(
        catalog::APPLICATION_ERRORS_TOTAL,
        catalog::LABEL_SERVICE => crate::SERVICE.name,
        catalog::LABEL_TYPE => kind,
    )
    .increment(1);
}
