//! Issue 13's edge, order-service -> user-service: its client-side metrics in
//! Prometheus (step 1); with user-service down (step 4), order-service answers
//! 503, the failed calls are counted, `UpstreamErrors` fires and `ServiceDown` of
//! the peer inhibits it.

use std::collections::BTreeSet;
use std::time::SystemTime;

use anyhow::{Context, Result, ensure};
use lookout_e2e::alerts::{AlertSelector, wait_alertmanager, wait_prometheus_state};
use lookout_e2e::clients::prometheus::PrometheusClient;
use lookout_e2e::clients::receiver::ReceivedAlert;
use lookout_e2e::stack::{ServiceName, Stack, names};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::{FIRING_SLACK, QUICK, rule_hold};

/// The edge's calls that user-service answered 200.
const EDGE_OK: &str = r#"http_client_requests_total{job="order-service", peer="user-service", method="GET", status_code="200"}"#;
/// The edge's calls that got no answer (refused: user-service is down).
const EDGE_NO_ANSWER: &str =
    r#"http_client_requests_total{job="order-service", peer="user-service", status_code="error"}"#;
/// The `le` bounds of the edge's latency histogram and of order-service's own.
const EDGE_BUCKETS: &str =
    r#"http_client_request_duration_seconds_bucket{job="order-service", peer="user-service"}"#;
const SERVER_BUCKETS: &str =
    r#"http_request_duration_seconds_bucket{job="order-service", route="/orders"}"#;

/// The sum of a query's values, 0 when it has no series.
async fn total(prometheus: &PrometheusClient, promql: &str) -> Result<f64> {
    let series = prometheus.query(promql).await?;
    series
        .iter()
        .map(|sample| sample.value.1.parse::<f64>().context("not a number"))
        .sum()
}

async fn wait_positive(stack: &Stack, what: &str, promql: &str) -> Result<f64> {
    let prometheus = stack.prometheus();
    wait_until(
        &format!("{what} ({promql}) in Prometheus"),
        QUICK,
        || async {
            let value = total(&prometheus, promql).await?;
            Ok(if value > 0.0 {
                Probe::Ready(value)
            } else {
                Probe::Pending(format!("sum {value}"))
            })
        },
    )
    .await
}

async fn bucket_bounds(prometheus: &PrometheusClient, promql: &str) -> Result<BTreeSet<String>> {
    Ok(prometheus
        .query(promql)
        .await?
        .into_iter()
        .filter_map(|sample| sample.metric.get("le").cloned())
        .collect())
}

/// Step 1: the calls order-service makes to user-service are counted per edge,
/// with a latency histogram on the server histogram's buckets.
pub(crate) async fn edge_metrics_in_prometheus(stack: &Stack) -> Result<()> {
    let calls = wait_positive(
        stack,
        "order-service's successful calls to user-service",
        EDGE_OK,
    )
    .await?;
    let prometheus = stack.prometheus();
    let edge = bucket_bounds(&prometheus, EDGE_BUCKETS).await?;
    let server = bucket_bounds(&prometheus, SERVER_BUCKETS).await?;
    ensure!(
        !edge.is_empty() && edge == server,
        "the edge histogram's buckets {edge:?} differ from order-service's server histogram's {server:?}"
    );
    println!(
        "[e2e] step 1: edge order-service -> user-service: {calls} calls answered 200, histogram on {} buckets",
        edge.len()
    );
    Ok(())
}

/// Step 4, just after user-service is killed: an order cannot be checked, so
/// order-service refuses it with a JSON 503.
pub(crate) async fn order_service_answers_503_without_user_service(stack: &Stack) -> Result<()> {
    let url = format!("{}/orders", stack.service_url(ServiceName::Order));
    let response = stack
        .http()
        .post(&url)
        .json(&serde_json::json!({"userId": 1, "product": "Monitor", "amount": 300}))
        .send()
        .await
        .with_context(|| format!("POST {url}"))?;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await?;
    ensure!(
        status == 503 && content_type.starts_with("application/json"),
        "POST /orders with user-service down answered {status} ({content_type}): {body}"
    );
    let error: serde_json::Value =
        serde_json::from_str(&body).with_context(|| format!("503 body is not JSON: {body}"))?;
    ensure!(
        error["error"].as_str().is_some_and(|text| !text.is_empty()),
        "503 body has no error message: {body}"
    );
    println!("[e2e] step 4: user-service down, POST /orders answers 503 {body}");
    Ok(())
}

/// Step 4, once ServiceDown{job="user-service"} fires (Alertmanager fingerprint
/// `service_down`, delivered as `service_down_delivery`): the edge's failures
/// are counted as `error`, UpstreamErrors fires for the edge, Alertmanager holds
/// it suppressed by ServiceDown, and no UpstreamErrors notification reached the
/// receiver after ServiceDown's.
pub(crate) async fn upstream_errors_inhibited_by_service_down(
    stack: &Stack,
    service_down: &str,
    service_down_delivery: &ReceivedAlert,
) -> Result<()> {
    let refused = wait_positive(
        stack,
        "order-service's unanswered calls to user-service",
        EDGE_NO_ANSWER,
    )
    .await?;
    let selector = AlertSelector::named("UpstreamErrors")
        .with("job", names::ORDER_SERVICE)
        .with("peer", names::USER_SERVICE);
    let hold = rule_hold(stack, "UpstreamErrors").await?;
    let firing = wait_prometheus_state(
        &stack.prometheus(),
        &selector,
        "firing",
        hold + FIRING_SLACK,
    )
    .await?;
    let held = wait_alertmanager(
        &stack.alertmanager(),
        &selector,
        "suppressed, inhibited by ServiceDown{job=\"user-service\"}",
        QUICK,
        |alert| {
            alert.status.state == "suppressed"
                && alert
                    .status
                    .inhibited_by
                    .iter()
                    .any(|by| by == service_down)
        },
    )
    .await?;
    let since = received_at(service_down_delivery)?;
    let deliveries = stack
        .receiver()
        .alerts(Some("firing"), Some(&selector.name))
        .await?;
    let mut before = 0;
    for delivery in deliveries.iter().filter(|d| selector.matches(&d.labels)) {
        ensure!(
            received_at(delivery)? < since,
            "{selector} was delivered at {} by {}, after ServiceDown{{job=\"user-service\"}} \
             (delivered at {}) should have inhibited it",
            delivery.received_at,
            delivery.receiver,
            service_down_delivery.received_at
        );
        before += 1;
    }
    println!(
        "[e2e] step 4: {refused} refused calls counted; {selector} firing (since {}, value {}), \
         suppressed in Alertmanager with inhibitedBy {:?}; delivered {before} time(s) before \
         ServiceDown (step 2's injected 500s), never after",
        firing.active_at.as_deref().unwrap_or("?"),
        firing.value,
        held.status.inhibited_by
    );
    Ok(())
}

fn received_at(alert: &ReceivedAlert) -> Result<SystemTime> {
    humantime::parse_rfc3339_weak(&alert.received_at)
        .with_context(|| format!("bad receivedAt {}", alert.received_at))
}
