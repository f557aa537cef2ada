//! The byte bound on the in-memory history, over real HTTP: large notifications evict
//! the oldest ones, the kept ones never add up to more than `--max-memory-bytes`, the
//! store file still holds every notification, and a restart reloads within both
//! bounds. These notifications are one long description each, whose heap size is
//! within a few KiB of its line in the store file, so the test can tell from the file
//! alone which notifications memory must hold, to that tolerance.

mod support;

use serde_json::Value;
use support::{deliver, notification, start};

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

/// How far a notification's heap size may be from its store file line: the fixture
/// part, the struct and allocator rounding.
const TOLERANCE: usize = 16 * 1024;

/// Checks that `kept` (oldest first) is what memory must hold of `lines`: the newest
/// ones, at most `capacity`, adding up to at most `budget`, and no fewer than fit.
fn assert_kept(kept: &[String], lines: &[(String, usize)], budget: usize, capacity: usize) {
    let newest: Vec<&String> = lines[lines.len() - kept.len()..]
        .iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        kept.iter().collect::<Vec<_>>(),
        newest,
        "the newest are kept"
    );
    let kept_bytes: usize = lines[lines.len() - kept.len()..]
        .iter()
        .map(|(_, size)| size)
        .sum();
    assert!(kept_bytes <= budget, "{kept_bytes} bytes kept");
    if kept.len() < lines.len() && kept.len() < capacity {
        let older = lines[lines.len() - kept.len() - 1].1;
        assert!(
            kept_bytes + older + (kept.len() + 1) * TOLERANCE > budget,
            "{older} more bytes would have fitted beside {kept_bytes}"
        );
    }
}

/// The notifications memory holds, oldest first: `matched` counts kept alerts
/// whatever bounds the answer's size, so ask about each delivered name.
fn kept_notifications(
    receiver: &service_runtime::testing::Spawned,
    names: &[String],
) -> Vec<String> {
    names
        .iter()
        .filter(|name| {
            let response = service_runtime::testing::request(
                receiver.addr("api"),
                "GET",
                &format!("/alerts?alertname={name}&limit=1"),
                None,
            );
            assert_eq!(response.status, 200, "{}", response.body);
            let matched = response.json()["matched"].as_u64().expect("matched");
            assert!(matched == 0 || matched == 2, "{name}: {matched}");
            matched == 2
        })
        .cloned()
        .collect()
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
        let kept = kept_notifications(&receiver, &delivered);
        assert_kept(&kept, &lines, BUDGET, 1000);
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
    let names: Vec<String> = (0..12).map(|i| format!("R{i:02}")).collect();
    for name in &names {
        deliver(&receiver, &large_notification(name, 700 * 1024));
    }
    assert_eq!(kept_notifications(&receiver, &names), names);
    drop(receiver);

    let lines = store_lines(&path);
    assert_eq!(lines.len(), 12);
    let budget = BUDGET.to_string();
    let smaller = start(&["--store-file", store, "--max-memory-bytes", &budget]);
    let kept = kept_notifications(&smaller, &names);
    assert_kept(&kept, &lines, BUDGET, 1000);
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
    assert_eq!(kept_notifications(&fewer, &names), ["R10", "R11"]);
    drop(fewer);
    assert_eq!(store_lines(&path), lines, "restarts rewrite nothing");
}
