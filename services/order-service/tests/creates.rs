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
    let control = format!(r#"{{"product": "{}"}}"#, "\\u0001".repeat(256));
    let long = format!(r#"{{"product": "{}"}}"#, "x".repeat(257));
    let cases: [(&[u8], &str); 13] = [
        (b"{\"userId\": 1,", "invalid JSON"),
        (b"\"text\"", "JSON object"),
        (br#"{"userId": "one"}"#, "'userId'"),
        (br#"{"amount": -5}"#, "'amount' must be more than 0"),
        (br#"{"amount": "300"}"#, "'amount' must be a number"),
        (br#"{"product": ""}"#, "'product' must not be empty"),
        (
            control.as_bytes(),
            "'product' must not contain control characters",
        ),
        (
            br#"{"product": "Mon\nitor"}"#,
            "'product' must not contain control",
        ),
        (long.as_bytes(), "'product' must be at most 256 bytes"),
        (
            br#"{"amount": 12345678901234567890123}"#,
            "'amount' must be at most 1000000000",
        ),
        (
            br#"{"amount": 1000000000.5}"#,
            "'amount' must be at most 1000000000",
        ),
        (br#"{"amount": 0}"#, "'amount' must be more than 0"),
        (br#"{"amount": 1e999}"#, "invalid JSON"),
    ];
    // order-service has no application_errors_total: nothing more to check.
    checks::bad_bodies_are_400(TARGET, &cases, |_, _, _| {});
}

#[test]
fn amounts_are_answered_as_stored_by_every_route() {
    let service = start();
    let api = service.addr("api");
    let cases = [
        ("1000000000", "1000000000"),
        ("19.99", "19.99"),
        ("0.1", "0.1"),
        ("1e2", "100.0"),
        ("5e-324", "5e-324"),
    ];
    for (id, (sent, stored)) in (4..).zip(cases) {
        let body = format!(r#"{{"product": "Cable", "amount": {sent}}}"#);
        let created = request(api, "POST", "/orders", Some(body.as_bytes()));
        assert_eq!(created.status, 201, "{sent}: {}", created.body);
        let expected = format!(
            r#"{{"id":{id},"userId":1,"product":"Cable","amount":{stored},"status":"active"}}"#
        );
        assert_eq!(created.body, expected, "{sent}");
        let read = request(api, "GET", &format!("/orders/{id}"), None);
        assert_eq!(read.body, expected, "{sent}");
    }
    let listed = request(api, "GET", "/orders?offset=3", None);
    let amounts: Vec<String> = listed.json()["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .map(|order| order["amount"].to_string())
        .collect();
    let stored: Vec<&str> = cases.iter().map(|(_, stored)| *stored).collect();
    assert_eq!(amounts, stored);
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
