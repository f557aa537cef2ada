//! `GET /alerts` over real HTTP: the filters, strict query checking, and the bound
//! on how many notifications are kept.

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
