//! Answer bodies are read up to `--max-body-bytes` and discarded as they arrive: a
//! server that streams an endless body gets its requests cut and counted as errors
//! (`body_too_large`), the run ends on time, and the generator's memory stays
//! bounded even when the limit is huge.

mod support;

use std::process::Stdio;
use std::time::Duration;

use service_runtime::shutdown::Shutdown;
use support::plan;
use support::streaming::{Body, StreamingServer};
use tokio::process::Command;
use traffic_generator::mix::Shares;
use traffic_generator::runner::{Plan, run};
use traffic_generator::tally::Snapshot;

/// A hung run fails the test instead of hanging it.
const GUARD: Duration = Duration::from_secs(60);
/// Peak resident memory allowed to the (debug) binary against an endless body.
const MAX_PEAK_RSS_KIB: u64 = 64 * 1024;

/// Reads only: every request is a `GET`, the body limit is the only variable.
const READS: Shares = Shares {
    error: 0.0,
    not_found: 0.0,
    create: 0.0,
};

/// A short run against `server` (as both services) with `max_body_bytes`.
async fn run_against(server: &StreamingServer, max_body_bytes: u64) -> Snapshot {
    let plan = Plan {
        max_body_bytes,
        // Far longer than the run: if the limit did not cut the endless bodies,
        // they would end as timeouts, and the run would last 30 s.
        timeout: Duration::from_secs(30),
        ..plan(
            server.url(),
            server.url(),
            40.0,
            Some(Duration::from_millis(300)),
            READS,
        )
    };
    tokio::time::timeout(GUARD, run(plan, Shutdown::new()))
        .await
        .expect("the run ends by itself")
        .expect("the run succeeds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_limit_and_counted_as_an_error() {
    let server = StreamingServer::start(Body::Endless).await;
    let summary = run_against(&server, 256 * 1024).await;
    assert!(summary.sent >= 1, "{summary:?}");
    assert_eq!(summary.body_too_large, summary.sent, "{summary:?}");
    assert_eq!(summary.errors, summary.sent, "{summary:?}");
    assert_eq!(
        (summary.timeouts, summary.status_2xx),
        (0, 0),
        "{summary:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_of_exactly_the_limit_is_an_answer_and_one_byte_more_is_an_error() {
    const LIMIT: usize = 100_000;
    for announced in [true, false] {
        let at_limit = StreamingServer::start(Body::Exactly {
            bytes: LIMIT,
            announced,
        })
        .await;
        let summary = run_against(&at_limit, LIMIT as u64).await;
        assert!(summary.sent >= 1, "{summary:?}");
        assert_eq!(summary.status_2xx, summary.sent, "{announced}: {summary:?}");

        let over = StreamingServer::start(Body::Exactly {
            bytes: LIMIT + 1,
            announced,
        })
        .await;
        let summary = run_against(&over, LIMIT as u64).await;
        assert!(summary.sent >= 1, "{summary:?}");
        assert_eq!(
            summary.body_too_large, summary.sent,
            "{announced}: {summary:?}"
        );
    }
}

/// `VmHWM` (peak resident set) of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_against_an_endless_body_even_with_the_largest_limit() {
    let server = StreamingServer::start(Body::Endless).await;
    let url = server.url().to_string();
    // The largest limit, so that only the timeout ends each request: what bounds
    // memory is that bodies are discarded as they arrive, not the limit.
    let mut child = Command::new(env!("CARGO_BIN_EXE_traffic-generator"))
        .env_clear()
        .args(["--user-service-url", &url, "--order-service-url", &url])
        .args(["--rate", "20", "--duration", "3s", "--timeout", "2s"])
        .args(["--max-body-bytes", "1073741824", "--log-format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let pid = child.id().expect("running");
    let started = tokio::time::Instant::now();
    let mut peak = 0;
    while child.try_wait().expect("waits").is_none() {
        assert!(started.elapsed() < GUARD, "still running after {GUARD:?}");
        peak = peak.max(peak_rss_kib(pid).unwrap_or(0));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = child.wait_with_output().await.expect("exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(peak > 0, "VmHWM was never read");
    eprintln!("traffic-generator peak RSS against an endless body: {peak} KiB");
    assert!(
        peak <= MAX_PEAK_RSS_KIB,
        "peak RSS {peak} KiB > {MAX_PEAK_RSS_KIB} KiB"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["message"] == "traffic finished")
        .unwrap_or_else(|| panic!("no final summary in {stdout}"));
    let sent = summary["sent"].as_u64().expect("sent");
    assert!(sent >= 1, "{summary}");
    // Each request ends at the timeout, or at the 1 GiB limit on a loopback fast
    // enough to carry it in 2 s (a CI run saw 1 of 51): either way it ended while
    // memory stayed bounded, which is what this test is about.
    let ended =
        summary["timeouts"].as_u64().unwrap_or(0) + summary["body_too_large"].as_u64().unwrap_or(0);
    assert_eq!(ended, sent, "{summary}");
}
