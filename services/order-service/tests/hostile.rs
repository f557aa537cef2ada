//! 40 clients that never read the largest page of a full store (see
//! `service_runtime::testing::checks::non_reading_list_clients`), in a test binary
//! of their own so that their load and memory overlap no other test.

mod support;

use service_runtime::testing::checks;

#[test]
fn forty_non_reading_list_clients_stay_within_64_mib() {
    checks::non_reading_list_clients(support::TARGET);
}
