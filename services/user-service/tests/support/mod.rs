//! Helpers shared by the user-service integration tests: start the real binary
//! and measure how much a series moved between two scrapes.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use service_runtime::testing::{Scrape, Spawned, checks::Target};

/// The binary under test.
pub(crate) const TARGET: Target = Target {
    binary: env!("CARGO_BIN_EXE_user-service"),
    service: "user-service",
    collection: "/users",
};

/// Starts user-service on free ports, simulated latency off.
pub(crate) fn start() -> Spawned {
    TARGET.start(&[])
}

/// How much `http_requests_total{method, route, status_code}` moved.
pub(crate) fn requests_moved(
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
    after.value("http_requests_total", &labels) - before.value("http_requests_total", &labels)
}

/// How much `business_operations_total{operation, status}` moved.
pub(crate) fn operations_moved(
    before: &Scrape,
    after: &Scrape,
    operation: &str,
    status: &str,
) -> f64 {
    let labels = [("operation", operation), ("status", status)];
    after.value("business_operations_total", &labels)
        - before.value("business_operations_total", &labels)
}

/// How much `application_errors_total{service="user-service", type}` moved.
pub(crate) fn errors_moved(before: &Scrape, after: &Scrape, kind: &str) -> f64 {
    let labels = [("service", "user-service"), ("type", kind)];
    after.value("application_errors_total", &labels)
        - before.value("application_errors_total", &labels)
}
