//! 1,000 concurrent creates against the real binary (see
//! `service_runtime::testing::checks::concurrent_creates`), in a test binary of
//! their own so their threads overlap no other test.

mod support;

use service_runtime::testing::checks;

#[test]
fn a_thousand_concurrent_creates_get_unique_ids() {
    checks::concurrent_creates(support::TARGET);
}
