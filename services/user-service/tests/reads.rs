//! Reads of the user API over real HTTP against the real binary: each request of
//! the exercise's test section gives the Flask app's status and JSON, and moves
//! exactly the metrics it should (each event counted once).

mod support;

use serde_json::json;
use service_runtime::testing::checks;
use service_runtime::testing::{Scrape, operations_moved, request, requests_moved};
use support::*;

#[test]
fn listing_users_returns_the_seed_and_counts_one_get_users() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/users", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({
            "users": [
                {"id": 1, "name": "Alice", "email": "alice@test.com", "active": true},
                {"id": 2, "name": "Bob", "email": "bob@test.com", "active": true},
                {"id": 3, "name": "Charlie", "email": "charlie@test.com", "active": false},
            ],
            "total": 3,
            "active": 2,
        })
    );
    let after = Scrape::fetch(api);
    assert_eq!(requests_moved(&before, &after, "GET", "/users", "200"), 1.0);
    assert_eq!(
        operations_moved(&before, &after, "get_users", "success"),
        1.0
    );
    let count = [("method", "GET"), ("route", "/users")];
    let observed = after.value("http_request_duration_seconds_count", &count)
        - before.value("http_request_duration_seconds_count", &count);
    assert_eq!(observed, 1.0, "one duration observation");
}

#[test]
fn an_existing_user_is_returned() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/users/2", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({"id": 2, "name": "Bob", "email": "bob@test.com", "active": true})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/users/{id}", "200"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "get_user", "success"),
        1.0
    );
}

#[test]
fn user_999_unknown_and_non_numeric_ids_are_404_json() {
    let paths = [
        "/users/999",
        "/users/42",
        "/users/abc",
        "/users/-1",
        "/users/1.5",
        "/users/%FF",
    ];
    checks::unknown_ids_are_404(TARGET, &paths, |path, before, after| {
        assert_eq!(errors_moved(before, after, "not_found"), 1.0, "{path}");
    });
}

#[test]
fn user_500_is_a_server_error_counted_once() {
    checks::id_500_is_a_server_error(TARGET, |_, before, after| {
        assert_eq!(
            errors_moved(before, after, "server_error"),
            1.0,
            "the exercise counts this twice"
        );
    });
}
