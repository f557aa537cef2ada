//! Contract checks every lookout service must pass, shared so user-service and
//! order-service run exactly the same assertions: `/metrics` exposition (content
//! type, HELP on every metric, `promtool check metrics`), bounded label cardinality,
//! JSON errors, fault control, loopback-only admin, graceful SIGTERM.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use rand::Rng;
use rand::distr::Alphanumeric;

use super::{Scrape, Spawned, request, try_request};
use crate::catalog;

/// The service binary under test and the business route the checks exercise.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Path of the binary (`env!("CARGO_BIN_EXE_user-service")`).
    pub binary: &'static str,
    /// Service name, as in `lookout_build_info` and `/health`.
    pub service: &'static str,
    /// A business collection route answering GET (200) and POST but not DELETE.
    pub collection: &'static str,
}

impl Target {
    /// Starts the service on free ports, simulated latency off, plus `extra` flags.
    pub fn start(&self, extra: &[&str]) -> Spawned {
        let mut args = vec![
            "--port",
            "0",
            "--admin-port",
            "0",
            "--simulated-latency",
            "false",
        ];
        args.extend_from_slice(extra);
        Spawned::start(self.binary, &args, &["api", "admin"])
    }
}

/// The value of an `http_requests_total` series.
fn requests(scrape: &Scrape, method: &str, route: &str, status: &str) -> f64 {
    scrape.value(
        catalog::HTTP_REQUESTS_TOTAL,
        &[
            (catalog::LABEL_METHOD, method),
            (catalog::LABEL_ROUTE, route),
            (catalog::LABEL_STATUS_CODE, status),
        ],
    )
}

/// `/metrics` is served as text format 0.0.4, has HELP and TYPE for every metric,
/// includes the build-info and process metrics from start-up, and passes
/// `promtool check metrics` with no warnings. Fails if promtool is missing.
pub fn exposition(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    // Touch every kind of outcome so every metric family is in the payload.
    request(api, "GET", target.collection, None);
    request(api, "POST", target.collection, None);
    request(api, "POST", target.collection, Some(b"{"));
    for id in ["1", "999", "500"] {
        request(api, "GET", &format!("{}/{id}", target.collection), None);
    }
    request(api, "GET", "/no/such/route", None);
    let response = request(api, "GET", "/metrics", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some(crate::metrics::CONTENT_TYPE),
        "Prometheus 3 needs the text format content type"
    );
    let scrape = Scrape::parse(&response.body);
    let families: BTreeSet<&str> = scrape
        .samples
        .iter()
        .map(|sample| {
            let name = sample.name.as_str();
            ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    name.strip_suffix(suffix).filter(|base| {
                        catalog::spec(base)
                            .is_some_and(|spec| spec.kind == catalog::MetricKind::Histogram)
                    })
                })
                .unwrap_or(name)
        })
        .collect();
    for family in &families {
        let spec =
            catalog::spec(family).unwrap_or_else(|| panic!("{family} is not in the catalog"));
        assert!(
            response
                .body
                .contains(&format!("# HELP {family} {}\n", spec.help)),
            "{family}: no HELP"
        );
        assert!(
            response
                .body
                .contains(&format!("# TYPE {family} {}\n", spec.kind.as_str())),
            "{family}: wrong or missing TYPE"
        );
    }
    for required in [
        catalog::PROCESS_CPU_SECONDS_TOTAL,
        catalog::PROCESS_RESIDENT_MEMORY_BYTES,
        catalog::PROCESS_VIRTUAL_MEMORY_BYTES,
        catalog::PROCESS_OPEN_FDS,
        catalog::PROCESS_MAX_FDS,
        catalog::PROCESS_START_TIME_SECONDS,
        catalog::HTTP_REQUESTS_TOTAL,
        catalog::HTTP_REQUEST_DURATION_SECONDS,
    ] {
        assert!(
            families.contains(required),
            "{required} missing from /metrics"
        );
    }
    assert_eq!(
        scrape.value(
            catalog::LOOKOUT_BUILD_INFO,
            &[
                (catalog::LABEL_SERVICE, target.service),
                (catalog::LABEL_VERSION, env!("CARGO_PKG_VERSION"))
            ]
        ),
        1.0
    );
    promtool_check_metrics(&response.body);
}

/// Runs `promtool check metrics` on `text`; panics on any problem or if promtool is
/// not installed (never skips).
pub fn promtool_check_metrics(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| {
            panic!(
                "promtool is required (apt-get install prometheus, or the Nix devShell): {error}"
            )
        });
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(text.as_bytes())
        .expect("write to promtool");
    let output = child.wait_with_output().expect("promtool runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "promtool check metrics failed:\n{report}"
    );
    assert!(
        report.trim().is_empty(),
        "promtool check metrics warned:\n{report}"
    );
}

/// 10,000 random paths (unknown routes, and random ids under the collection) add
/// no series: unknown routes share `route="unmatched"`.
pub fn cardinality(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let item_prefix = format!("{}/", target.collection);
    // Create the series the random requests will land in.
    assert_eq!(request(api, "GET", "/warm-up", None).status, 404);
    assert_eq!(
        request(api, "GET", &format!("{item_prefix}warm-up"), None).status,
        404
    );
    // The first scrape creates the `/metrics` series themselves.
    Scrape::fetch(api);
    let before = Scrape::fetch(api);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let prefix = item_prefix.clone();
            std::thread::spawn(move || {
                let mut rng = rand::rng();
                for round in 0..2_500 {
                    let noise: String = (&mut rng)
                        .sample_iter(Alphanumeric)
                        .take(12)
                        .map(char::from)
                        .collect();
                    let path = if round % 2 == 0 {
                        format!("/{noise}/{}", rng.random::<u32>())
                    } else {
                        format!("{prefix}x{noise}")
                    };
                    let response = request(api, "GET", &path, None);
                    assert_eq!(response.status, 404, "{path}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("request thread");
    }
    let after = Scrape::fetch(api);
    assert_eq!(
        before.series_count(),
        after.series_count(),
        "random paths added series"
    );
    let unmatched = requests(&after, "GET", catalog::ROUTE_UNMATCHED, "404")
        - requests(&before, "GET", catalog::ROUTE_UNMATCHED, "404");
    assert_eq!(unmatched, 5_000.0);
    assert!(
        !after.text.contains("warm-up"),
        "a raw path leaked into a label"
    );
}

/// Unknown routes, wrong methods, odd methods and oversized bodies all answer JSON
/// and are counted with bounded labels.
pub fn json_errors(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let collection = target.collection;
    let before = Scrape::fetch(api);

    let unknown = request(api, "GET", "/definitely/not/here", None);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json(), serde_json::json!({"error": "Not found"}));

    let wrong_method = request(api, "DELETE", collection, None);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(
        wrong_method.json(),
        serde_json::json!({"error": "Method not allowed"})
    );
    assert!(
        wrong_method
            .header("allow")
            .is_some_and(|allow| allow.contains("GET"))
    );

    let odd_method = request(api, "BREW", collection, None);
    assert_eq!(odd_method.status, 405);

    let too_big = vec![b' '; 64 * 1024 + 1];
    let oversized = request(api, "POST", collection, Some(&too_big));
    assert_eq!(oversized.status, 413);
    assert!(
        oversized.json()["error"]
            .as_str()
            .is_some_and(|error| error.contains("64 KiB"))
    );

    let after = Scrape::fetch(api);
    let moved = |method: &str, route: &str, status: &str| {
        requests(&after, method, route, status) - requests(&before, method, route, status)
    };
    assert_eq!(moved("GET", catalog::ROUTE_UNMATCHED, "404"), 1.0);
    assert_eq!(moved("DELETE", collection, "405"), 1.0);
    assert_eq!(moved(catalog::METHOD_OTHER, collection, "405"), 1.0);
    assert_eq!(moved("POST", collection, "413"), 1.0);
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_promtool_check_fails_on_the_exercise_gauge_name() {
        let exercise =
            "# HELP active_users_total x\n# TYPE active_users_total gauge\nactive_users_total 1\n";
        let result = std::panic::catch_unwind(|| promtool_check_metrics(exercise));
        assert!(
            result.is_err(),
            "promtool accepted a gauge ending in _total"
        );
    }

    #[test]
    fn the_promtool_check_passes_on_a_clean_counter() {
        promtool_check_metrics(
            "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 1\n",
        );
    }
}
