//! The hop carries the trace: with tracing on, order-service's call to user-service
//! sends a `traceparent` in the trace of the `POST /orders` that caused it, naming a
//! span of its own (the client span) as parent; with tracing off it sends none.
//! The real binary over real sockets; the span tree itself is checked by the edge
//! client's tests and the end-to-end test.

mod support;

use std::time::Duration;

use service_runtime::testing::hostile::{exchange, parse};
use support::{TARGET, peers};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID: &str = "00f067aa0ba902b7";

/// user-service's answer for user 1.
fn user_one() -> String {
    let body = r#"{"id":1,"name":"Alice","email":"alice@example.com","active":true}"#;
    let length = body.len();
    format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n{body}")
}

/// `POST /orders` for user 1 sent with our sampled `traceparent`; the status.
fn traced_order(api: std::net::SocketAddr) -> u16 {
    order(api, Some(&format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01")))
}

/// `POST /orders` for user 1, with `traceparent` when given; the status.
fn order(api: std::net::SocketAddr, traceparent: Option<&str>) -> u16 {
    let body = r#"{"userId": 1}"#;
    let traceparent =
        traceparent.map_or_else(String::new, |value| format!("traceparent: {value}\r\n"));
    let request = format!(
        "POST /orders HTTP/1.1\r\nhost: test\r\n{traceparent}\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let raw = exchange(api, request.as_bytes(), Duration::from_secs(30)).expect("answered");
    parse(&raw).expect("an HTTP answer").status
}

/// The `traceparent` value of a raw request head.
fn traceparent(head: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("traceparent")
            .then(|| value.trim().to_owned())
    })
}

#[test]
fn with_tracing_on_the_check_continues_the_callers_trace() {
    let (users, heads) = peers::recording(user_one());
    // Spans go nowhere (refused): export failures never touch the requests.
    let collector = format!("http://{}", peers::refused());
    let url = format!("http://{users}");
    let service = TARGET.start(&["--user-service-url", &url, "--otlp-endpoint", &collector]);
    assert_eq!(traced_order(service.addr("api")), 201);
    let heads = heads.lock().expect("not poisoned").clone();
    let [head] = &heads[..] else {
        panic!("one check expected: {heads:?}")
    };
    let sent = traceparent(head).unwrap_or_else(|| panic!("no traceparent in {head}"));
    let parts: Vec<&str> = sent.split('-').collect();
    assert_eq!(parts.len(), 4, "{sent}");
    assert_eq!(parts[0], "00", "{sent}");
    assert_eq!(parts[1], TRACE_ID, "the caller's trace: {sent}");
    assert_ne!(
        parts[2], CALLER_SPAN_ID,
        "order-service's own span is the parent: {sent}"
    );
    assert_eq!(parts[3], "01", "sampled, as the caller asked: {sent}");
}

#[test]
fn with_tracing_off_no_traceparent_is_sent() {
    let (users, heads) = peers::recording(user_one());
    let service = TARGET.start(&["--user-service-url", &format!("http://{users}")]);
    assert_eq!(traced_order(service.addr("api")), 201);
    let heads = heads.lock().expect("not poisoned").clone();
    assert_eq!(heads.len(), 1);
    assert_eq!(traceparent(&heads[0]), None, "{}", heads[0]);
}

/// order-service at `ratio`, exporting to a collector that keeps request heads,
/// sends `orders` (their `traceparent`, if any) and stops (flushing its spans).
/// The `traceparent` user-service received for each, and the exports' heads.
fn orders_at_ratio(ratio: &str, orders: &[Option<&str>]) -> (Vec<String>, Vec<String>) {
    let (users, heads) = peers::recording(user_one());
    let accepted = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
    let (collector, exports) = peers::recording(accepted.to_owned());
    let mut service = TARGET.start(&[
        "--user-service-url",
        &format!("http://{users}"),
        "--otlp-endpoint",
        &format!("http://{collector}"),
        "--trace-sample-ratio",
        ratio,
    ]);
    for traceparent in orders {
        assert_eq!(order(service.addr("api"), *traceparent), 201);
    }
    service.terminate();
    assert!(service.wait().success());
    let heads = heads.lock().expect("not poisoned").clone();
    let sent = heads
        .iter()
        .map(|head| traceparent(head).unwrap_or_else(|| panic!("no traceparent in {head}")))
        .collect();
    let exports = exports.lock().expect("not poisoned").clone();
    (sent, exports)
}

#[test]
fn an_unsampled_order_is_not_recorded_and_tells_user_service_so() {
    let unsampled = format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-00");
    // An unsampled caller, then a root drawn out at ratio 0.
    let (sent, exports) = orders_at_ratio("0", &[Some(&unsampled), None]);
    let [followed, drawn_out] = &sent[..] else {
        panic!("two checks expected: {sent:?}")
    };
    assert_eq!(followed, &unsampled, "the caller's trace, not sampled");
    let parts: Vec<&str> = drawn_out.split('-').collect();
    assert_eq!(parts.len(), 4, "{drawn_out}");
    assert_ne!(parts[1], TRACE_ID, "a trace of its own: {drawn_out}");
    assert_eq!(parts[3], "00", "not sampled: {drawn_out}");
    assert!(exports.is_empty(), "nothing exported: {exports:?}");
    // The same collector does receive a sampled caller's spans at ratio 0.
    let (sent, exports) =
        orders_at_ratio("0", &[Some(&format!("00-{TRACE_ID}-{CALLER_SPAN_ID}-01"))]);
    assert!(sent[0].ends_with("-01"), "{sent:?}");
    assert!(
        exports
            .iter()
            .any(|head| head.starts_with("POST /v1/traces")),
        "{exports:?}"
    );
}
