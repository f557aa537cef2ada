//! The `traffic-generator` binary: unusable flags are one line on stderr and exit 2;
//! a run ends with exit 0 and a final JSON summary line, at the end of --duration or
//! on SIGTERM.

mod support;

use std::process::Stdio;
use std::time::Duration;

use axum::http::StatusCode;
use support::RecordingServer;
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_traffic-generator");
const GUARD: Duration = Duration::from_secs(60);

fn generator() -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// The `traffic finished` line of a JSON log.
fn final_summary(stdout: &[u8]) -> serde_json::Value {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find(|line| line["message"] == "traffic finished")
        .unwrap_or_else(|| panic!("no final summary in {}", String::from_utf8_lossy(stdout)))
}

/// Flags, environment variables, and a fragment the error line must contain.
type BadInvocation = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[tokio::test]
async fn unusable_flags_are_one_line_and_exit_2() {
    let cases: &[BadInvocation] = &[
        (&["--rate", "0"], &[], "--rate"),
        (&["--rate", "fast"], &[], "--rate"),
        (&["--error-share", "1.5"], &[], "--error-share"),
        (
            &[
                "--error-share",
                "0.5",
                "--not-found-share",
                "0.4",
                "--create-share",
                "0.2",
            ],
            &[],
            "more than 1",
        ),
        (&["--duration", "5x"], &[], "unknown time unit"),
        (&["--timeout", "0"], &[], "--timeout"),
        (&["--concurrency", "0"], &[], "--concurrency"),
        (
            &["--user-service-url", "https://127.0.0.1:8001"],
            &[],
            "only http://",
        ),
        (&["--no-such-flag"], &[], "--no-such-flag"),
        (&[], &[("TRAFFIC_RATE", "-3")], "--rate"),
        (&[], &[("LOOKOUT_LOG_FORMAT", "xml")], "--log-format"),
    ];
    for (args, env, expected) in cases {
        let output = generator()
            .args(*args)
            .envs(env.iter().copied())
            .output()
            .await
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?} {env:?}: {stderr}");
        assert!(stderr.starts_with("traffic-generator: "), "{stderr}");
        assert!(stderr.contains(expected), "{args:?} {env:?}: {stderr}");
        assert!(output.stdout.is_empty(), "nothing is sent or logged");
    }
}

/// Values that made the generator panic (exit 101 and a backtrace) before they
/// were bounded, and the exact line each now gets.
#[tokio::test]
async fn values_that_used_to_panic_get_their_exact_one_line_error() {
    let cases = [
        (
            "--duration",
            "18446744073709551615",
            "invalid value '18446744073709551615' for '--duration <DURATION>': \
             must be at most 1year (0 runs until stopped)",
        ),
        (
            "--report-interval",
            "18446744073709551615",
            "invalid value '18446744073709551615' for '--report-interval <REPORT_INTERVAL>': \
             must be at most 1day",
        ),
        (
            "--rate",
            "1e-300",
            "invalid value '1e-300' for '--rate <RATE>': must be from 0.001 to 10000",
        ),
        (
            "--timeout",
            "18446744073709551615",
            "invalid value '18446744073709551615' for '--timeout <TIMEOUT>': must be at most 5m",
        ),
        (
            "--max-body-bytes",
            "0",
            "invalid value '0' for '--max-body-bytes <MAX_BODY_BYTES>': \
             must be a whole number of bytes from 1 to 1073741824",
        ),
    ];
    for (flag, value, message) in cases {
        let output = generator()
            .args([flag, value])
            .output()
            .await
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        assert_eq!(
            String::from_utf8_lossy(&output.stderr),
            format!("traffic-generator: {message}\n")
        );
        assert!(output.stdout.is_empty());
    }
}

#[tokio::test]
async fn help_documents_every_environment_variable() {
    let output = generator().arg("--help").output().await.expect("runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "TRAFFIC_USER_SERVICE_URL",
        "TRAFFIC_ORDER_SERVICE_URL",
        "TRAFFIC_RATE",
        "TRAFFIC_DURATION",
        "TRAFFIC_ERROR_SHARE",
        "TRAFFIC_NOT_FOUND_SHARE",
        "TRAFFIC_CREATE_SHARE",
        "TRAFFIC_CONCURRENCY",
        "TRAFFIC_TIMEOUT",
        "TRAFFIC_REPORT_INTERVAL",
        "TRAFFIC_MAX_BODY_BYTES",
        "LOOKOUT_LOG_LEVEL",
        "LOOKOUT_LOG_FORMAT",
    ] {
        assert!(help.contains(variable), "--help lacks {variable}");
    }
    assert!(
        help.contains("http://127.0.0.1:8001"),
        "default user-service URL from ports.json"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_run_exits_0_with_a_final_summary() {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let output = generator()
        .env("TRAFFIC_USER_SERVICE_URL", users.url().to_string())
        .env("TRAFFIC_ORDER_SERVICE_URL", orders.url().to_string())
        .args(["--rate", "40", "--duration", "1s", "--log-format", "json"])
        .output();
    let output = tokio::time::timeout(GUARD, output)
        .await
        .expect("ends at the duration")
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = final_summary(&output.stdout);
    let sent = summary["sent"].as_u64().expect("sent");
    assert!((1..=41).contains(&sent), "{summary}");
    assert_eq!(users.hits().len() + orders.hits().len(), sent as usize);
    let answered: u64 = ["status_2xx", "status_4xx", "status_5xx"]
        .iter()
        .map(|field| summary[field].as_u64().expect("count"))
        .sum();
    assert_eq!(answered, sent, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_an_open_ended_run_with_exit_0() {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let child = generator()
        .args(["--user-service-url", &users.url().to_string()])
        .args(["--order-service-url", &orders.url().to_string()])
        .args(["--rate", "100", "--log-format", "json"])
        .spawn()
        .expect("starts");
    tokio::time::timeout(GUARD, users.wait_for_hits(20))
        .await
        .expect("traffic arrives");
    let pid = i32::try_from(child.id().expect("running")).expect("pids fit in i32");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGTERM,
    )
    .expect("SIGTERM sent");
    let output = tokio::time::timeout(GUARD, child.wait_with_output())
        .await
        .expect("exits after SIGTERM")
        .expect("waits");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sent = final_summary(&output.stdout)["sent"]
        .as_u64()
        .expect("sent");
    assert!(sent >= 20);
    assert_eq!(users.hits().len() + orders.hits().len(), sent as usize);
}
