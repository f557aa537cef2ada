//! Runs of the generator against recording servers: the mix reaches the right
//! services in the asked-for shares, the rate is about right (by count), runs stop at
//! the duration or on shutdown with nothing left in flight, and failures are counted.
//! Counts only: no assertion depends on how fast this machine is, except the loose
//! lower bound on the number of requests sent, which only a stall of many seconds
//! could break.

mod support;

use std::time::Duration;

use axum::http::StatusCode;
use service_runtime::shutdown::Shutdown;
use support::{RecordingServer, plan};
use traffic_generator::mix::{ORDER_BODY, Shares};
use traffic_generator::runner::run;

/// A hung run fails the test instead of hanging it.
const GUARD: Duration = Duration::from_secs(60);

const EXERCISE_MIX: Shares = Shares {
    error: 0.2,
    not_found: 0.3,
    create: 0.1,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_the_exercise_sequence_in_the_asked_for_shares_at_about_the_rate() {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let plan = plan(
        users.url(),
        orders.url(),
        100.0,
        Some(Duration::from_secs(2)),
        EXERCISE_MIX,
    );
    let summary = tokio::time::timeout(GUARD, run(plan, Shutdown::new()))
        .await
        .expect("the run ends by itself")
        .expect("the run succeeds");

    // 2 s at 100/s: slots at 0, 10 ms, ... 1990 ms. Never more; fewer only if the
    // machine stalled (then the pacer drops what it cannot catch up).
    assert!(summary.sent <= 201, "{summary:?}");
    assert!(summary.sent >= 100, "{summary:?}");
    let sent = summary.sent as f64;
    let (users_hits, orders_hits) = (users.counts(), orders.counts());
    let count = |counts: &std::collections::BTreeMap<String, usize>, key: &str| {
        counts.get(key).copied().unwrap_or(0) as f64
    };
    let both = |users_key: &str, orders_key: &str| {
        count(&users_hits, users_key) + count(&orders_hits, orders_key)
    };
    let close = |actual: f64, share: f64, what: &str| {
        assert!(
            (actual - share * sent).abs() <= 2.0,
            "{what}: {actual} of {sent}"
        );
    };
    close(both("GET /users/500", "GET /orders/500"), 0.2, "500s");
    close(both("GET /users/999", "GET /orders/999"), 0.3, "404s");
    close(both("POST /users", "POST /orders"), 0.1, "creates");
    close(both("GET /users", "GET /orders"), 0.4, "reads");
    // Each kind alternates between the services.
    for (users_key, orders_key) in [
        ("GET /users", "GET /orders"),
        ("GET /users/500", "GET /orders/500"),
    ] {
        let difference = count(&users_hits, users_key) - count(&orders_hits, orders_key);
        assert!(difference.abs() <= 1.0, "{users_key} vs {orders_key}");
    }

    // Everything sent was answered, with the exercise's statuses.
    assert_eq!(
        users.hits().len() + orders.hits().len(),
        summary.sent as usize
    );
    assert_eq!(
        summary.status_2xx + summary.status_4xx + summary.status_5xx,
        summary.sent
    );
    assert_eq!(
        (summary.unexpected, summary.errors, summary.timeouts),
        (0, 0, 0),
        "{summary:?}"
    );

    // Creates look like the exercise's curl: no body for users, its JSON for orders.
    let user_creates: Vec<_> = users
        .hits()
        .into_iter()
        .filter(|h| h.method == "POST")
        .collect();
    assert!(user_creates.iter().all(|h| h.body.is_empty()));
    let order_creates: Vec<_> = orders
        .hits()
        .into_iter()
        .filter(|h| h.method == "POST")
        .collect();
    assert!(!order_creates.is_empty());
    for hit in order_creates {
        assert_eq!(hit.body, ORDER_BODY);
        assert_eq!(hit.content_type.as_deref(), Some("application/json"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_at_the_duration_with_nothing_in_flight() {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let plan = plan(
        users.url(),
        orders.url(),
        20.0,
        Some(Duration::from_millis(500)),
        EXERCISE_MIX,
    );
    let summary = tokio::time::timeout(GUARD, run(plan, Shutdown::new()))
        .await
        .expect("the run ends by itself")
        .expect("the run succeeds");
    // 500 ms at 20/s: slots at 0, 50, ... 450 ms.
    assert!((1..=10).contains(&summary.sent), "{summary:?}");
    assert_eq!(
        users.hits().len() + orders.hits().len(),
        summary.sent as usize
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_duration_runs_until_shutdown() {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let plan = plan(users.url(), orders.url(), 200.0, None, EXERCISE_MIX);
    let shutdown = Shutdown::new();
    let running = tokio::spawn(run(plan, shutdown.clone()));
    users.wait_for_hits(10).await;
    shutdown.trigger();
    let summary = tokio::time::timeout(GUARD, running)
        .await
        .expect("the run stops on shutdown")
        .expect("the task did not panic")
        .expect("the run succeeds");
    assert!(summary.sent >= 10, "{summary:?}");
    assert_eq!(
        users.hits().len() + orders.hits().len(),
        summary.sent as usize
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stops_creating_on_a_service_whose_store_is_full() {
    let users = RecordingServer::start("users", StatusCode::INSUFFICIENT_STORAGE).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let mut plan = plan(
        users.url(),
        orders.url(),
        200.0,
        Some(Duration::from_millis(500)),
        Shares {
            error: 0.0,
            not_found: 0.0,
            create: 0.5,
        },
    );
    // One request at a time, so the 507 is seen before the next create is sent.
    plan.concurrency = 1;
    let summary = tokio::time::timeout(GUARD, run(plan, Shutdown::new()))
        .await
        .expect("the run ends by itself")
        .expect("the run succeeds");
    let (users_counts, orders_counts) = (users.counts(), orders.counts());
    assert_eq!(
        users_counts.get("POST /users"),
        Some(&1),
        "{users_counts:?}"
    );
    assert!(
        orders_counts.get("POST /orders").is_some_and(|n| *n > 1),
        "{orders_counts:?}"
    );
    assert!(summary.creates_withheld > 0, "{summary:?}");
    assert_eq!(summary.unexpected, 1, "only the one 507");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_that_is_down_is_counted_not_fatal() {
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    // A port that was free a moment ago: connections to it are refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let dead_url = format!("http://{}", closed.local_addr().expect("address"))
        .parse()
        .expect("URL");
    drop(closed);
    let plan = plan(
        dead_url,
        orders.url(),
        50.0,
        Some(Duration::from_millis(400)),
        EXERCISE_MIX,
    );
    let summary = tokio::time::timeout(GUARD, run(plan, Shutdown::new()))
        .await
        .expect("the run ends by itself")
        .expect("the run succeeds");
    assert_eq!(
        orders.hits().len() as u64 + summary.errors,
        summary.sent,
        "{summary:?}"
    );
    assert!(summary.errors > 0, "{summary:?}");
}
