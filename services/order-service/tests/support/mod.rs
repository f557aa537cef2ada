//! The order-service binary as the integration tests see it: what
//! `service_runtime::testing::checks` needs to run the shared checks against it.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

pub(crate) mod peers;

use service_runtime::testing::Spawned;
use service_runtime::testing::checks::{Seed, Target};

/// The binary under test.
pub(crate) const TARGET: Target = Target {
    binary: env!("CARGO_BIN_EXE_order-service"),
    service: "order-service",
    version: env!("CARGO_PKG_VERSION"),
    collection: "/orders",
    list_key: "orders",
    list_operation: "get_orders",
    capacity_flag: "--max-orders",
    largest_create_body: largest_order,
    item_route: "/orders/{id}",
    not_found: "Order not found",
    get_operation: "get_order",
    create_operation: "create_order",
    active_gauge: "active_orders",
    seed: SEED,
};

/// The exercise's seed: three orders, one "active" and one "pending" (both in the gauge).
const SEED: Seed = Seed {
    total: 3,
    listed_active: 1,
    active_gauge: 2,
};

/// An order of the largest ids, the longest product (256 backslashes, 512 bytes
/// once escaped as JSON) and the longest amount.
fn largest_order() -> Vec<u8> {
    let product = "\\\\".repeat(256);
    format!(
        r#"{{"userId": 18446744073709551615, "product": "{product}", "amount": 1.2345678901234567e-300}}"#
    )
    .into_bytes()
}

/// Starts order-service on free ports, simulated latency off.
pub(crate) fn start() -> Spawned {
    TARGET.start(&[])
}
