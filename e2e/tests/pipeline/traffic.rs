//! Step 1, twin of the demo VM test's traffic check: the traffic generator's
//! requests reach both services and are scraped. Checked before the test sends
//! any request to a business route itself, so every such request counted is the
//! traffic generator's.

use anyhow::Result;
use lookout_e2e::stack::{ServiceName, Stack};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::QUICK;

/// Business routes of both services, as the metric contract names them.
const BUSINESS_REQUESTS: &str = r#"sum by (job) (http_requests_total{job=~"user-service|order-service", route=~"/users.*|/orders.*"})"#;

pub(crate) async fn traffic_generator_reaches_both_services(stack: &Stack) -> Result<()> {
    let prometheus = stack.prometheus();
    let counts = wait_until(
        "the traffic generator's requests to be counted by both services",
        QUICK,
        || async {
            let series = prometheus.query(BUSINESS_REQUESTS).await?;
            let count = |service: ServiceName| {
                series
                    .iter()
                    .find(|s| s.metric.get("job").map(String::as_str) == Some(service.as_str()))
                    .and_then(|s| s.value.1.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            let counts = (count(ServiceName::User), count(ServiceName::Order));
            Ok(if counts.0 > 0.0 && counts.1 > 0.0 {
                Probe::Ready(counts)
            } else {
                Probe::Pending(format!(
                    "business requests (user, order) scraped: {counts:?}"
                ))
            })
        },
    )
    .await?;
    println!(
        "[e2e] step 1: traffic generator's requests scraped: user-service {}, order-service {}",
        counts.0, counts.1
    );
    Ok(())
}
