//! `--user-service-url`: `POST /orders` checks the order's user against a real
//! user-service over real HTTP (the binary under test, the peer in-process): 201
//! for a known user, 422 for an unknown one, 503 when user-service fails, is down,
//! stalls or answers nonsense, and the edge metrics counting each call.

mod support;

use std::net::SocketAddr;

use serde_json::json;
use service_runtime::faults::FaultSettings;
use service_runtime::testing::{HttpResponse, Scrape, Spawned, operations_moved, request};
use support::{TARGET, peers};

const TIMEOUT: &str = "300ms";

fn start_checking(user_service: SocketAddr) -> Spawned {
    let url = format!("http://{user_service}");
    TARGET.start(&[
        "--user-service-url",
        &url,
        "--user-service-timeout",
        TIMEOUT,
    ])
}

fn order_for(api: SocketAddr, user_id: u64) -> HttpResponse {
    let body = format!(r#"{{"userId": {user_id}, "product": "Monitor", "amount": 300}}"#);
    request(api, "POST", "/orders", Some(body.as_bytes()))
}

/// `http_client_requests_total{peer="user-service", method="GET", status_code}`.
fn edge_calls(scrape: &Scrape, status_code: &str) -> f64 {
    let labels = [
        ("peer", "user-service"),
        ("method", "GET"),
        ("status_code", status_code),
    ];
    scrape.value("http_client_requests_total", &labels)
}

fn edge_durations(scrape: &Scrape) -> f64 {
    scrape.value(
        "http_client_request_duration_seconds_count",
        &[("peer", "user-service")],
    )
}

fn assert_error(response: &HttpResponse, status: u16, needle: &str) {
    assert_eq!(response.status, status, "{}", response.body);
    let message = response.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains(needle),
        "{message:?} should contain {needle:?}"
    );
}

#[test]
fn known_users_get_their_order_unknown_ones_422_and_failures_503() {
    let users = peers::UserService::start();
    let service = start_checking(users.addr);
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    assert_eq!(edge_calls(&before, "error"), 0.0, "registered at 0");
    assert!(before.has(
        "http_client_requests_total",
        &[
            ("peer", "user-service"),
            ("method", "GET"),
            ("status_code", "timeout")
        ]
    ));

    let created = order_for(api, 2);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.json(),
        json!({"id": 4, "userId": 2, "product": "Monitor", "amount": 300, "status": "active"})
    );
    assert_error(&order_for(api, 42), 422, "Unknown user");
    // user-service's simulated database failure for id 500.
    assert_error(&order_for(api, 500), 503, "user-service answered 500");
    users.faults.set(FaultSettings {
        latency_ms: 0,
        error_ratio: 1.0,
    });
    assert_error(&order_for(api, 1), 503, "answered 500");

    let after = Scrape::fetch(api);
    assert_eq!(edge_calls(&after, "200"), 1.0);
    assert_eq!(edge_calls(&after, "404"), 1.0);
    assert_eq!(edge_calls(&after, "500"), 2.0);
    assert_eq!(
        edge_calls(&after, "error") + edge_calls(&after, "timeout"),
        0.0
    );
    assert_eq!(edge_durations(&after), 4.0);
    assert_eq!(
        operations_moved(&before, &after, "create_order", "success"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "create_order", "error"),
        3.0
    );
    // Only the checked order was stored.
    assert_eq!(request(api, "GET", "/orders", None).json()["total"], 4);
}

#[test]
fn a_user_service_that_is_down_or_silent_gives_503_within_the_timeout() {
    let down = start_checking(peers::refused());
    let api = down.addr("api");
    assert_error(&order_for(api, 1), 503, "unreachable");
    let scrape = Scrape::fetch(api);
    assert_eq!(edge_calls(&scrape, "error"), 1.0);
    assert_eq!(edge_durations(&scrape), 1.0);

    let silent = start_checking(peers::silent());
    let api = silent.addr("api");
    assert_error(&order_for(api, 1), 503, "did not answer within 300ms");
    assert_eq!(edge_calls(&Scrape::fetch(api), "timeout"), 1.0);

    // The real user-service, slower than the timeout.
    let users = peers::UserService::start();
    users.faults.set(FaultSettings {
        latency_ms: 5_000,
        error_ratio: 0.0,
    });
    let slow = start_checking(users.addr);
    let api = slow.addr("api");
    assert_error(&order_for(api, 1), 503, "did not answer within 300ms");
    let scrape = Scrape::fetch(api);
    assert_eq!(edge_calls(&scrape, "timeout"), 1.0);
    assert_eq!(request(api, "GET", "/orders", None).json()["total"], 3);
}

#[test]
fn answers_that_do_not_name_the_user_are_503() {
    let not_json = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello";
    let other_user = "HTTP/1.1 200 OK\r\ncontent-length: 8\r\nconnection: close\r\n\r\n{\"id\":9}";
    let huge = format!(
        "HTTP/1.1 200 OK\r\ncontent-length: {len}\r\nconnection: close\r\n\r\n{body}",
        len = 100 * 1024,
        body = "x".repeat(100 * 1024)
    );
    // A 404 that is not user-service's unknown user, as a wrong URL prefix gets.
    let route_404 = "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 21\r\nconnection: close\r\n\r\n{\"error\":\"Not found\"}";
    for (answer, message, status_code) in [
        (
            route_404.to_owned(),
            "404 without its unknown-user error",
            "404",
        ),
        (not_json.to_owned(), "invalid answer", "200"),
        (other_user.to_owned(), "invalid answer", "200"),
        (huge, "invalid answer", "error"),
    ] {
        let service = start_checking(peers::answering(answer));
        let api = service.addr("api");
        assert_error(&order_for(api, 1), 503, message);
        assert_eq!(
            edge_calls(&Scrape::fetch(api), status_code),
            1.0,
            "{message}"
        );
    }
}

#[test]
fn without_the_flag_orders_are_not_checked() {
    let service = support::start();
    let api = service.addr("api");
    assert_eq!(order_for(api, 42).status, 201);
    let scrape = Scrape::fetch(api);
    assert!(
        scrape
            .samples
            .iter()
            .all(|sample| !sample.name.starts_with("http_client_")),
        "no edge series without a peer"
    );
}
