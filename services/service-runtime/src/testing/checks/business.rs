//! The business side every service shares: `/health`, the series registered before
//! the first request, and ids that stay unique under a thousand concurrent creates.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use serde_json::json;

use super::Target;
use crate::testing::{Scrape, Spawned, request, requests_moved};

/// Concurrent creates in [`concurrent_creates`].
const CREATES: usize = 1_000;

/// `GET /health` answers the exercise's JSON and counts one request.
pub fn health(target: Target) {
    let service = target.start(&[]);
    let api = service.addr("api");
    let before = Scrape::fetch(api);
    let response = request(api, "GET", "/health", None);
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json(),
        json!({"status": "healthy", "service": target.service})
    );
    let after = Scrape::fetch(api);
    assert_eq!(
        requests_moved(&before, &after, "GET", "/health", "200"),
        1.0
    );
}

/// Before any request: the active gauge counts the seed, the business series
/// exist at 0, and `lookout_build_info` names the service and its version.
pub fn registered_at_start_up(target: Target) {
    let service = target.start(&[]);
    let first = Scrape::fetch(service.addr("api"));
    assert_eq!(
        first.value(target.active_gauge, &[]),
        target.seed.active_gauge as f64,
        "the seed's active items"
    );
    assert!(
        first.has(
            "business_operations_total",
            &[
                ("operation", target.create_operation),
                ("status", "success")
            ]
        ),
        "business series are registered at 0 from start-up"
    );
    assert!(first.has(
        "lookout_build_info",
        &[("service", target.service), ("version", target.version)]
    ));
}

/// 1,000 creates released together by a barrier, with the simulated latency on so
/// the requests really overlap: every one succeeds with a distinct id, and the
/// store, the gauge and the counter agree.
pub fn concurrent_creates(target: Target) {
    let service = Spawned::start(
        target.binary,
        &[
            "--port",
            "0",
            "--admin-port",
            "0",
            "--simulated-latency",
            "true",
            // All the creates are open at once: more than the default cap of 512.
            "--max-connections",
            "2000",
        ],
        &["api", "admin"],
    );
    let api = service.addr("api");
    let barrier = Arc::new(Barrier::new(CREATES));
    let threads: Vec<_> = (0..CREATES)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let response = request(api, "POST", target.collection, None);
                assert_eq!(response.status, 201, "{}", response.body);
                response.json()["id"].as_u64().expect("numeric id")
            })
        })
        .collect();
    let ids: BTreeSet<u64> = threads
        .into_iter()
        .map(|thread| thread.join().expect("create thread"))
        .collect();
    let seed = target.seed;
    assert_eq!(ids.len(), CREATES, "duplicate ids");
    assert_eq!(ids.first().copied(), Some(seed.total as u64 + 1));
    assert_eq!(ids.last().copied(), Some((CREATES + seed.total) as u64));

    let listed = request(api, "GET", target.collection, None).json();
    assert_eq!(listed["total"], CREATES + seed.total);
    assert_eq!(listed["active"], CREATES + seed.listed_active);
    let scrape = Scrape::fetch(api);
    assert_eq!(
        scrape.value(target.active_gauge, &[]),
        (CREATES + seed.active_gauge) as f64
    );
    assert_eq!(
        scrape.value(
            "business_operations_total",
            &[
                ("operation", target.create_operation),
                ("status", "success")
            ]
        ),
        CREATES as f64
    );
}
