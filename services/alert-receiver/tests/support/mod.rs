//! Shared helpers of the alert receiver's HTTP tests: start the real binary on a free
//! port and build realistic notifications from the Alertmanager 0.25 fixtures.

#![allow(dead_code, unreachable_pub)]

use serde_json::Value;
use service_runtime::testing::{HttpResponse, Spawned, request};

/// The real firing notification captured from Alertmanager 0.25.
pub const FIRING: &str = include_str!("../fixtures/alertmanager-0.25-firing.json");
/// The real resolved notification captured from Alertmanager 0.25.
pub const RESOLVED: &str = include_str!("../fixtures/alertmanager-0.25-resolved.json");

/// Starts `alert-receiver --port 0` plus `args`, waiting until it listens.
pub fn start(args: &[&str]) -> Spawned {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    Spawned::start(env!("CARGO_BIN_EXE_alert-receiver"), &all, &["api"])
}

/// The firing fixture rewritten for `receiver`, with both alerts named `alertname`
/// and carrying `status` (the notification's own status follows the alerts).
pub fn notification(receiver: &str, alertname: &str, status: &str) -> Vec<u8> {
    let mut value: Value = serde_json::from_str(FIRING).expect("fixture is JSON");
    value["receiver"] = receiver.into();
    value["status"] = status.into();
    value["groupKey"] = format!("{{}}:{{alertname=\"{alertname}\"}}").into();
    value["groupLabels"]["alertname"] = alertname.into();
    value["commonLabels"]["alertname"] = alertname.into();
    for alert in value["alerts"].as_array_mut().expect("alerts array") {
        alert["status"] = status.into();
        alert["labels"]["alertname"] = alertname.into();
    }
    serde_json::to_vec(&value).expect("serializes")
}

/// POSTs a JSON body to `/webhook`.
pub fn post(receiver: &Spawned, body: &[u8]) -> HttpResponse {
    request(receiver.addr("api"), "POST", "/webhook", Some(body))
}

/// POSTs and asserts the notification was accepted.
pub fn deliver(receiver: &Spawned, body: &[u8]) {
    let response = post(receiver, body);
    assert_eq!(response.status, 200, "webhook answered {}", response.body);
    assert_eq!(response.json()["status"], "accepted");
}

/// `GET /alerts` with `query` (e.g. `?status=firing`), asserting a 200.
pub fn alerts(receiver: &Spawned, query: &str) -> Vec<Value> {
    let response = request(
        receiver.addr("api"),
        "GET",
        &format!("/alerts{query}"),
        None,
    );
    assert_eq!(response.status, 200, "/alerts answered {}", response.body);
    let page = response.json();
    let alerts = page["alerts"].as_array().expect("alerts array").clone();
    assert_eq!(page["total"], alerts.len());
    alerts
}

/// The `alertname` label of each alert, in order.
pub fn alertnames(alerts: &[Value]) -> Vec<String> {
    alerts
        .iter()
        .map(|alert| {
            alert["labels"]["alertname"]
                .as_str()
                .expect("alertname")
                .to_owned()
        })
        .collect()
}

/// Sends `head` (request line and headers, without the blank line) and `body` as
/// they are, for requests `service_runtime::testing::request` cannot express (no or
/// another Content-Type). Returns the status and the body parsed as JSON.
pub fn raw(receiver: &Spawned, head: &str, body: &[u8]) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = receiver.addr("api");
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    let head = format!(
        "{head}\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("writes head");
    stream.write_all(body).expect("writes body");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("reads response");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let (_, body) = response.split_once("\r\n\r\n").expect("head ends");
    let json = serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    (status, json)
}

/// The peak resident memory (`VmHWM`) of process `pid`, in bytes.
pub fn peak_rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|number| number.trim().parse().ok())
        .expect("VmHWM line");
    kib * 1024
}

/// What the receiver's memory model allows with `--max-memory-bytes` `max`:
/// twice the bound plus 32 MiB for the fixed baseline.
pub fn rss_bound(max: u64) -> u64 {
    2 * max + 32 * 1024 * 1024
}

/// How long `GET /health` takes to answer 200.
pub fn health_latency(receiver: &Spawned) -> std::time::Duration {
    let started = std::time::Instant::now();
    let response = request(receiver.addr("api"), "GET", "/health", None);
    assert_eq!(response.status, 200);
    started.elapsed()
}
