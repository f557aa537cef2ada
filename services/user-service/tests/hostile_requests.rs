//! Hostile requests (issue 10, items 1, 7 and 9): connections over the cap are
//! answered 503 and closed at once, the fault-control port refuses foreign `Host`
//! and `Origin` headers with 403 JSON, and requests hyper refuses by itself are
//! counted in `http_connection_errors_total{kind}`.

mod support;

use std::time::{Duration, Instant};

use service_runtime::server::conn_errors;
use service_runtime::testing::hostile::{
    connection_errors, connection_errors_reach, exchange, health_answers_within, open_idle, parse,
    status_of,
};
use service_runtime::testing::request;

const QUICK: Duration = Duration::from_secs(2);

#[test]
fn connections_over_the_cap_are_answered_503_and_closed_at_once() {
    let service =
        support::TARGET.start(&["--max-connections", "4", "--admin-max-connections", "2"]);
    let (api, admin) = (service.addr("api"), service.addr("admin"));
    for (addr, cap) in [(api, 4), (admin, 2)] {
        let held = open_idle(addr, cap);
        // Let the server accept them before the one too many.
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let raw = exchange(addr, b"", QUICK).expect("closed at once, not left waiting");
        let answer = parse(&raw).expect("a whole 503 response");
        assert_eq!(answer.status, 503);
        assert!(answer.json()["error"].is_string());
        println!(
            "over-cap connection on {addr} closed after {:?}",
            started.elapsed()
        );
        drop(held);
        assert!(
            health_answers_within(api, QUICK, QUICK).is_some(),
            "slots not released after the held connections closed"
        );
    }
    assert!(connection_errors(api, conn_errors::OVER_CAPACITY) >= 1.0);
}

#[test]
fn fault_control_refuses_foreign_host_and_origin_with_403_json() {
    let service = support::TARGET.start(&[]);
    let admin = service.addr("admin");
    let port = admin.port();
    let put = |host: &str, origin: Option<&str>| {
        let origin = origin
            .map(|origin| format!("Origin: {origin}\r\n"))
            .unwrap_or_default();
        let body = "{\"error_ratio\": 1}";
        let raw = format!(
            "PUT /faults HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        parse(&exchange(admin, raw.as_bytes(), QUICK).expect("answered")).expect("a response")
    };
    for (host, origin) in [
        ("evil.example".to_owned(), None),
        (format!("evil.example:{port}"), Some("http://evil.example")),
        (format!("127.0.0.1:{port}"), Some("http://evil.example")),
        (format!("localhost:{port}"), Some("null")),
    ] {
        let answer = put(&host, origin);
        assert_eq!(answer.status, 403, "Host {host}, Origin {origin:?}");
        assert!(answer.json()["error"].is_string());
    }
    let off = serde_json::json!({"latency_ms": 0, "error_ratio": 0.0});
    assert_eq!(
        request(admin, "GET", "/faults", None).json(),
        off,
        "a refused PUT changed the faults"
    );
    for host in [
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
    ] {
        assert_eq!(
            put(&host, Some(&format!("http://{host}"))).status,
            200,
            "Host {host}"
        );
    }
}

#[test]
fn requests_hyper_refuses_are_counted_by_kind() {
    let service = support::TARGET.start(&[]);
    let api = service.addr("api");
    let malformed_before = connection_errors(api, conn_errors::MALFORMED);
    let too_large_before = connection_errors(api, conn_errors::TOO_LARGE);
    let long_url = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70 * 1024));
    let many_headers = format!(
        "GET /health HTTP/1.1\r\nHost: x\r\n{}\r\n",
        (0..200)
            .map(|index| format!("X-H{index}: v\r\n"))
            .collect::<String>()
    );
    let cases: [(&str, Vec<u8>, u16); 4] = [
        (
            "raw non-UTF-8 path",
            b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "bad Content-Length",
            b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 12a\r\n\r\n".to_vec(),
            400,
        ),
        ("70 KB URL", long_url.into_bytes(), 414),
        ("200 headers", many_headers.into_bytes(), 431),
    ];
    for (name, raw, status) in cases {
        let answer = exchange(api, &raw, QUICK).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(
            status_of(&answer),
            Some(status),
            "{name}: {:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    let malformed = connection_errors_reach(api, conn_errors::MALFORMED, malformed_before + 2.0);
    let too_large = connection_errors_reach(api, conn_errors::TOO_LARGE, too_large_before + 2.0);
    assert_eq!(
        malformed - malformed_before,
        2.0,
        "malformed requests counted"
    );
    assert_eq!(too_large - too_large_before, 2.0, "oversized heads counted");
}
