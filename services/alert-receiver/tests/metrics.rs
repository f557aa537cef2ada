//! The receiver's `/metrics` over real HTTP: its own counters move with each
//! notification, and label values chosen by senders are capped.

mod support;

use service_runtime::catalog;
use service_runtime::testing::checks::promtool_check_metrics;
use service_runtime::testing::{Scrape, request};
use support::{deliver, notification, post, start};

#[test]
fn counters_move_with_each_notification() {
    let receiver = start(&[]);
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "firing"),
    );
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "firing"),
    );
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "resolved"),
    );
    deliver(&receiver, &notification("watchdog", "Watchdog", "firing"));
    assert_eq!(post(&receiver, b"{}").status, 400);

    let scrape = Scrape::fetch(receiver.addr("api"));
    let notifications = |receiver: &str, status: &str| {
        scrape.value(
            catalog::ALERT_RECEIVER_NOTIFICATIONS_TOTAL,
            &[("receiver", receiver), ("status", status)],
        )
    };
    assert_eq!(notifications("webhook", "firing"), 2.0);
    assert_eq!(notifications("webhook", "resolved"), 1.0);
    assert_eq!(notifications("watchdog", "firing"), 1.0);
    let alerts = |alertname: &str, status: &str| {
        scrape.value(
            catalog::ALERT_RECEIVER_ALERTS_TOTAL,
            &[("alertname", alertname), ("status", status)],
        )
    };
    assert_eq!(alerts("HighErrorRate", "firing"), 4.0);
    assert_eq!(alerts("HighErrorRate", "resolved"), 2.0);
    assert_eq!(alerts("Watchdog", "firing"), 2.0);
    let requests = |status_code: &str| {
        scrape.value(
            catalog::HTTP_REQUESTS_TOTAL,
            &[
                ("method", "POST"),
                ("route", "/webhook"),
                ("status_code", status_code),
            ],
        )
    };
    assert_eq!(requests("200"), 4.0);
    assert_eq!(requests("400"), 1.0);
    assert!(scrape.text.contains("# HELP alert_receiver_alerts_total "));
    assert!(scrape.has("process_start_time_seconds", &[]));
}

#[test]
fn sender_chosen_label_values_are_capped() {
    let receiver = start(&["--max-label-values", "5"]);
    for i in 0..20 {
        let body = notification(&format!("receiver-{i}"), &format!("Spam{i}"), "firing");
        deliver(&receiver, &body);
    }
    let scrape = Scrape::fetch(receiver.addr("api"));
    let series = |name: &str| {
        scrape
            .samples
            .iter()
            .filter(|sample| sample.name == name)
            .count()
    };
    assert_eq!(
        series(catalog::ALERT_RECEIVER_ALERTS_TOTAL),
        6,
        "5 names + other"
    );
    assert_eq!(
        series(catalog::ALERT_RECEIVER_NOTIFICATIONS_TOTAL),
        6,
        "5 receivers + other"
    );
    let other_alerts = scrape.value(
        catalog::ALERT_RECEIVER_ALERTS_TOTAL,
        &[("alertname", "other"), ("status", "firing")],
    );
    assert_eq!(
        other_alerts, 30.0,
        "15 overflowing notifications × 2 alerts"
    );
    let first = scrape.value(
        catalog::ALERT_RECEIVER_ALERTS_TOTAL,
        &[("alertname", "Spam0"), ("status", "firing")],
    );
    assert_eq!(first, 2.0, "names admitted first keep their own series");
}

#[test]
fn the_exposition_passes_promtool_with_the_receiver_metrics_in_it() {
    let receiver = start(&[]);
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "firing"),
    );
    deliver(
        &receiver,
        &notification("webhook", "HighErrorRate", "resolved"),
    );
    let response = request(receiver.addr("api"), "GET", "/metrics", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert!(response.body.contains("alert_receiver_alerts_total{"));
    assert!(
        response
            .body
            .contains("lookout_build_info{service=\"alert-receiver\"")
    );
    promtool_check_metrics(&response.body);
}

#[test]
fn long_names_are_counted_as_other_and_never_reach_the_exposition() {
    let receiver = start(&[]);
    let long_name = "L".repeat(100_000);
    let long_receiver = "r".repeat(100_000);
    deliver(
        &receiver,
        &notification(&long_receiver, &long_name, "firing"),
    );
    let response = request(receiver.addr("api"), "GET", "/metrics", None);
    assert!(
        response.body.len() < 50_000,
        "{} bytes of metrics",
        response.body.len()
    );
    let scrape = Scrape::parse(&response.body);
    let other = |name, label| scrape.value(name, &[(label, "other"), ("status", "firing")]);
    assert_eq!(
        other(catalog::ALERT_RECEIVER_ALERTS_TOTAL, "alertname"),
        2.0
    );
    assert_eq!(
        other(catalog::ALERT_RECEIVER_NOTIFICATIONS_TOTAL, "receiver"),
        1.0
    );
}
