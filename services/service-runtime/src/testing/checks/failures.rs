//! The exercise's failing requests on a service's item and collection routes:
//! unknown and malformed ids (404), the simulated database failure on id 500, and
//! bad create bodies (400 naming the problem). Each moves exactly the metrics it
//! should; `also` adds the service's own metric assertions (e.g. user-service's
//! `application_errors_total`), given what was sent and the scrapes around it.

use serde_json::json;

use super::Target;
use crate::testing::{Scrape, operations_moved, request, requests_moved};

/// Every path in `paths` (unknown, 999, non-numeric ids under the item route)
/// answers 404 `{"error": <not found>}` and counts one `get_*` `not_found`.
pub fn unknown_ids_are_404(target: Target, paths: &[&str], also: impl Fn(&str, &Scrape, &Scrape)) {
    let service = target.start(&[]);
    let api = service.addr("api");
    for path in paths {
        let before = Scrape::fetch(api);
        let response = request(api, "GET", path, None);
        assert_eq!(response.status, 404, "{path}");
        assert_eq!(
            response.json(),
            json!({"error": target.not_found}),
            "{path}"
        );
        let after = Scrape::fetch(api);
        assert_eq!(
            requests_moved(&before, &after, "GET", target.item_route, "404"),
            1.0,
            "{path}"
        );
        also(path, &before, &after);
        assert_eq!(
            operations_moved(&before, &after, target.get_operation, "not_found"),
            1.0,
            "{path}"
        );
    }
}

/// `GET <collection>/500` is the exercise's simulated database failure: 500
/// `{"error": "Internal server error"}`, one `get_*` `error`, counted once.
pub fn id_500_is_a_server_error(target: Target, also: impl Fn(&str, &Scrape, &Scrape)) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let path = format!("{}/500", target.collection);
    let before = Scrape::fetch(api);
    let response = request(api, "GET", &path, None);
    assert_eq!(response.status, 500);
    assert_eq!(response.json(), json!({"error": "Internal server error"}));
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", target.item_route, "500"),
        1.0
    );
    also(&path, &before, &after);
    assert_eq!(
        operations_moved(&before, &after, target.get_operation, "error"),
        1.0
    );
}

/// Each `(body, expected)` POSTed on the collection answers 400 with an error
/// containing `expected`, counts one create `error`, and stores nothing.
pub fn bad_bodies_are_400(
    target: Target,
    cases: &[(&[u8], &str)],
    also: impl Fn(&str, &Scrape, &Scrape),
) {
    let service = target.start(&[]);
    let api = service.addr("api");
    for (body, expected) in cases {
        let before = Scrape::fetch(api);
        let response = request(api, "POST", target.collection, Some(body));
        assert_eq!(response.status, 400);
        let error = response.json()["error"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(
            error.contains(expected),
            "{error:?} should name {expected:?}"
        );
        let after = Scrape::fetch(api);
        assert_eq!(
            requests_moved(&before, &after, "POST", target.collection, "400"),
            1.0
        );
        also(expected, &before, &after);
        assert_eq!(
            operations_moved(&before, &after, target.create_operation, "error"),
            1.0
        );
    }
    assert_eq!(
        request(api, "GET", target.collection, None).json()["total"],
        target.seed.total,
        "nothing was stored"
    );
}
