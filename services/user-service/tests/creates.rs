//! Creates over real HTTP against the real binary: the exercise's requests, the
//! defaults, bad bodies (400 naming the problem) and a full store (507), with the
//! metrics each one moves.

mod support;

use serde_json::json;
use service_runtime::testing::checks;
use service_runtime::testing::{Scrape, operations_moved, request, requests_moved};
use support::*;

#[test]
fn creating_a_user_without_body_follows_the_exercise() {
    let service = start();
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "POST", "/users", None);
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "name": "User4", "email": "user4@test.com", "active": true})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/users", "201"),
        1.0
    );
    assert_eq!(
        operations_moved(&before, &after, "create_user", "success"),
        1.0
    );
    assert_eq!(after.value("active_users", &[]), 3.0);
    assert_eq!(
        request(api, "GET", "/users/4", None).json()["name"],
        "User4"
    );
}

#[test]
fn creating_a_user_with_fields_keeps_them() {
    let service = start();
    let api = service.addr("api");
    let body = br#"{"name": "Dana", "email": "dana@test.com", "active": false}"#;
    let response = request(api, "POST", "/users", Some(body));
    assert_eq!(response.status, 201);
    assert_eq!(
        response.json(),
        json!({"id": 4, "name": "Dana", "email": "dana@test.com", "active": false})
    );
    assert_eq!(Scrape::fetch(api).value("active_users", &[]), 2.0);
}

#[test]
fn names_of_256_bytes_are_kept_byte_for_byte() {
    let service = start();
    let api = service.addr("api");
    // 128 two-byte characters: 256 bytes, the limit.
    let name = "é".repeat(128);
    let body = format!(r#"{{"name": "{name}", "email": "\"quoted\"@test.com"}}"#);
    let created = request(api, "POST", "/users", Some(body.as_bytes()));
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["name"], name.as_str());
    assert_eq!(created.json()["email"], "\"quoted\"@test.com");
    assert_eq!(request(api, "GET", "/users/4", None).body, created.body);
}

#[test]
fn bad_bodies_are_400_json_naming_the_problem() {
    // 256 `\u0001` (6 bytes each as sent, 1 byte stored), and 257 bytes stored.
    let control = format!(r#"{{"name": "{}"}}"#, "\\u0001".repeat(256));
    let long = format!(r#"{{"email": "{}@x"}}"#, "ü".repeat(128));
    let cases: [(&[u8], &str); 7] = [
        (b"{not json", "invalid JSON"),
        (b"[1]", "JSON object"),
        (br#"{"name": 12}"#, "'name' must be a string"),
        (br#"{"email": ""}"#, "'email' must not be empty"),
        (
            control.as_bytes(),
            "'name' must not contain control characters",
        ),
        (
            br#"{"name": "Dana\u007f"}"#,
            "'name' must not contain control characters",
        ),
        (long.as_bytes(), "'email' must be at most 256 bytes"),
    ];
    checks::bad_bodies_are_400(TARGET, &cases, |expected, before, after| {
        assert_eq!(
            errors_moved(before, after, "validation_error"),
            1.0,
            "{expected}"
        );
    });
}

#[test]
fn a_full_store_answers_507_json_and_keeps_its_users() {
    let service = TARGET.start(&["--max-users", "4"]);
    let api = service.addr("api");
    assert_eq!(request(api, "POST", "/users", None).status, 201);
    let before = Scrape::fetch(api);
    let response = request(api, "POST", "/users", None);
    assert_eq!(response.status, 507);
    let error = response.json()["error"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(error.contains("full"), "{error}");
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "POST", "/users", "507"),
        1.0
    );
    assert_eq!(errors_moved(&before, &after, "capacity_exceeded"), 1.0);
    assert_eq!(
        operations_moved(&before, &after, "create_user", "error"),
        1.0
    );
    assert_eq!(request(api, "GET", "/users", None).json()["total"], 4);
}
