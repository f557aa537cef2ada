//! Step 8, the twin of the VM test's persistence check: samples survive a
//! Prometheus restart.

use anyhow::{Result, ensure};
use lookout_e2e::stack::{Stack, names};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::QUICK;

/// Not one of issue 4's seven points: the twin of the VM test's persistence
/// subtest. A sample scraped before a Prometheus restart is still there after it.
pub(crate) async fn step8_samples_survive_a_prometheus_restart(stack: &mut Stack) -> Result<()> {
    let prometheus = stack.prometheus();
    let unix_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs_f64();
    let before = format!("{unix_now:.3}");
    let query = format!("up{{job=\"{}\"}} @ {before}", names::USER_SERVICE);
    let earlier = wait_until("a user-service sample at a known time", QUICK, || async {
        let series = prometheus.query(&query).await?;
        Ok(if series.len() == 1 {
            Probe::Ready(series)
        } else {
            Probe::Pending(format!("{query} returned {series:?}"))
        })
    })
    .await?;
    stack.stop(names::PROMETHEUS).await?;
    stack.restart(names::PROMETHEUS).await?;
    let after = prometheus.query(&query).await?;
    ensure!(
        after.len() == 1
            && after[0].metric == earlier[0].metric
            && after[0].value.1 == earlier[0].value.1,
        "after the restart {query} returned {after:?}, before it {earlier:?}"
    );
    println!("[e2e] step 8: {query} is the same sample after a Prometheus restart");
    Ok(())
}
