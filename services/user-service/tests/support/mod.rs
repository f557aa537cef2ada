//! The user-service binary as the integration tests see it: what
//! `service_runtime::testing::checks` needs to run the shared checks against it.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use service_runtime::testing::checks::{Seed, Target};
use service_runtime::testing::{Scrape, Spawned};

/// The binary under test.
pub(crate) const TARGET: Target = Target {
    binary: env!("CARGO_BIN_EXE_user-service"),
    service: "user-service",
    version: env!("CARGO_PKG_VERSION"),
    collection: "/users",
    list_key: "users",
    list_operation: "get_users",
    capacity_flag: "--max-users",
    largest_create_body: largest_user,
    item_route: "/users/{id}",
    not_found: "User not found",
    get_operation: "get_user",
    create_operation: "create_user",
    active_gauge: "active_users",
    seed: SEED,
};

/// The exercise's seed: three users, two of them active.
const SEED: Seed = Seed {
    total: 3,
    listed_active: 2,
    active_gauge: 2,
};

/// A user of the longest name and e-mail: 256 backslashes each, 512 bytes each
/// once escaped as JSON.
fn largest_user() -> Vec<u8> {
    let text = "\\\\".repeat(256);
    format!(r#"{{"name": "{text}", "email": "{text}", "active": false}}"#).into_bytes()
}

/// Starts user-service on free ports, simulated latency off.
pub(crate) fn start() -> Spawned {
    TARGET.start(&[])
}

/// How much `application_errors_total{service="user-service", type}` moved.
pub(crate) fn errors_moved(before: &Scrape, after: &Scrape, kind: &str) -> f64 {
    service_runtime::testing::errors_moved(before, after, TARGET.service, kind)
}
