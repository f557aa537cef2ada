//! The user API over real HTTP against the real binary: every request of the
//! exercise's test section gives the Flask app's status and JSON, and moves exactly
//! the metrics it should (each event counted once).

use serde_json::json;
use service_runtime::testing::{Scrape, Spawned, checks::Target, request};

const TARGET: Target = Target {
    binary: env!("CARGO_BIN_EXE_user-service"),
    service: "user-service",
    collection: "/users",
};

fn start() -> Spawned {
    TARGET.start(&[])
}

/// How much each listed series moved between two scrapes.
fn moved(before: &Scrape, after: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    after.value(name, labels) - before.value(name, labels)
}

fn http(method: &str, route: &str, status: &str) -> [(&'static str, String); 3] {
    [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status_code", status.to_owned()),
    ]
}

fn requests_moved(before: &Scrape, after: &Scrape, method: &str, route: &str, status: &str) -> f64 {
    let labels = http(method, route, status);
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    moved(before, after, "http_requests_total", &labels)
}

fn operation(name: &str, status: &str) -> [(&'static str, String); 2] {
    [
        ("operation", name.to_owned()),
        ("status", status.to_owned()),
    ]
}

fn operations_moved(before: &Scrape, after: &Scrape, name: &str, status: &str) -> f64 {
    let labels = operation(name, status);
    let labels: Vec<(&str, &str)> = labels
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    moved(before, after, "business_operations_total", &labels)
}

fn errors_moved(before: &Scrape, after: &Scrape, kind: &str) -> f64 {
    moved(
        before,
        after,
        "application_errors_total",
        &[("service", "user-service"), ("type", kind)],
    )
}

#[test]
fn gauges_and_build_info_are_exported_before_any_request() {
    let service = start();
    let first = Scrape::fetch(service.addr("api"));
    assert_eq!(first.value("active_users", &[]), 2.0);
    assert!(
        first.has(
            "business_operations_total",
            &[("operation", "create_user"), ("status", "success")]
        ),
        "business series are registered at 0 from start-up"
    );
    assert!(first.has(
        "lookout_build_info",
        &[
            ("service", "user-service"),
            ("version", env!("CARGO_PKG_VERSION"))
        ]
    ));
}

#[test]
fn health_answers_like_the_exercise() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/health", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({"status": "healthy", "service": "user-service"})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/health", "200"),
        1.0
    );
}

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
    assert_eq!(
        moved(
            &before,
            &after,
            "http_request_duration_seconds_count",
            &count
        ),
        1.0
    );
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
    let service = start();
    let api = service.addr("api");
    for path in [
        "/users/999",
        "/users/42",
        "/users/abc",
        "/users/-1",
        "/users/1.5",
    ] {
        let before = Scrape::fetch(api);
        let response = request(api, "GET", path, None);
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(
            response.json(),
            json!({"error": "User not found"}),
            "{path}"
        );
        let after = Scrape::fetch(api);
        assert_eq!(
            requests_moved(&before, &after, "GET", "/users/{id}", "404"),
            1.0,
            "{path}"
        );
        assert_eq!(errors_moved(&before, &after, "not_found"), 1.0, "{path}");
        assert_eq!(
            operations_moved(&before, &after, "get_user", "not_found"),
            1.0,
            "{path}"
        );
    }
}

#[test]
fn user_500_is_a_server_error_counted_once() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/users/500", None);
    assert_eq!(response.status, 500);
    assert_eq!(response.json(), json!({"error": "Internal server error"}));
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/users/{id}", "500"),
        1.0
    );
    assert_eq!(
        errors_moved(&before, &after, "server_error"),
        1.0,
        "the exercise counts this twice"
    );
    assert_eq!(operations_moved(&before, &after, "get_user", "error"), 1.0);
}

#[test]
fn creating_a_user_without_body_follows_the_exercise() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "POST", "/users", None);
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "name": "User4", "email": "user4@test.com", "active": true})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/users", "201"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "create_user", "success"),
        1.0
    );
    assert_eq!(after.value("active_users", &[]), 3.0);
    assert_eq!(
        request(api, "GET", "/users/4", None).json()["name"],
        "User4"
    );
}

#[test]
fn creating_a_user_with_fields_keeps_them() {
    let service = start();
    let api = service.addr("api");
    let body = br#"{"name": "Dana", "email": "dana@test.com", "active": false}"#;
    let response = request(api, "POST", "/users", Some(body));
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "name": "Dana", "email": "dana@test.com", "active": false})
    );
    assert_eq!(Scrape::fetch(api).value("active_users", &[]), 2.0);
}

#[test]
fn bad_bodies_are_400_json_naming_the_problem() {
    let service = start();
    let api = service.addr("api");
    let cases: [(&[u8], &str); 4] = [
        (b"{not json", "invalid JSON"),
        (b"[1]", "JSON object"),
        (br#"{"name": 12}"#, "'name' must be a string"),
        (br#"{"email": ""}"#, "'email' must not be empty"),
    ];
    for (body, expected) in cases {
        let before = Scrape::fetch(api);
        let response = request(api, "POST", "/users", Some(body));
        assert_eq!(response.status, 400);
        let error = response.json()["error"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(
            error.contains(expected),
            "{error:?} should name {expected:?}"
        );
        let after = Scrape::fetch(api);
        assert_eq!(
            requests_moved(&before, &after, "POST", "/users", "400"),
            1.0
        );
        assert_eq!(errors_moved(&before, &after, "validation_error"), 1.0);
        assert_eq!(
            operations_moved(&before, &after, "create_user", "error"),
            1.0
        );
    }
    assert_eq!(
        request(api, "GET", "/users", None).json()["total"],
        3,
        "nothing was stored"
    );
}

#[test]
fn a_full_store_answers_507_json_and_keeps_its_users() {
    let service = TARGET.start(&["--max-users", "4"]);
    let api = service.addr("api");
    assert_eq!(request(api, "POST", "/users", None).status, 201);
    let before = Scrape::fetch(api);
    let response = request(api, "POST", "/users", None);
    assert_eq!(response.status, 507);
    let error = response.json()["error"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(error.contains("full"), "{error}");
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/users", "507"),
        1.0
    );
    assert_eq!(errors_moved(&before, &after, "capacity_exceeded"), 1.0);
    assert_eq!(
        operations_moved(&before, &after, "create_user", "error"),
        1.0
    );
    assert_eq!(request(api, "GET", "/users", None).json()["total"], 4);
}
