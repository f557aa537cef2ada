//! The contract checks every lookout service passes (see
//! `service_runtime::testing::checks`), run against the real order-service binary.

mod support;

service_runtime::contract_tests!(support::TARGET);
