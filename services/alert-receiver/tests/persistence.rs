//! The store file across real restarts: what was accepted before a SIGTERM is served
//! again after it, a torn last line is skipped rather than fatal, and a smaller
//! `--capacity` reloads only the newest notifications.

mod support;

use std::io::Write;

use support::{alertnames, alerts, deliver, notification, start};

#[test]
fn a_restart_restores_every_stored_notification() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notifications.jsonl");
    let store = path.to_str().expect("UTF-8 path");

    let mut receiver = start(&["--store-file", store]);
    for name in ["A1", "A2", "A3"] {
        deliver(&receiver, &notification("webhook", name, "firing"));
    }
    let before = alerts(&receiver, "");
    receiver.terminate();
    assert!(receiver.wait().success(), "SIGTERM is a clean exit");
    assert_eq!(
        std::fs::read_to_string(&path)
            .expect("store file")
            .lines()
            .count(),
        3
    );

    // A crash mid-write leaves a torn line; the next start must skip it and go on.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("opens store file");
    file.write_all(b"{\"receivedAt\":\"2026-")
        .expect("appends torn line");
    drop(file);

    let restarted = start(&["--store-file", store]);
    assert_eq!(
        alerts(&restarted, ""),
        before,
        "same alerts, same receivedAt"
    );
    deliver(&restarted, &notification("webhook", "A4", "resolved"));
    drop(restarted);

    let smaller = start(&["--store-file", store, "--capacity", "2"]);
    assert_eq!(alertnames(&alerts(&smaller, "")), ["A3", "A3", "A4", "A4"]);
    assert_eq!(alerts(&smaller, "?status=resolved").len(), 2);
}

#[test]
fn concurrent_notifications_are_all_stored_as_whole_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notifications.jsonl");
    let store = path.to_str().expect("UTF-8 path");
    let receiver = start(&["--store-file", store]);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let receiver = &receiver;
            scope.spawn(move || {
                for i in 0..25 {
                    let name = format!("T{thread}N{i}");
                    deliver(receiver, &notification("webhook", &name, "firing"));
                }
            });
        }
    });
    assert_eq!(alerts(&receiver, "").len(), 400);
    drop(receiver);
    let content = std::fs::read_to_string(&path).expect("store file");
    assert_eq!(content.lines().count(), 200);
    for line in content.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("each line is whole JSON");
        assert_eq!(value["notification"]["version"], "4");
    }
    let restarted = start(&["--store-file", store]);
    assert_eq!(alerts(&restarted, "").len(), 400);
}

#[test]
fn an_unusable_store_file_stops_start_up_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("no-such-dir").join("notifications.jsonl");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_alert-receiver"))
        .args(["--port", "0", "--store-file"])
        .arg(&path)
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no-such-dir"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(
        stderr.matches("No such file").count(),
        1,
        "the cause once: {stderr}"
    );
}

#[test]
fn a_store_file_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let directory = dir.path().to_str().expect("UTF-8 path");
    for path in ["/dev/zero", directory] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_alert-receiver"))
            .args(["--port", "0", "--store-file", path])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waits") {
                break status;
            }
            if std::time::Instant::now() > deadline {
                child.kill().expect("kills");
                panic!("--store-file {path} did not stop start-up within 10 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(1), "{path}");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().expect("piped"), &mut stderr)
            .expect("reads stderr");
        assert_eq!(
            stderr.trim(),
            format!("alert-receiver: store file {path}: not a regular file")
        );
    }
}
