//! The lookout traffic generator: replays the exercise's curl sequence against
//! user-service and order-service at a steady rate with a tunable mix, so that
//! dashboards have data and alerts fire on demand.

use service_runtime::ServiceInfo;

/// Identity of the generator: the `service.name` of its spans.
pub const SERVICE: ServiceInfo = ServiceInfo {
    name: "traffic-generator",
    version: env!("CARGO_PKG_VERSION"),
};

pub mod config;
pub mod duration;
pub mod mix;
pub mod pacer;
pub mod requester;
pub mod runner;
pub mod tally;
