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
    let dashboards: BTreeSet<String> = queries.iter().map(|q| q.dashboard.clone()).collect();
    let files = dashboard_files(stack)?;
    ensure!(
        files.is_subset(&dashboards),
        "dashboards without queries: files {files:?}, queried {dashboards:?}"
    );
    // A machine whose only network device is loopback (the Nix build sandbox) has
    // no series for the host dashboard's network panels, which exclude `lo`. Only
    // there, and only those queries, may be empty; everywhere else they must have data.
    let loopback_only = only_loopback_network()?;
    let (queries, excused): (Vec<DashboardQuery>, Vec<DashboardQuery>) = queries
        .into_iter()
        .partition(|q| !(loopback_only && needs_a_real_network_device(&q.expr)));
    for query in &excused {
        println!(
            "[e2e] step 7: {} / {:?} may be empty: this machine has no network device but lo",
            query.dashboard, query.title
        );
    }
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
        "[e2e] step 7: {} queries of {} dashboards all return data ({} excused)",
        queries.len(),
        dashboards.len(),
        excused.len()
    );
    Ok(())
}

/// Whether the query reads per-device network counters with loopback excluded.
fn needs_a_real_network_device(expr: &str) -> bool {
    expr.contains("node_network_") && expr.contains(r#"device!="lo""#)
}

/// Whether `/sys/class/net` lists no device besides `lo`.
fn only_loopback_network() -> Result<bool> {
    let devices: Vec<String> = std::fs::read_dir("/sys/class/net")
        .context("listing /sys/class/net")?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    Ok(devices.iter().all(|device| device == "lo"))
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
