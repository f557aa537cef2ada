//! 1,000 concurrent creates against the real binary, released together by a
//! barrier: every one succeeds with a distinct id and the store, the gauge and the
//! counter agree.

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use service_runtime::testing::{Scrape, Spawned, request};

const CREATES: usize = 1_000;

#[test]
fn a_thousand_concurrent_creates_get_unique_ids() {
    let service = Spawned::start(
        env!("CARGO_BIN_EXE_order-service"),
        &[
            "--port",
            "0",
            "--admin-port",
            "0",
            "--simulated-latency",
            "true",
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
                let response = request(api, "POST", "/orders", None);
                assert_eq!(response.status, 201, "{}", response.body);
                response.json()["id"].as_u64().expect("numeric id")
            })
        })
        .collect();
    let ids: BTreeSet<u64> = threads
        .into_iter()
        .map(|thread| thread.join().expect("create thread"))
        .collect();
    assert_eq!(ids.len(), CREATES, "duplicate ids");
    assert_eq!(ids.first().copied(), Some(4));
    assert_eq!(ids.last().copied(), Some(CREATES as u64 + 3));

    let listed = request(api, "GET", "/orders", None).json();
    assert_eq!(listed["total"], CREATES + 3);
    assert_eq!(listed["active"], CREATES + 1);
    let scrape = Scrape::fetch(api);
    assert_eq!(scrape.value("active_orders", &[]), (CREATES + 2) as f64);
    assert_eq!(
        scrape.value(
            "business_operations_total",
            &[("operation", "create_order"), ("status", "success")]
        ),
        CREATES as f64
    );
}
