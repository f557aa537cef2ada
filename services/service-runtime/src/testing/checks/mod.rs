//! Contract checks every lookout service must pass, shared so user-service and
//! order-service run exactly the same assertions: `/metrics` exposition (content
//! type, HELP on every metric, `promtool check metrics`), bounded label cardinality,
//! JSON errors, fault control, loopback-only admin, graceful SIGTERM.

mod exposition;
mod http_errors;
mod lifecycle;

pub use exposition::{exposition, promtool_check_metrics};
pub use http_errors::{cardinality, json_errors};
pub use lifecycle::{admin_must_be_loopback, fault_control, graceful_shutdown};

use super::{Scrape, Spawned};
use crate::catalog;

/// The service binary under test and the business route the checks exercise.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Path of the binary (`env!("CARGO_BIN_EXE_user-service")`).
    pub binary: &'static str,
    /// Service name, as in `lookout_build_info` and `/health`.
    pub service: &'static str,
    /// A business collection route answering GET (200) and POST but not DELETE.
    pub collection: &'static str,
}

impl Target {
    /// Starts the service on free ports, simulated latency off, plus `extra` flags.
    pub fn start(&self, extra: &[&str]) -> Spawned {
        let mut args = vec![
            "--port",
            "0",
            "--admin-port",
            "0",
            "--simulated-latency",
            "false",
        ];
        args.extend_from_slice(extra);
        Spawned::start(self.binary, &args, &["api", "admin"])
    }
}

/// The value of an `http_requests_total` series.
pub(super) fn requests(scrape: &Scrape, method: &str, route: &str, status: &str) -> f64 {
    scrape.value(
        catalog::HTTP_REQUESTS_TOTAL,
        &[
            (catalog::LABEL_METHOD, method),
            (catalog::LABEL_ROUTE, route),
            (catalog::LABEL_STATUS_CODE, status),
        ],
    )
}
