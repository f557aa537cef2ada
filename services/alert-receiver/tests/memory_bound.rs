//! The byte bound on the in-memory history, over real HTTP: large notifications evict
//! the oldest ones, the kept ones never add up to more than `--max-memory-bytes`, the
//! store file still holds every notification, and a restart reloads within both
//! bounds. A notification's size is its line in the store file, so the test can
//! compute, from the file alone, exactly which notifications memory must hold.

mod support;

use serde_json::Value;
use support::{alertnames, alerts, deliver, notification, start};

/// The smallest bound the receiver accepts (4 MiB), so a few bodies fill it.
const BUDGET: usize = 4 * 1024 * 1024;

/// A notification named `name` whose first alert carries `padding` bytes of
/// description, so its stored size is roughly `padding` plus the fixture.
fn large_notification(name: &str, padding: usize) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(&notification("webhook", name, "firing"))
        .expect("notification is JSON");
    value["alerts"][0]["annotations"]["description"] = "x".repeat(padding).into();
    serde_json::to_vec(&value).expect("serializes")
}

/// Each stored line's alertname and length (its size as the ring counts it), in
/// file order.
fn store_lines(path: &std::path::Path) -> Vec<(String, usize)> {
    std::fs::read_to_string(path)
        .expect("store file")
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("each line is JSON");
            let name = value["notification"]["alerts"][0]["labels"]["alertname"]
                .as_str()
                .expect("alertname")
                .to_owned();
            (name, line.len())
        })
        .collect()
}

/// What memory must hold: the longest run of newest notifications whose sizes add
/// up to at most `budget`, and at most `capacity` of them, oldest first.
fn expected_kept(lines: &[(String, usize)], budget: usize, capacity: usize) -> Vec<String> {
    let mut total = 0;
    let mut kept: Vec<String> = lines
        .iter()
        .rev()
        .take(capacity)
        .take_while(|(_, size)| {
            total += size;
            total <= budget
        })
        .map(|(name, _)| name.clone())
        .collect();
    kept.reverse();
    kept
}

/// The notifications `/alerts` shows, one name per notification (each carries two
/// alerts of the same name), oldest first.
fn kept_notifications(receiver: &service_runtime::testing::Spawned) -> Vec<String> {
    let names = alertnames(&alerts(receiver, "?limit=10000"));
    let mut notifications = names.clone();
    notifications.dedup();
    assert_eq!(names.len(), notifications.len() * 2, "{names:?}");
    notifications
}

#[test]
fn large_notifications_evict_the_oldest_and_never_exceed_the_budget() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notifications.jsonl");
    let store = path.to_str().expect("UTF-8 path");
    let budget = BUDGET.to_string();
    let receiver = start(&["--store-file", store, "--max-memory-bytes", &budget]);

    let mut delivered = Vec::new();
    let mut evictions_seen = 0;
    for i in 0..14 {
        // Between 100 KiB and 1000 KiB, in an order that is neither rising nor falling.
        let padding = 100 * 1024 + (i * 397 * 1024) % (900 * 1024);
        let name = format!("Big{i:02}");
        deliver(&receiver, &large_notification(&name, padding));
        delivered.push(name.clone());

        let lines = store_lines(&path);
        let names: Vec<&String> = lines.iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            delivered.iter().collect::<Vec<_>>(),
            "the file has all"
        );
        let kept = kept_notifications(&receiver);
        assert_eq!(kept, expected_kept(&lines, BUDGET, 1000), "after {name}");
        let kept_bytes: usize = lines[lines.len() - kept.len()..]
            .iter()
            .map(|(_, size)| size)
            .sum();
        assert!(kept_bytes <= BUDGET, "{kept_bytes} bytes kept");
        assert_eq!(kept.last(), Some(&name), "the newest is always kept");
        if kept.len() < delivered.len() {
            evictions_seen += 1;
        }
    }
    assert!(
        evictions_seen >= 5,
        "the budget must have been hit repeatedly"
    );
}

#[test]
fn a_restart_reloads_within_both_bounds_and_loses_nothing_on_disk() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notifications.jsonl");
    let store = path.to_str().expect("UTF-8 path");
    // Written with the default (32 MiB) bound: all twelve are kept at first.
    let receiver = start(&["--store-file", store]);
    for i in 0..12 {
        deliver(
            &receiver,
            &large_notification(&format!("R{i:02}"), 700 * 1024),
        );
    }
    assert_eq!(kept_notifications(&receiver).len(), 12);
    drop(receiver);

    let lines = store_lines(&path);
    assert_eq!(lines.len(), 12);
    let budget = BUDGET.to_string();
    let smaller = start(&["--store-file", store, "--max-memory-bytes", &budget]);
    let kept = kept_notifications(&smaller);
    assert_eq!(kept, expected_kept(&lines, BUDGET, 1000));
    assert!(kept.len() < 12 && kept.last().map(String::as_str) == Some("R11"));
    drop(smaller);

    let fewer = start(&[
        "--store-file",
        store,
        "--max-memory-bytes",
        &budget,
        "--capacity",
        "2",
    ]);
    assert_eq!(kept_notifications(&fewer), ["R10", "R11"]);
    drop(fewer);
    assert_eq!(store_lines(&path), lines, "restarts rewrite nothing");
}
