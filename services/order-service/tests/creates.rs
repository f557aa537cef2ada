//! Creates over real HTTP against the real binary: the exercise's requests, the
//! defaults, bad bodies (400 naming the problem) and a full store (507), with the
//! metrics each one moves.

mod support;

use serde_json::json;
use service_runtime::testing::checks;
use service_runtime::testing::{Scrape, operations_moved, request, requests_moved};
use support::*;

#[test]
fn creating_the_exercise_order_returns_it_active() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let body = br#"{"userId": 1, "product": "Monitor", "amount": 300}"#;
    let response = request(api, "POST", "/orders", Some(body));
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "userId": 1, "product": "Monitor", "amount": 300, "status": "active"})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/orders", "201"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "create_order", "success"),
        1.0
    );
    assert_eq!(after.value("active_orders", &[]), 3.0);
}

#[test]
fn missing_fields_take_the_exercise_defaults() {
    let service = start();
    let api = service.addr("api");
    let response = request(api, "POST", "/orders", None);
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "userId": 1, "product": "Unknown Product", "amount": 0, "status": "active"})
    );
    let partial = request(api, "POST", "/orders", Some(br#"{"product": "Cable"}"#));
    assert_eq!(
        partial.json(),
        json!({"id": 5, "userId": 1, "product": "Cable", "amount": 0, "status": "active"})
    );
}

#[test]
fn bad_bodies_are_400_json_naming_the_problem() {
    let cases: [(&[u8], &str); 6] = [
        (b"{\"userId\": 1,", "invalid JSON"),
        (b"\"text\"", "JSON object"),
        (br#"{"userId": "one"}"#, "'userId'"),
        (br#"{"amount": -5}"#, "'amount' must be more than 0"),
        (br#"{"amount": "300"}"#, "'amount' must be a number"),
        (br#"{"product": ""}"#, "'product' must not be empty"),
    ];
    // order-service has no application_errors_total: nothing more to check.
    checks::bad_bodies_are_400(TARGET, &cases, |_, _, _| {});
}

#[test]
fn a_full_store_answers_507_json_and_keeps_its_orders() {
    let service = TARGET.start(&["--max-orders", "3"]);
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "POST", "/orders", None);
    assert_eq!(response.status, 507);
    let error = response.json()["error"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(error.contains("full"), "{error}");
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/orders", "507"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "create_order", "error"),
        1.0
    );
    assert_eq!(after.value("active_orders", &[]), 2.0);
}
