//! Reads of the order API over real HTTP against the real binary: each request of
//! the exercise's test section gives the Express app's status and JSON, and moves
//! exactly the metrics it should (each event counted once).

mod support;

use serde_json::json;
use service_runtime::testing::checks;
use service_runtime::testing::{Scrape, operations_moved, request, requests_moved};
use support::*;

#[test]
fn listing_orders_returns_the_seed_and_counts_one_get_orders() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/orders", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({
            "orders": [
                {"id": 1, "userId": 1, "product": "Laptop", "amount": 1200, "status": "completed"},
                {"id": 2, "userId": 2, "product": "Mouse", "amount": 25, "status": "pending"},
                {"id": 3, "userId": 1, "product": "Keyboard", "amount": 75, "status": "active"},
            ],
            "total": 3,
            "active": 1,
        })
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/orders", "200"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "get_orders", "success"),
        1.0
    );
}

#[test]
fn an_existing_order_is_returned() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/orders/3", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({"id": 3, "userId": 1, "product": "Keyboard", "amount": 75, "status": "active"})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/orders/{id}", "200"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "get_order", "success"),
        1.0
    );
}

#[test]
fn order_999_unknown_and_non_numeric_ids_are_404_json() {
    let paths = [
        "/orders/999",
        "/orders/77",
        "/orders/abc",
        "/orders/0",
        "/orders/%FF",
    ];
    // order-service has no application_errors_total: nothing more to check.
    checks::unknown_ids_are_404(TARGET, &paths, |_, _, _| {});
}

#[test]
fn order_500_is_a_server_error_counted_once() {
    checks::id_500_is_a_server_error(TARGET, |_, _, _| {});
}
