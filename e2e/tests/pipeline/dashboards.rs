//! Step 7: every dashboard query returns at least one series.

use std::collections::BTreeSet;

use anyhow::{Context, Result, ensure};
use lookout_e2e::stack::Stack;
use lookout_e2e::tools::lookout_binary;
use lookout_e2e::wait::{Probe, wait_until};
use serde::Deserialize;

use crate::shared::QUICK;

/// One query of `cargo xtask dashboards --queries` (see docs/dashboards.md).
#[derive(Debug, Deserialize)]
pub(crate) struct DashboardQuery {
    dashboard: String,
    kind: String,
    title: String,
    expr: String,
}

pub(crate) async fn step7_every_dashboard_query_has_data(stack: &Stack) -> Result<()> {
    let xtask = lookout_binary("xtask")?;
    // Four 1 s scrape intervals would do for `$__rate_interval`; 1m keeps the
    // windows wide enough to span the restarts of steps 4 and 6.
    let output = std::process::Command::new(&xtask)
        .current_dir(stack.repo())
        .args([
            "dashboards",
            "--queries",
            "--var",
            "__rate_interval=1m",
            "--var",
            "__range=5m",
        ])
        .output()
        .with_context(|| format!("running {}", xtask.display()))?;
    ensure!(
        output.status.success(),
        "xtask dashboards --queries failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let queries: Vec<DashboardQuery> =
        serde_json::from_slice(&output.stdout).context("decoding the query list")?;
    let dashboards: BTreeSet<&str> = queries.iter().map(|q| q.dashboard.as_str()).collect();
    let files = dashboard_files(stack)?;
    ensure!(
        files.iter().all(|uid| dashboards.contains(uid.as_str())),
        "dashboards without queries: files {files:?}, queried {dashboards:?}"
    );
    let prometheus = stack.prometheus();
    let queries = &queries;
    wait_until(
        "every dashboard query to return at least one series",
        QUICK,
        || async {
            let mut empty = Vec::new();
            for query in queries {
                match prometheus.query(&query.expr).await {
                    Ok(series) if !series.is_empty() => {}
                    Ok(_) => empty.push(format!(
                        "{} / {} {:?}: no series for {}",
                        query.dashboard, query.kind, query.title, query.expr
                    )),
                    Err(err) => empty.push(format!(
                        "{} / {} {:?}: {err:#}",
                        query.dashboard, query.kind, query.title
                    )),
                }
            }
            Ok(if empty.is_empty() {
                Probe::Ready(())
            } else {
                Probe::Pending(empty.join("\n"))
            })
        },
    )
    .await?;
    println!(
        "[e2e] step 7: {} queries of {} dashboards all return data",
        queries.len(),
        dashboards.len()
    );
    Ok(())
}

/// Uids (file stems) of `dashboards/*.json`.
pub(crate) fn dashboard_files(stack: &Stack) -> Result<BTreeSet<String>> {
    let dir = stack.repo().join("dashboards");
    Ok(std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter_map(|path| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect())
}
