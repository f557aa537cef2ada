//! Step 4: the rendered `remote_write` delivers both replicas' samples into a
//! Prometheus with its remote-write receiver on, each with its external labels.

use std::time::Instant;

use anyhow::{Result, ensure};
use lookout_e2e::stack::ha::{CLUSTER, HaStack, REPLICAS};
use lookout_e2e::wait::{Probe, wait_until};

use crate::shared::{JOB, QUICK};

pub(crate) async fn step4_remote_write_carries_both_replicas(stack: &HaStack) -> Result<()> {
    let started = Instant::now();
    let labels = &stack.configs().labels;
    let sink = stack.sink();
    let query = format!(
        "count by ({}, {}) (up{{job=\"{JOB}\"}})",
        labels.replica, labels.cluster
    );
    wait_until(
        "both replicas' samples in the remote-write sink",
        QUICK + QUICK,
        || async {
            let samples = sink.query(&query).await?;
            let mut seen: Vec<(String, String)> = samples
                .iter()
                .map(|s| {
                    let get = |k: &str| s.metric.get(k).cloned().unwrap_or_default();
                    (get(&labels.replica), get(&labels.cluster))
                })
                .collect();
            seen.sort();
            let expected: Vec<(String, String)> = REPLICAS
                .iter()
                .map(|r| ((*r).to_owned(), CLUSTER.to_owned()))
                .collect();
            Ok(if seen == expected {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("{query} gives (replica, cluster) {seen:?}"))
            })
        },
    )
    .await?;
    let unlabelled = sink
        .query(&format!(
            "count({{__name__=~\".+\", {}=\"\"}})",
            labels.replica
        ))
        .await?;
    ensure!(
        unlabelled.is_empty(),
        "series without a {} label reached the sink: {unlabelled:?}",
        labels.replica
    );
    println!(
        "[ha] step 4: the sink holds both replicas' samples, every series labelled, after {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
