//! The webhook bodies that cost the most memory per JSON byte, against the real binary
//! with `--capacity 100000` (so only the byte bound holds memory back): peak RSS
//! (`VmHWM`) stays within twice `--max-memory-bytes` plus 32 MiB, posted one after
//! the other and nine at once. The bound is 8 MiB rather than the default 32 MiB: the
//! fixed baseline weighs more against it, and a few posts of each kind fill the
//! history (checked), which keeps the debug-build test quick. docs/reliability.md has
//! the default bound's figures, 40 posts of each kind on a release build.

mod support;

use std::fmt::Write as _;

use support::{deliver, peak_rss_bytes, rss_bound, start};

/// The largest body the webhook accepts.
const MAX_BODY: usize = 1024 * 1024;

/// A version-4 notification whose `alerts` array is `alert` repeated until the body
/// nearly reaches 1 MiB.
fn body_of(alert: &dyn Fn(usize) -> String) -> Vec<u8> {
    let mut body = String::from(
        r#"{"version":"4","groupKey":"g","status":"firing","receiver":"r","alerts":["#,
    );
    for i in 0.. {
        let next = alert(i);
        if body.len() + next.len() + 3 > MAX_BODY {
            break;
        }
        if i > 0 {
            body.push(',');
        }
        body.push_str(&next);
    }
    body.push_str("]}");
    body.into_bytes()
}

/// Labels and annotations of many 2-character keys with empty values.
fn two_character_keys(_: usize) -> String {
    let mut map = String::from("{");
    for a in 'A'..='z' {
        for b in 'A'..='Z' {
            if a.is_ascii_alphabetic() {
                let _ = write!(map, "\"{a}{b}\":\"\",");
            }
        }
    }
    map.pop();
    map.push('}');
    format!(
        r#"{{"status":"firing","labels":{map},"annotations":{map},"startsAt":"","fingerprint":""}}"#
    )
}

/// About 11,000 alerts per body, each with a one-entry label map.
fn one_label_each(i: usize) -> String {
    format!(
        r#"{{"status":"firing","labels":{{"alertname":"A{}"}},"startsAt":"2026-11-27T14:30:04Z","fingerprint":"{i:x}"}}"#,
        i % 10
    )
}

/// The smallest alert objects: one one-character label, empty strings.
fn minimal(_: usize) -> String {
    r#"{"status":"firing","labels":{"a":""},"startsAt":"","fingerprint":""}"#.to_owned()
}

/// `--max-memory-bytes` of the test.
const MAX_MEMORY: u64 = 8 * 1024 * 1024;

/// Posts of each kind: enough to fill the 8 MiB history with any of them.
const POSTS: usize = 8;

fn alerts_in(body: &[u8]) -> usize {
    let value: serde_json::Value = serde_json::from_slice(body).expect("JSON");
    value["alerts"].as_array().expect("alerts").len()
}

/// How many alerts the history holds.
fn matched_alerts(receiver: &service_runtime::testing::Spawned) -> usize {
    let response =
        service_runtime::testing::request(receiver.addr("api"), "GET", "/alerts?limit=1", None);
    assert_eq!(response.status, 200, "{}", response.body);
    let matched = response.json()["matched"].as_u64().expect("matched");
    usize::try_from(matched).expect("fits")
}

#[test]
fn the_costliest_bodies_keep_rss_within_twice_the_bound() {
    let max = MAX_MEMORY.to_string();
    let receiver = start(&["--capacity", "100000", "--max-memory-bytes", &max]);
    let bodies = [
        ("two-character keys", body_of(&two_character_keys)),
        ("one label each", body_of(&one_label_each)),
        ("minimal alerts", body_of(&minimal)),
    ];
    for (name, body) in &bodies {
        assert!(
            body.len() > MAX_BODY - 32 * 1024,
            "{name}: {} bytes",
            body.len()
        );
        for _ in 0..POSTS {
            deliver(&receiver, body);
        }
        let alerts_per_body = alerts_in(body);
        let kept = matched_alerts(&receiver);
        assert!(
            kept < POSTS * alerts_per_body,
            "{name}: the history never filled up"
        );
        let peak = peak_rss_bytes(receiver.pid());
        eprintln!("{POSTS} × {name}: VmHWM {} MiB", peak >> 20);
        assert!(peak <= rss_bound(MAX_MEMORY), "{name}: VmHWM {peak} bytes");
    }
    std::thread::scope(|scope| {
        for (_, body) in &bodies {
            for _ in 0..3 {
                scope.spawn(|| deliver(&receiver, body));
            }
        }
    });
    let peak = peak_rss_bytes(receiver.pid());
    eprintln!("9 concurrent posters: VmHWM {} MiB", peak >> 20);
    assert!(
        peak <= rss_bound(MAX_MEMORY),
        "concurrent: VmHWM {peak} bytes"
    );
}
