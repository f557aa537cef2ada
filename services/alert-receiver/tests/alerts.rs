//! `GET /alerts` over real HTTP: the filters, strict query checking, `limit`, and the
//! bound on how many notifications are kept.

mod support;

use service_runtime::testing::request;
use support::{alertnames, alerts, deliver, notification, start};

#[test]
fn filters_by_status_alertname_and_receiver() {
    let receiver = start(&[]);
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "firing"),
    );
    deliver(&receiver, &notification("watchdog", "Watchdog", "firing"));
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "resolved"),
    );
    deliver(&receiver, &notification("webhook", "ServiceDown", "firing"));

    assert_eq!(alerts(&receiver, "").len(), 8);
    assert_eq!(
        alertnames(&alerts(&receiver, "?status=firing")),
        [
            "HighErrorRate",
            "HighErrorRate",
            "Watchdog",
            "Watchdog",
            "ServiceDown",
            "ServiceDown"
        ]
    );
    let resolved = alerts(&receiver, "?status=resolved");
    assert_eq!(alertnames(&resolved), ["HighErrorRate"; 2]);
    assert!(resolved.iter().all(|a| a["status"] == "resolved"));
    let watchdog = alerts(&receiver, "?receiver=watchdog");
    assert_eq!(alertnames(&watchdog), ["Watchdog"; 2]);
    assert!(watchdog.iter().all(|a| a["receiver"] == "watchdog"));
    assert_eq!(
        alerts(
            &receiver,
            "?alertname=HighErrorRate&status=firing&receiver=webhook"
        )
        .len(),
        2
    );
    assert!(alerts(&receiver, "?alertname=HighResponseTime").is_empty());
    assert!(alerts(&receiver, "?alertname=Watchdog&receiver=webhook").is_empty());
}

#[test]
fn bad_filters_are_400_with_a_reason() {
    let receiver = start(&[]);
    let cases = [
        ("?status=pending", "invalid status \"pending\""),
        ("?severity=critical", "unknown query parameter \"severity\""),
        ("?alertname=", "\"alertname\" is empty"),
        ("?status=firing&status=resolved", "given more than once"),
        ("?limit=0", "invalid limit \"0\""),
        ("?limit=10001", "between 1 and 10000"),
        ("?limit=all", "invalid limit \"all\""),
    ];
    for (query, message) in cases {
        let response = request(
            receiver.addr("api"),
            "GET",
            &format!("/alerts{query}"),
            None,
        );
        assert_eq!(response.status, 400, "{query}: {}", response.body);
        let error = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(message), "{query}: {error}");
    }
}

#[test]
fn keeps_only_the_last_capacity_notifications() {
    let receiver = start(&["--capacity", "3"]);
    for name in ["A1", "A2", "A3", "A4", "A5"] {
        deliver(&receiver, &notification("webhook", name, "firing"));
    }
    assert_eq!(
        alertnames(&alerts(&receiver, "")),
        ["A3", "A3", "A4", "A4", "A5", "A5"]
    );
}

#[test]
fn limit_returns_the_newest_matching_alerts_and_says_what_was_left_out() {
    let receiver = start(&[]);
    for name in ["A1", "A2", "A3"] {
        deliver(&receiver, &notification("webhook", name, "firing"));
    }
    deliver(&receiver, &notification("webhook", "A2", "resolved"));

    let whole = request(receiver.addr("api"), "GET", "/alerts", None).json();
    assert_eq!(whole["total"], 8);
    assert_eq!(whole["matched"], 8);
    assert_eq!(whole["truncated"], false);

    let response = request(receiver.addr("api"), "GET", "/alerts?limit=3", None);
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let page = response.json();
    assert_eq!(
        alertnames(page["alerts"].as_array().expect("array")),
        ["A3", "A2", "A2"]
    );
    assert_eq!(page["total"], 3);
    assert_eq!(page["matched"], 8);
    assert_eq!(page["truncated"], true);

    let firing = request(
        receiver.addr("api"),
        "GET",
        "/alerts?status=firing&limit=3",
        None,
    );
    let page = firing.json();
    assert_eq!(
        alertnames(page["alerts"].as_array().expect("array")),
        ["A2", "A3", "A3"]
    );
    assert_eq!(page["matched"], 6);
}

#[test]
fn the_default_limit_is_a_thousand_alerts() {
    let receiver = start(&[]);
    // 501 notifications of two alerts: one alert more than the default answer holds.
    for i in 0..501 {
        deliver(
            &receiver,
            &notification("webhook", &format!("N{i:03}"), "firing"),
        );
    }
    let page = request(receiver.addr("api"), "GET", "/alerts", None).json();
    assert_eq!(page["total"], 1000);
    assert_eq!(page["matched"], 1002);
    assert_eq!(page["truncated"], true);
    let names = alertnames(page["alerts"].as_array().expect("array"));
    assert_eq!(names.first().map(String::as_str), Some("N001"));
    assert_eq!(names.last().map(String::as_str), Some("N500"));
    assert_eq!(alerts(&receiver, "?limit=10000").len(), 1002);
}
