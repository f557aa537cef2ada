//! The contract checks every lookout service passes (see
//! `service_runtime::testing::checks`), run against the real order-service binary.

mod support;

use service_runtime::testing::checks;
use support::TARGET;

#[test]
fn metrics_exposition_passes_promtool_with_help_on_every_metric() {
    checks::exposition(TARGET);
}

#[test]
fn ten_thousand_random_paths_add_no_series() {
    checks::cardinality(TARGET);
}

#[test]
fn unknown_routes_wrong_methods_and_large_bodies_answer_json() {
    checks::json_errors(TARGET);
}

#[test]
fn fault_control_injects_errors_and_latency_only_from_the_admin_port() {
    checks::fault_control(TARGET);
}

#[test]
fn a_public_admin_address_is_refused() {
    checks::admin_must_be_loopback(TARGET);
}

#[test]
fn sigterm_finishes_the_in_flight_request_and_exits_zero() {
    checks::graceful_shutdown(TARGET);
}
