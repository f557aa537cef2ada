//! SIGTERM against hostile clients (issue 10, item 1): idle, keep-alive and
//! half-sent connections are closed at once (exit 0 long before any timeout), and a
//! request that outlives the drain timeout does not hold the process past it.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use service_runtime::testing::hostile::{open_idle, read_until_closed};
use service_runtime::testing::request;

/// Waits for the process to exit, at most `bound`; returns how long it took.
fn exit_within(service: &mut service_runtime::testing::Spawned, bound: Duration) -> Duration {
    let signalled = Instant::now();
    let pid = service.pid();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // Polls /proc so the test owns no second handle on the child.
        while std::path::Path::new(&format!("/proc/{pid}/stat")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|stat| stat.contains(") Z "))
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = sender.send(());
    });
    receiver
        .recv_timeout(bound)
        .unwrap_or_else(|_| panic!("still running {bound:?} after SIGTERM"));
    let elapsed = signalled.elapsed();
    let status = service.wait();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    elapsed
}

#[test]
fn idle_and_half_sent_connections_do_not_delay_sigterm() {
    // Timeouts far beyond the bound: only closing at once can pass.
    let mut service = support::TARGET.start(&[
        "--header-timeout",
        "60s",
        "--body-timeout",
        "60s",
        "--drain-timeout",
        "30s",
    ]);
    let api = service.addr("api");
    let mut connections = open_idle(api, 4);
    connections[1]
        .write_all(b"GET /health HTTP/1.1\r\nHo")
        .expect("half a head");
    let body_head =
        format!("POST /users HTTP/1.1\r\nHost: {api}\r\nContent-Length: 1000\r\n\r\n{{\"na");
    connections[2]
        .write_all(body_head.as_bytes())
        .expect("half a body");
    let keep_alive = format!("GET /health HTTP/1.1\r\nHost: {api}\r\n\r\n");
    connections[3]
        .write_all(keep_alive.as_bytes())
        .expect("a keep-alive request");
    assert_eq!(request(api, "GET", "/health", None).status, 200);
    std::thread::sleep(Duration::from_millis(300));
    service.terminate();
    let took = exit_within(&mut service, Duration::from_secs(3));
    println!("exited {took:?} after SIGTERM with idle, half-sent and keep-alive connections open");
    for (index, connection) in connections.iter_mut().enumerate() {
        assert!(
            read_until_closed(connection, Duration::from_secs(1)).is_ok(),
            "connection {index} still open after exit"
        );
    }
}

#[test]
fn a_request_longer_than_the_drain_timeout_does_not_hold_sigterm() {
    let mut service = support::TARGET.start(&["--drain-timeout", "2s"]);
    let (api, admin) = (service.addr("api"), service.addr("admin"));
    let slow = request(admin, "PUT", "/faults", Some(b"{\"latency_ms\": 30000}"));
    assert_eq!(slow.status, 200);
    let mut in_flight = open_idle(api, 1).remove(0);
    let head = format!("GET /users/1 HTTP/1.1\r\nHost: {api}\r\n\r\n");
    in_flight.write_all(head.as_bytes()).expect("request sent");
    std::thread::sleep(Duration::from_millis(500));
    service.terminate();
    let took = exit_within(&mut service, Duration::from_secs(2 + 2));
    println!("exited {took:?} after SIGTERM with a 30 s request in flight (drain timeout 2 s)");
    assert!(
        took >= Duration::from_millis(1500),
        "the request in flight got no drain time ({took:?})"
    );
}
