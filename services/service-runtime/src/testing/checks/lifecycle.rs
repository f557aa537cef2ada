//! Fault control, the loopback-only admin listener, and graceful shutdown.

use std::process::Command;

use super::{Target, requests};
use crate::catalog;
use crate::testing::{Scrape, request, try_request};

/// Fault control: defaults off, PUT/DELETE change it, injected errors are JSON 500s
/// counted as 5xx, injected latency shows in the histogram, `/health` and
/// `/metrics` are never affected, bad settings get 400, and the public port has no
/// `/faults`.
pub fn fault_control(target: Target) {
    let service = target.start(&[]);
    let (api, admin) = (service.addr("api"), service.addr("admin"));
    let off = serde_json::json!({"latency_ms": 0, "error_ratio": 0.0});
    assert_eq!(request(admin, "GET", "/faults", None).json(), off);
    assert_eq!(
        request(api, "PUT", "/faults", Some(b"{\"error_ratio\":1}")).status,
        404
    );
    assert_eq!(
        request(admin, "GET", "/nothing", None).json(),
        serde_json::json!({"error": "Not found"})
    );

    let rejected = request(admin, "PUT", "/faults", Some(b"{\"error_ratio\": 2}"));
    assert_eq!(rejected.status, 400);
    assert!(
        rejected.json()["error"]
            .as_str()
            .is_some_and(|error| error.contains("error_ratio"))
    );
    let rejected = request(admin, "PUT", "/faults", Some(b"{\"latency_ms\": 60001}"));
    assert_eq!(rejected.status, 400);
    assert_eq!(
        request(admin, "PUT", "/faults", Some(b"not json")).status,
        400
    );

    let always_fail = request(admin, "PUT", "/faults", Some(b"{\"error_ratio\": 1}"));
    assert_eq!(always_fail.status, 200);
    assert_eq!(
        always_fail.json(),
        serde_json::json!({"latency_ms": 0, "error_ratio": 1.0})
    );
    let before = Scrape::fetch(api);
    let failed = request(api, "GET", target.collection, None);
    assert_eq!(failed.status, 500);
    assert_eq!(
        failed.json(),
        serde_json::json!({"error": "Internal server error"})
    );
    assert_eq!(request(api, "GET", "/health", None).status, 200);
    let after = Scrape::fetch(api);
    assert_eq!(
        requests(&after, "GET", target.collection, "500")
            - requests(&before, "GET", target.collection, "500"),
        1.0
    );

    let slow = request(admin, "PUT", "/faults", Some(b"{\"latency_ms\": 600}"));
    assert_eq!(
        slow.json(),
        serde_json::json!({"latency_ms": 600, "error_ratio": 0.0})
    );
    let labels = [
        (catalog::LABEL_METHOD, "GET"),
        (catalog::LABEL_ROUTE, target.collection),
    ];
    let bucket_labels = [labels[0], labels[1], ("le", "0.5")];
    let count_name = format!("{}_count", catalog::HTTP_REQUEST_DURATION_SECONDS);
    let bucket_name = format!("{}_bucket", catalog::HTTP_REQUEST_DURATION_SECONDS);
    let before = Scrape::fetch(api);
    assert_eq!(request(api, "GET", target.collection, None).status, 200);
    let after = Scrape::fetch(api);
    assert_eq!(
        after.value(&count_name, &labels) - before.value(&count_name, &labels),
        1.0
    );
    assert_eq!(
        after.value(&bucket_name, &bucket_labels),
        before.value(&bucket_name, &bucket_labels),
        "a request delayed 600 ms must land above the 0.5 s bucket"
    );

    assert_eq!(request(admin, "DELETE", "/faults", None).json(), off);
    assert_eq!(request(api, "GET", target.collection, None).status, 200);
}

/// A non-loopback admin address is refused at start-up with a one-line error.
pub fn admin_must_be_loopback(target: Target) {
    let output = Command::new(target.binary)
        .args([
            "--port",
            "0",
            "--admin-port",
            "0",
            "--admin-listen-address",
            "0.0.0.0",
        ])
        .output()
        .expect("binary runs");
    assert!(
        !output.status.success(),
        "a public admin address was accepted"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("loopback"), "unclear error: {stderr}");
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "error is not one line: {stderr}"
    );
}

/// SIGTERM lets an in-flight request finish, then the process exits 0 and stops
/// accepting connections.
pub fn graceful_shutdown(target: Target) {
    let mut service = target.start(&[]);
    let (api, admin) = (service.addr("api"), service.addr("admin"));
    // A 3 s injected latency keeps the request in flight while the signal arrives.
    assert_eq!(
        request(admin, "PUT", "/faults", Some(b"{\"latency_ms\": 3000}")).status,
        200
    );
    let collection = target.collection;
    let in_flight = std::thread::spawn(move || try_request(api, "GET", collection, None));
    // Give the request time to be accepted before the signal (not an assertion on time).
    std::thread::sleep(std::time::Duration::from_millis(1_000));
    service.terminate();
    let response = in_flight
        .join()
        .expect("request thread")
        .expect("in-flight request answered");
    assert_eq!(
        response.status, 200,
        "in-flight request must finish normally"
    );
    let status = service.wait();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(
        try_request(api, "GET", "/health", None).is_err(),
        "still accepting after shutdown"
    );
}
