//! Rendering the HA stack's configs and Alertmanager cluster flags with the
//! repository's pure Nix functions: `prometheus-config.nix` (with `replica`,
//! `cluster`, every peer and `remoteWrite`), `alertmanager-config.nix` (the same
//! test timings as the single-instance stack), `alertmanager-cluster-flags.nix`
//! and the label names of `ha-labels.nix`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::{Value, json};

use super::topology::{CLUSTER, HaPorts, PEER_TIMEOUT, REPLICAS, loopback};
use crate::render::{call_nix_function, write_config};
use crate::stack::configs::rule_files;
use crate::stack::durations::go_duration;
use crate::stack::{StackOptions, names};
use crate::tools::{Tool, locate_tool};

/// The external label names of `nix/lib/ha-labels.nix`.
#[derive(Debug, Clone, Deserialize)]
pub struct HaLabels {
    /// Differs between replicas; dropped from alerts.
    pub replica: String,
    /// Names the pair.
    pub cluster: String,
}

/// Everything rendered for one HA stack.
#[derive(Debug, Clone)]
pub struct HaConfigs {
    /// `prometheus-<replica>.yml` of each replica, in the order of `REPLICAS`.
    pub replica_files: Vec<PathBuf>,
    /// The rendered config of each replica.
    pub replicas: Vec<Value>,
    /// The remote-write sink's config file.
    pub sink_file: PathBuf,
    /// `alertmanager.yml`, shared by every peer.
    pub alertmanager_file: PathBuf,
    /// The rendered Alertmanager config.
    pub alertmanager: Value,
    /// The cluster flags of each peer.
    pub peer_flags: Vec<Vec<String>>,
    /// The HA label names.
    pub labels: HaLabels,
}

impl HaConfigs {
    /// The labels Alertmanager groups notifications by (the root route's `group_by`).
    pub fn group_by(&self) -> Vec<String> {
        self.alertmanager["route"]["group_by"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|label| label.as_str().map(str::to_owned))
            .collect()
    }
}

/// Renders every config into `dir`.
pub(super) fn render(
    repo: &Path,
    dir: &Path,
    options: &StackOptions,
    ports: &HaPorts,
) -> Result<HaConfigs> {
    let scratch = |name: &str| -> Result<PathBuf> {
        let path = dir.join("render").join(name);
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(path)
    };
    let labels: HaLabels = serde_json::from_value(eval_nix_file(repo, "ha-labels.nix")?)
        .context("nix/lib/ha-labels.nix must name the replica and cluster labels")?;
    let rules: Vec<String> = rule_files(repo)?
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let shared = &ports.shared;
    let replica_addresses: Vec<String> = ports.replicas.iter().map(|p| loopback(*p)).collect();
    let targets = json!({
        names::USER_SERVICE: [loopback(shared.user_service)],
        names::ORDER_SERVICE: [loopback(shared.order_service)],
        names::ALERT_RECEIVER: [loopback(shared.alert_receiver)],
        names::NODE_EXPORTER: [loopback(shared.node_exporter)],
        names::ALERTMANAGER: ports.alertmanager_addresses(),
        names::PROMETHEUS: replica_addresses,
    });
    let mut replica_files = Vec::new();
    let mut replicas = Vec::new();
    for replica in REPLICAS {
        let config = call_nix_function(
            repo,
            "prometheus-config.nix",
            &json!({
                "targets": targets,
                "scrapeInterval": go_duration(options.scrape_interval),
                "evaluationInterval": go_duration(options.evaluation_interval),
                "ruleFiles": rules,
                "alertmanagers": ports.alertmanager_addresses(),
                "replica": replica,
                "cluster": CLUSTER,
                "remoteWrite": [{
                    "name": "sink",
                    "url": format!("http://{}/api/v1/write", loopback(ports.sink)),
                }],
            }),
            &scratch(&format!("prometheus-{replica}"))?,
        )?;
        let file = dir.join(format!("prometheus-{replica}.yml"));
        write_config(&file, &config)?;
        replica_files.push(file);
        replicas.push(config);
    }
    // The sink only stores what it is sent: no scrapes, no rules, no alerting.
    let sink = call_nix_function(
        repo,
        "prometheus-config.nix",
        &json!({ "targets": {} }),
        &scratch("prometheus-sink")?,
    )?;
    let sink_file = dir.join("prometheus-sink.yml");
    write_config(&sink_file, &sink)?;
    let alertmanager = call_nix_function(
        repo,
        "alertmanager-config.nix",
        &json!({
            "webhookUrl": format!("http://{}/webhook", loopback(shared.alert_receiver)),
            "groupWait": go_duration(options.alertmanager.group_wait),
            "groupInterval": go_duration(options.alertmanager.group_interval),
            "criticalGroupInterval": go_duration(options.alertmanager.group_interval),
            "repeatInterval": go_duration(options.alertmanager.repeat_interval),
        }),
        &scratch("alertmanager")?,
    )?;
    let alertmanager_file = dir.join("alertmanager.yml");
    write_config(&alertmanager_file, &alertmanager)?;
    let mut peer_flags = Vec::new();
    for (index, gossip) in ports.peers_gossip.iter().enumerate() {
        let flags = call_nix_function(
            repo,
            "alertmanager-cluster-flags.nix",
            &json!({
                "listenAddress": loopback(*gossip),
                "peers": ports.gossip_addresses(),
                "peerTimeout": go_duration(PEER_TIMEOUT),
            }),
            &scratch(&format!("alertmanager-{}", index + 1))?,
        )?;
        peer_flags.push(
            serde_json::from_value(flags)
                .context("alertmanager-cluster-flags.nix must return a list of strings")?,
        );
    }
    Ok(HaConfigs {
        replica_files,
        replicas,
        sink_file,
        alertmanager_file,
        alertmanager,
        peer_flags,
        labels,
    })
}

/// The value of `repo/nix/lib/<file>` (an attrset, not a function).
fn eval_nix_file(repo: &Path, file: &str) -> Result<Value> {
    let nix = locate_tool(Tool::NixInstantiate)?;
    let path = repo.join("nix/lib").join(file);
    let output = std::process::Command::new(&nix)
        .args(["--eval", "--strict", "--json"])
        .arg(&path)
        .output()
        .with_context(|| format!("running {}", nix.display()))?;
    if !output.status.success() {
        bail!(
            "nix-instantiate failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::from_slice(&output.stdout)
        .with_context(|| format!("{} did not evaluate to JSON", path.display()))
}
