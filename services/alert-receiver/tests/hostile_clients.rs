//! Hostile clients against the real binary on loopback, each bound checked as the
//! test's assertion: stalled uploads do not delay a valid notification, and clients
//! that never read their `GET /alerts` answers hold bounded memory, for a bounded time.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{deliver, health_latency, notification, peak_rss_bytes, rss_bound, start};

/// Opens a connection and sends `head` (request line and headers, blank line included).
fn open(receiver: &service_runtime::testing::Spawned, head: &str) -> TcpStream {
    let mut stream = TcpStream::connect(receiver.addr("api")).expect("connects");
    stream.write_all(head.as_bytes()).expect("writes");
    stream
}

/// The status code of the answer read from `stream`.
fn status_of(mut stream: TcpStream) -> u16 {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut head = [0_u8; 12];
    stream.read_exact(&mut head).expect("an answer");
    String::from_utf8_lossy(&head[9..12])
        .parse()
        .expect("status code")
}

#[test]
fn a_hundred_stalled_uploads_do_not_delay_a_valid_notification() {
    let receiver = start(&["--webhook-body-timeout", "2s"]);
    // Each announces the largest accepted body (1 MiB: 100 of them would claim
    // 100 MiB of body budget up front) and sends one byte.
    let head = "POST /webhook HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\n\
                Content-Length: 1048576\r\n\r\n{";
    let stalled: Vec<TcpStream> = (0..100).map(|_| open(&receiver, head)).collect();
    // Let every stalled upload reach the handler first.
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    deliver(&receiver, &notification("webhook", "Valid", "firing"));
    let delay = started.elapsed();
    assert!(delay < Duration::from_secs(1), "delivery took {delay:?}");

    // Each stalled upload ends with 408 at its own deadline, not never.
    let started = Instant::now();
    for stream in stalled {
        assert_eq!(status_of(stream), 408);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A notification of about 0.9 MB made of `alerts` ordinary alerts (about 1.3 KB each).
fn ordinary_large_notification(name: &str, alerts: usize) -> Vec<u8> {
    let mut value: Value =
        serde_json::from_slice(&notification("webhook", name, "firing")).expect("JSON");
    let template = value["alerts"][0].clone();
    let list: Vec<Value> = (0..alerts)
        .map(|i| {
            let mut alert = template.clone();
            alert["labels"]["instance"] = format!("10.0.{}.{}:9100", i / 250, i % 250).into();
            alert["annotations"]["description"] = "d".repeat(900).into();
            alert
        })
        .collect();
    value["alerts"] = list.into();
    serde_json::to_vec(&value).expect("serializes")
}

#[test]
fn clients_that_never_read_alerts_answers_hold_bounded_memory_for_a_bounded_time() {
    let max = 32 * 1024 * 1024;
    let receiver = start(&["--capacity", "100000", "--alerts-send-timeout", "3s"]);
    for i in 0..20 {
        let body = ordinary_large_notification(&format!("Big{i:02}"), 650);
        assert!((800_000..1_000_000).contains(&body.len()), "{}", body.len());
        deliver(&receiver, &body);
    }
    let head = "GET /alerts?limit=10000 HTTP/1.1\r\nHost: receiver\r\n\r\n";
    let silent: Vec<TcpStream> = (0..60).map(|_| open(&receiver, head)).collect();
    // Each client reads its status line and nothing more: the answers have all been
    // built (or refused) by then, and the attack is at its peak.
    let statuses: Vec<u16> = silent
        .iter()
        .map(|stream| status_of(stream.try_clone().expect("clones")))
        .collect();
    // An answer small enough for the kernel's socket buffers frees its slot early, so
    // how many got one depends on timing; each got an answer or a 503, never nothing.
    assert!(
        statuses.iter().all(|status| [200, 503].contains(status)),
        "{statuses:?}"
    );
    let slowest = (0..10).map(|_| health_latency(&receiver)).max();
    let peak = peak_rss_bytes(receiver.pid());
    eprintln!(
        "60 silent /alerts clients: VmHWM {} MiB, /health at most {slowest:?}",
        peak >> 20
    );
    assert!(peak <= rss_bound(max), "VmHWM {peak} bytes");
    assert!(slowest < Some(Duration::from_secs(1)), "{slowest:?}");

    // Past the send timeout the slots are free again for a client that reads.
    std::thread::sleep(Duration::from_secs(3));
    let answer = support::alerts(&receiver, "?limit=10");
    assert_eq!(answer.len(), 10);
    drop(silent);
}
