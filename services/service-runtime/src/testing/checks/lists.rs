//! The collection route's pages and the input edges both services share: `limit`
//! and `offset` windows with `total` the full count, 400 JSON for bad parameters,
//! and ids that are not plain decimals answered as unknown (404).

use serde_json::{Value, json};

use super::{Target, unknown_ids_are_404};
use crate::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::testing::{Scrape, operations_moved, request, requests_moved};

/// Items created on top of the seed, so the default page is full and a second
/// page exists.
const CREATED: usize = DEFAULT_LIMIT + 50;

/// The ids of the items listed in `page` under the target's key.
fn listed_ids(target: Target, page: &Value) -> Vec<u64> {
    page[target.list_key]
        .as_array()
        .unwrap_or_else(|| panic!("no {} array in {page}", target.list_key))
        .iter()
        .map(|item| item["id"].as_u64().expect("numeric id"))
        .collect()
}

/// Without parameters the first [`DEFAULT_LIMIT`] items are listed; `limit` and
/// `offset` choose the window; `total` is always the full count; an offset past
/// the end is an empty page.
pub fn pages(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    for _ in 0..CREATED {
        assert_eq!(request(api, "POST", target.collection, None).status, 201);
    }
    let total = (target.seed.total + CREATED) as u64;
    let get = |query: &str| {
        let response = request(api, "GET", &format!("{}{query}", target.collection), None);
        assert_eq!(response.status, 200, "{query}: {}", response.body);
        let page = response.json();
        assert_eq!(page["total"], total, "{query}");
        assert!(page["active"].is_u64(), "{query}");
        listed_ids(target, &page)
    };
    let window = |first: u64, last: u64| (first..=last).collect::<Vec<u64>>();
    assert_eq!(get(""), window(1, DEFAULT_LIMIT as u64));
    assert_eq!(get("?limit=2&offset=1"), window(2, 3));
    assert_eq!(get("?offset=100&limit=500"), window(101, total));
    assert_eq!(get(&format!("?limit={MAX_LIMIT}")), window(1, total));
    assert_eq!(get(&format!("?offset={total}")), Vec::<u64>::new());
    assert_eq!(get("?offset=18446744073709551615"), Vec::<u64>::new());
    assert_eq!(get("?unknown=1&limit=1"), window(1, 1));
}

/// Bad `limit` or `offset` values answer 400 JSON naming the parameter, count
/// one list operation `error`, and list nothing.
pub fn bad_page_parameters_are_400(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let cases = [
        ("limit=0", "'limit'"),
        ("limit=501", "'limit'"),
        ("limit=abc", "'limit'"),
        ("limit=%2B5", "'limit'"),
        ("limit=", "'limit'"),
        ("offset=-1", "'offset'"),
        ("offset=1e2", "'offset'"),
        ("limit=1&limit=2", "more than once"),
    ];
    for (query, expected) in cases {
        let before = Scrape::fetch(api);
        let path = format!("{}?{query}", target.collection);
        let response = request(api, "GET", &path, None);
        assert_eq!(response.status, 400, "{query}");
        let error = response.json()["error"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_default();
        assert!(error.contains(expected), "{query}: {error:?}");
        let after = Scrape::fetch(api);
        assert_eq!(
            requests_moved(&before, &after, "GET", target.collection, "400"),
            1.0,
            "{query}"
        );
        assert_eq!(
            operations_moved(&before, &after, target.list_operation, "error"),
            1.0,
            "{query}"
        );
    }
}

/// Ids that only look like numbers (`+1`, `0500`, `1e2`, ` 1`, `01`) are unknown
/// ids: 404 JSON, never user 1 or the simulated failure of id 500.
pub fn ids_are_plain_decimal(target: Target) {
    let paths: Vec<String> = ["%2B1", "+1", "0500", "01", "1e2", "%201", "1%20", "1.0"]
        .iter()
        .map(|id| format!("{}/{id}", target.collection))
        .collect();
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
    unknown_ids_are_404(target, &paths, |_, _, _| {});
    // The plain forms still answer: the ids above were refused for their form.
    let service = target.start(&[]);
    let api = service.addr("api");
    let one = request(api, "GET", &format!("{}/1", target.collection), None);
    assert_eq!((one.status, &one.json()["id"]), (200, &json!(1)));
}
