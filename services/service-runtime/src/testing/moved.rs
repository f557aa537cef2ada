//! How much a series moved between two scrapes, for the metric-per-request
//! assertions of the service tests. Names are spelled out rather than taken from
//! `catalog`, so the tests also pin the contract's exact names.

use super::Scrape;

/// How much the sample `name` with exactly `labels` moved from `before` to `after`.
pub fn moved(before: &Scrape, after: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    after.value(name, labels) - before.value(name, labels)
}

/// How much `http_requests_total{method, route, status_code}` moved.
pub fn requests_moved(
    before: &Scrape,
    after: &Scrape,
    method: &str,
    route: &str,
    status: &str,
) -> f64 {
    let labels = [
        ("method", method),
        ("route", route),
        ("status_code", status),
    ];
    moved(before, after, "http_requests_total", &labels)
}

/// How much `business_operations_total{operation, status}` moved.
pub fn operations_moved(before: &Scrape, after: &Scrape, operation: &str, status: &str) -> f64 {
    let labels = [("operation", operation), ("status", status)];
    moved(before, after, "business_operations_total", &labels)
}

/// How much `application_errors_total{service, type}` moved.
pub fn errors_moved(before: &Scrape, after: &Scrape, service: &str, kind: &str) -> f64 {
    let labels = [("service", service), ("type", kind)];
    moved(before, after, "application_errors_total", &labels)
}
