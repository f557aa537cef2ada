//! The edge client against real loopback peers: answers, failures and their
//! metrics here; spans and trace context in [`traces`].

mod stub;
mod traces;

use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use reqwest::StatusCode;

use super::*;

const TIMEOUT: Duration = Duration::from_millis(300);

fn client(base: BaseUrl) -> EdgeClient {
    let peer = Peer::new("user-service").expect("a valid peer name");
    EdgeClient::new(peer, base, TIMEOUT).expect("the client builds")
}

#[tokio::test]
async fn answers_come_back_whole_with_their_status() {
    let peer = client(stub::well_behaved().await);
    let found = peer.get("/users/{id}", "/users/7").await.expect("answered");
    assert_eq!(found.status, StatusCode::OK);
    // Tracing is off in this test: no context, so no traceparent.
    assert_eq!(found.body, "none");
    let missing = peer.get("/missing", "/missing").await.expect("answered");
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let broken = peer.get("/broken", "/broken").await.expect("answered");
    assert_eq!(broken.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn failures_are_told_apart_and_every_wait_ends() {
    let refused = client(stub::refused()).get("/users/{id}", "/users/1").await;
    match refused {
        Err(EdgeError::Unreachable(causes)) => {
            assert!(causes.to_lowercase().contains("refused"), "{causes}");
        }
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let stalled = client(stub::stalled().await);
    let waited = stalled.get("/users/{id}", "/users/1").await;
    assert_eq!(waited, Err(EdgeError::TimedOut(TIMEOUT)));
    let big = client(stub::well_behaved().await).get("/big", "/big").await;
    assert_eq!(big, Err(EdgeError::BodyTooLarge(DEFAULT_MAX_BODY_BYTES)));
    let larger_bound = client(stub::well_behaved().await).with_max_body_bytes(1 << 20);
    let fits = larger_bound.get("/big", "/big").await.expect("answered");
    assert_eq!(fits.body.len(), stub::BIG_BODY_BYTES);
    // No length announced: the bound is counted as the bytes arrive.
    let endless = client(stub::endless().await).get("/", "/").await;
    assert_eq!(
        endless,
        Err(EdgeError::BodyTooLarge(DEFAULT_MAX_BODY_BYTES))
    );
}

#[test]
fn peer_names_are_bounded_label_values() {
    assert_eq!(
        Peer::new("user-service").map(|peer| peer.name()),
        Ok("user-service")
    );
    let long: &'static str = "x".repeat(65).leak();
    for bad in ["", "User-Service", "user service", "a{b}", long] {
        assert!(Peer::new(bad).is_err(), "{bad:?} should be refused");
    }
}

#[test]
fn finished_calls_move_the_edge_metrics_of_their_peer() {
    let recorder = PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let peer = Peer::new("user-service").expect("valid");
    let base = stub::base("127.0.0.1:9".parse().expect("address"));
    metrics::with_local_recorder(&recorder, || {
        peer.register(&reqwest::Method::GET);
        let outcomes = [
            EdgeOutcome::Answered(StatusCode::OK),
            EdgeOutcome::Answered(StatusCode::OK),
            EdgeOutcome::Answered(StatusCode::NOT_FOUND),
            EdgeOutcome::TimedOut,
        ];
        for outcome in outcomes {
            peer.start(
                &reqwest::Method::GET,
                "/users/{id}",
                &base,
                "http://x/users/1",
            )
            .finish(outcome, None);
        }
        let post = peer.start(&reqwest::Method::POST, "/orders", &base, "http://x/orders");
        post.finish(EdgeOutcome::Failed, Some("connection refused"));
    });
    let text = handle.render();
    for line in [
        r#"http_client_requests_total{peer="user-service",method="GET",status_code="200"} 2"#,
        r#"http_client_requests_total{peer="user-service",method="GET",status_code="404"} 1"#,
        r#"http_client_requests_total{peer="user-service",method="GET",status_code="timeout"} 1"#,
        r#"http_client_requests_total{peer="user-service",method="GET",status_code="error"} 0"#,
        r#"http_client_requests_total{peer="user-service",method="POST",status_code="error"} 1"#,
        r#"http_client_request_duration_seconds_count{peer="user-service"} 5"#,
    ] {
        assert!(
            text.lines().any(|got| got == line),
            "{line} missing in\n{text}"
        );
    }
}
