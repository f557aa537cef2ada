//! `POST /webhook` over real HTTP: real Alertmanager 0.25 payloads are accepted and
//! every kind of bad input gets its own 4xx with a JSON error, storing nothing.

mod support;

use service_runtime::testing::request;
use support::{FIRING, RESOLVED, alertnames, alerts, deliver, post, raw, start};

#[test]
fn accepts_real_alertmanager_notifications_and_lists_their_alerts() {
    let receiver = start(&[]);
    let response = post(&receiver, FIRING.as_bytes());
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(
        response.json(),
        serde_json::json!({"status": "accepted", "alerts": 2})
    );
    deliver(&receiver, RESOLVED.as_bytes());

    let all = alerts(&receiver, "");
    assert_eq!(all.len(), 4);
    let statuses: Vec<&str> = all
        .iter()
        .map(|a| a["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(statuses, ["firing", "firing", "resolved", "resolved"]);
    assert_eq!(alertnames(&all), ["HighErrorRate"; 4]);
    let first = &all[0];
    assert_eq!(first["receiver"], "webhook");
    assert_eq!(first["labels"]["job"], "user-service");
    assert_eq!(first["labels"]["severity"], "warning");
    assert_eq!(
        first["annotations"]["summary"],
        "user-service is answering too many 5xx"
    );
    assert_eq!(first["fingerprint"], "0e8df00782b88791");
    assert_eq!(first["startsAt"], "2026-11-27T14:30:04.712844246Z");
    assert_eq!(first["endsAt"], "0001-01-01T00:00:00Z");
    let received_at = first["receivedAt"].as_str().expect("receivedAt");
    assert!(
        received_at.len() == 24 && received_at.ends_with('Z'),
        "{received_at}"
    );
    assert_eq!(all[2]["endsAt"], "2026-11-27T14:30:12Z");
}

#[test]
fn rejects_each_kind_of_bad_input_with_its_own_status() {
    let receiver = start(&[]);
    let wrong_version = FIRING.replace("\"version\":\"4\"", "\"version\":\"3\"");
    let missing_field = FIRING.replace("\"receiver\":\"webhook\",", "");
    let no_alerts =
        r#"{"version":"4","groupKey":"k","status":"firing","receiver":"r","alerts":[]}"#;
    let cases: [(&str, &[u8], &str); 5] = [
        (
            "wrong version",
            wrong_version.as_bytes(),
            "unsupported webhook payload version \"3\"",
        ),
        ("malformed JSON", b"{\"version\": \"4\",", "malformed JSON"),
        (
            "not a payload",
            b"[]",
            "not an Alertmanager webhook payload",
        ),
        (
            "missing field",
            missing_field.as_bytes(),
            "missing field `receiver`",
        ),
        ("no alerts", no_alerts.as_bytes(), "\"alerts\" is empty"),
    ];
    for (case, body, message) in cases {
        let response = post(&receiver, body);
        assert_eq!(response.status, 400, "{case}: {}", response.body);
        let error = response.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(message), "{case}: {error}");
    }

    let (status, body) = raw(
        &receiver,
        "POST /webhook HTTP/1.1\r\nContent-Type: text/plain",
        FIRING.as_bytes(),
    );
    assert_eq!(
        (
            status,
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("text/plain"))
        ),
        (415, true),
        "{body}"
    );
    let (status, body) = raw(&receiver, "POST /webhook HTTP/1.1", FIRING.as_bytes());
    assert_eq!(
        (
            status,
            body["error"]
                .as_str()
                .is_some_and(|e| e.contains("missing Content-Type"))
        ),
        (415, true),
        "{body}"
    );
    let (status, _) = raw(
        &receiver,
        "POST /webhook HTTP/1.1\r\nContent-Type: application/json; charset=utf-8",
        FIRING.as_bytes(),
    );
    assert_eq!(status, 200, "a charset parameter is fine");

    let too_large = vec![b' '; 1024 * 1024 + 1];
    let response = post(&receiver, &too_large);
    assert_eq!(response.status, 413);
    assert_eq!(response.json()["error"], "request body larger than 1 MiB");

    for method in ["GET", "PUT", "DELETE"] {
        let response = request(receiver.addr("api"), method, "/webhook", None);
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("allow"), Some("POST"), "{method}");
        assert!(response.json()["error"].is_string(), "{method}");
    }

    // Of all these requests only the one with a charset parameter was stored.
    assert_eq!(alerts(&receiver, "").len(), 2);
}

#[test]
fn a_body_just_under_the_limit_is_read_in_full() {
    let receiver = start(&[]);
    let mut body = FIRING.trim_end().to_owned().into_bytes();
    body.resize(1024 * 1024, b' ');
    let response = post(&receiver, &body);
    assert_eq!(response.status, 200, "{}", response.body);
}

#[test]
fn serves_health_and_json_404s() {
    let receiver = start(&[]);
    let health = request(receiver.addr("api"), "GET", "/health", None);
    assert_eq!(health.status, 200);
    assert_eq!(
        health.json(),
        serde_json::json!({"status": "healthy", "service": "alert-receiver"})
    );
    let missing = request(receiver.addr("api"), "GET", "/webhooks", None);
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
}
