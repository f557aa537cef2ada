//! Contract checks every lookout service must pass, shared so user-service and
//! order-service run exactly the same assertions: `/metrics` exposition (content
//! type, HELP on every metric, `promtool check metrics`), bounded label cardinality,
//! JSON errors, fault control, loopback-only admin, graceful SIGTERM, `/health`,
//! business series registered at start-up, concurrent creates, the failing
//! requests of the exercise (unknown ids, id 500, bad bodies), pages of the
//! collection, plain decimal ids, and non-reading clients of the largest page.
//! [`contract_tests!`](crate::contract_tests) turns them into one `#[test]` each.

mod business;
mod exposition;
mod failures;
mod http_errors;
mod lifecycle;
mod lists;
mod non_reading;

pub use business::{concurrent_creates, health, registered_at_start_up};
pub use exposition::{exposition, promtool_check_metrics};
pub use failures::{bad_bodies_are_400, id_500_is_a_server_error, unknown_ids_are_404};
pub use http_errors::{cardinality, json_errors};
pub use lifecycle::{admin_must_be_loopback, fault_control, graceful_shutdown};
pub use lists::{bad_page_parameters_are_400, ids_are_plain_decimal, pages};
pub use non_reading::non_reading_list_clients;

use super::{Scrape, Spawned};
use crate::catalog;

/// The service binary under test, the business route the checks exercise, and
/// what the service holds and exports at start-up.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Path of the binary (`env!("CARGO_BIN_EXE_user-service")`).
    pub binary: &'static str,
    /// Service name, as in `lookout_build_info` and `/health`.
    pub service: &'static str,
    /// The service crate's version (`env!("CARGO_PKG_VERSION")`), as in `lookout_build_info`.
    pub version: &'static str,
    /// A business collection route answering GET (200) with `{"total", "active", ...}`
    /// and POST (201 with a numeric `id`, also without a body) but not DELETE.
    pub collection: &'static str,
    /// The key of the item array in the collection's answer (`users`).
    pub list_key: &'static str,
    /// The business operation a GET on `collection` counts (`get_users`).
    pub list_operation: &'static str,
    /// The flag that sets the store's capacity (`--max-users`).
    pub capacity_flag: &'static str,
    /// A create body giving the largest item the API accepts (longest text of
    /// the characters JSON escapes most, largest numbers).
    pub largest_create_body: fn() -> Vec<u8>,
    /// The item route template, `<collection>/{id}` (`/users/{id}`).
    pub item_route: &'static str,
    /// The error of an unknown id (`User not found`).
    pub not_found: &'static str,
    /// The business operation a GET on `item_route` counts (`get_user`).
    pub get_operation: &'static str,
    /// The business operation a POST on `collection` counts (`create_user`).
    pub create_operation: &'static str,
    /// The gauge of active items (`active_users`).
    pub active_gauge: &'static str,
    /// The seeded items, before any request.
    pub seed: Seed,
}

/// What a service holds at start-up.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// Items listed (`total` of `GET <collection>`); new ids start after it.
    pub total: usize,
    /// The `active` count of `GET <collection>`.
    pub listed_active: usize,
    /// The value of [`Target::active_gauge`].
    pub active_gauge: usize,
}

/// Defines one `#[test]` per contract check against `$target` (a [`Target`]
/// expression), so every service runs the same checks under the same test names.
/// The concurrent-creates and non-reading-clients checks are left out: run each
/// in a test binary of its own, where its load overlaps nothing else.
#[macro_export]
macro_rules! contract_tests {
    ($target:expr) => {
        #[test]
        fn metrics_exposition_passes_promtool_with_help_on_every_metric() {
            $crate::testing::checks::exposition($target);
        }

        #[test]
        fn ten_thousand_random_paths_add_no_series() {
            $crate::testing::checks::cardinality($target);
        }

        #[test]
        fn unknown_routes_wrong_methods_and_large_bodies_answer_json() {
            $crate::testing::checks::json_errors($target);
        }

        #[test]
        fn fault_control_injects_errors_and_latency_only_from_the_admin_port() {
            $crate::testing::checks::fault_control($target);
        }

        #[test]
        fn a_public_admin_address_is_refused() {
            $crate::testing::checks::admin_must_be_loopback($target);
        }

        #[test]
        fn sigterm_finishes_the_in_flight_request_and_exits_zero() {
            $crate::testing::checks::graceful_shutdown($target);
        }

        #[test]
        fn health_answers_like_the_exercise() {
            $crate::testing::checks::health($target);
        }

        #[test]
        fn the_collection_is_listed_in_pages_with_the_full_total() {
            $crate::testing::checks::pages($target);
        }

        #[test]
        fn bad_limit_or_offset_answers_400_json() {
            $crate::testing::checks::bad_page_parameters_are_400($target);
        }

        #[test]
        fn ids_that_are_not_plain_decimal_are_unknown() {
            $crate::testing::checks::ids_are_plain_decimal($target);
        }

        #[test]
        fn gauges_and_build_info_are_exported_before_any_request() {
            $crate::testing::checks::registered_at_start_up($target);
        }
    };
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
