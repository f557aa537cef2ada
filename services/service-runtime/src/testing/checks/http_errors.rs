//! Label cardinality under random paths, and JSON answers for HTTP errors.

use rand::Rng;
use rand::distr::Alphanumeric;

use super::{Target, requests};
use crate::catalog;
use crate::testing::{Scrape, request};

/// 10,000 random paths (unknown routes, and random ids under the collection) add
/// no series: unknown routes share `route="unmatched"`.
pub fn cardinality(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let item_prefix = format!("{}/", target.collection);
    // Create the series the random requests will land in.
    assert_eq!(request(api, "GET", "/warm-up", None).status, 404);
    assert_eq!(
        request(api, "GET", &format!("{item_prefix}warm-up"), None).status,
        404
    );
    // The first scrape creates the `/metrics` series themselves.
    Scrape::fetch(api);
    let before = Scrape::fetch(api);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let prefix = item_prefix.clone();
            std::thread::spawn(move || {
                let mut rng = rand::rng();
                for round in 0..2_500 {
                    let noise: String = (&mut rng)
                        .sample_iter(Alphanumeric)
                        .take(12)
                        .map(char::from)
                        .collect();
                    let path = if round % 2 == 0 {
                        format!("/{noise}/{}", rng.random::<u32>())
                    } else {
                        format!("{prefix}x{noise}")
                    };
                    let response = request(api, "GET", &path, None);
                    assert_eq!(response.status, 404, "{path}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("request thread");
    }
    let after = Scrape::fetch(api);
    assert_eq!(
        before.series_count(),
        after.series_count(),
        "random paths added series"
    );
    let unmatched = requests(&after, "GET", catalog::ROUTE_UNMATCHED, "404")
        - requests(&before, "GET", catalog::ROUTE_UNMATCHED, "404");
    assert_eq!(unmatched, 5_000.0);
    assert!(
        !after.text.contains("warm-up"),
        "a raw path leaked into a label"
    );
}

/// Unknown routes, wrong methods, odd methods and oversized bodies all answer JSON
/// and are counted with bounded labels.
pub fn json_errors(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let collection = target.collection;
    let before = Scrape::fetch(api);

    let unknown = request(api, "GET", "/definitely/not/here", None);
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json(), serde_json::json!({"error": "Not found"}));

    let wrong_method = request(api, "DELETE", collection, None);
    assert_eq!(wrong_method.status, 405);
    assert_eq!(
        wrong_method.json(),
        serde_json::json!({"error": "Method not allowed"})
    );
    assert!(
        wrong_method
            .header("allow")
            .is_some_and(|allow| allow.contains("GET"))
    );

    let odd_method = request(api, "BREW", collection, None);
    assert_eq!(odd_method.status, 405);

    let too_big = vec![b' '; 64 * 1024 + 1];
    let oversized = request(api, "POST", collection, Some(&too_big));
    assert_eq!(oversized.status, 413);
    assert!(
        oversized.json()["error"]
            .as_str()
            .is_some_and(|error| error.contains("64 KiB"))
    );

    let after = Scrape::fetch(api);
    let moved = |method: &str, route: &str, status: &str| {
        requests(&after, method, route, status) - requests(&before, method, route, status)
    };
    assert_eq!(moved("GET", catalog::ROUTE_UNMATCHED, "404"), 1.0);
    assert_eq!(moved("DELETE", collection, "405"), 1.0);
    assert_eq!(moved(catalog::METHOD_OTHER, collection, "405"), 1.0);
    assert_eq!(moved("POST", collection, "413"), 1.0);
}
