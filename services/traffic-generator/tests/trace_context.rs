//! Every request the generator sends starts a trace: a root client span named by
//! the route template, whose context the service receives in `traceparent`. With
//! tracing off nothing is sent: a parent that is never exported would leave the
//! services' spans orphaned.

mod support;

use std::collections::HashSet;

use axum::http::StatusCode;
use opentelemetry::trace::{SpanId, SpanKind};
use service_runtime::span_capture::{CapturedSpans, traceparent_of};
use support::RecordingServer;
use traffic_generator::mix::{Category, RequestKind, Service};
use traffic_generator::requester::{Outcome, Requester, Targets};

async fn requester() -> (RecordingServer, RecordingServer, Requester) {
    let users = RecordingServer::start("users", StatusCode::CREATED).await;
    let orders = RecordingServer::start("orders", StatusCode::CREATED).await;
    let targets = Targets {
        users: users.url(),
        orders: orders.url(),
    };
    let timeout = std::time::Duration::from_secs(5);
    let requester = Requester::new(targets, timeout, 4, 1024).expect("client builds");
    (users, orders, requester)
}

const KINDS: [(Category, Service, u16); 3] = [
    (Category::Create, Service::Orders, 201),
    (Category::NotFound, Service::Users, 404),
    (Category::Read, Service::Orders, 200),
];

// One test, its two parts in turn on one thread: the capture is this thread's
// subscriber, and a second test running beside it without one raced tracing's
// callsite interest cache (the capture then saw no span in about 1 run of 4).
#[tokio::test]
async fn traceparent_only_with_tracing_on_and_each_request_the_root_of_its_own_trace() {
    with_tracing_off_no_traceparent_is_sent().await;
    each_request_is_the_root_of_its_own_trace().await;
}

async fn with_tracing_off_no_traceparent_is_sent() {
    let (users, _orders, requester) = requester().await;
    let kind = RequestKind {
        category: Category::Read,
        service: Service::Users,
    };
    assert_eq!(requester.send(kind).await, Outcome::Answered(200));
    assert_eq!(users.hits()[0].traceparent, None);
}

async fn each_request_is_the_root_of_its_own_trace() {
    let (captured, _guard) = CapturedSpans::on_this_thread();
    let (users, orders, requester) = requester().await;
    let outer = tracing::info_span!("anything around the generator");
    let _entered = outer.enter();
    for (category, service, status) in KINDS {
        let outcome = requester.send(RequestKind { category, service }).await;
        assert_eq!(outcome, Outcome::Answered(status));
    }
    let mut sent: Vec<_> = users.hits().into_iter().chain(orders.hits()).collect();
    sent.sort_by(|a, b| a.path.cmp(&b.path));
    let spans = captured.spans();
    let mut names: Vec<_> = spans.iter().map(|span| span.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["GET /orders", "GET /users/{id}", "POST /orders"]);
    for span in &spans {
        assert_eq!(span.span_kind, SpanKind::Client, "{}", span.name);
        assert_eq!(
            span.parent_span_id,
            SpanId::INVALID,
            "{} is a root",
            span.name
        );
        let traceparent = traceparent_of(span);
        assert!(
            sent.iter()
                .any(|hit| hit.traceparent.as_deref() == Some(&*traceparent)),
            "{traceparent} of {} not received in {sent:#?}",
            span.name
        );
    }
    let traces: HashSet<_> = spans
        .iter()
        .map(|span| span.span_context.trace_id())
        .collect();
    assert_eq!(traces.len(), 3, "one trace per request");
}
