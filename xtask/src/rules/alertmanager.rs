//! Checks of `nix/lib/alertmanager-config.nix`: it renders with plain
//! `nix-instantiate` (builtins only), the result loads in the real Alertmanager
//! (`amtool check-config`), keeps the contract amtool cannot see (grouping,
//! `send_resolved` everywhere, secrets only as files), routes as the cases in
//! `nix/lib/tests/alertmanager-routes.yml` say, and inhibits as they say (on a
//! real Alertmanager, see `inhibition.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

use super::inhibition::{self, InhibitionCase};
use super::tools::{self, AMTOOL, NIX_INSTANTIATE};

const FUNCTION: &str = "nix/lib/alertmanager-config.nix";
const CASES: &str = "nix/lib/tests/alertmanager-routes.yml";

/// The case file: routing cases and inhibition cases.
#[derive(Deserialize)]
struct Cases {
    routes: Vec<RouteCase>,
    inhibitions: Vec<InhibitionCase>,
}

/// An alert's labels and the receivers Alertmanager must route it to, in order.
#[derive(Deserialize)]
struct RouteCase {
    name: String,
    labels: BTreeMap<String, String>,
    receivers: Vec<String>,
}

/// Runs every Alertmanager check against the repository at `root`.
pub(super) fn check(root: &Path) -> anyhow::Result<()> {
    // Removed when dropped, also on an early error.
    let scratch = tempfile::Builder::new()
        .prefix("lookout-xtask-alertmanager-")
        .tempdir()
        .context("cannot create a scratch directory")?;
    let function = root
        .join(FUNCTION)
        .canonicalize()
        .with_context(|| format!("cannot find {FUNCTION}"))?;

    let default_config = render(&function, "{ }", &scratch.path().join("default.yml"))?;
    // Slack is the one optional receiver Alertmanager 0.25 knows; Teams needs
    // 0.27 (documented in docs/operations.md), so it is not loaded here.
    let slack_config = render(
        &function,
        r#"{ slackApiUrlFile = "/run/secrets/slack-webhook-url"; }"#,
        &scratch.path().join("slack.yml"),
    )?;
    for config in [&default_config, &slack_config] {
        tools::run_tool(
            &AMTOOL,
            &["check-config".to_owned(), config.display().to_string()],
        )?;
        contract(config)?;
    }
    println!(
        "rules: alertmanager config renders, passes amtool check-config (default and with Slack)"
    );

    // A Nix path would copy the secret into the store: the function must refuse it.
    if render(
        &function,
        "{ slackApiUrlFile = ./.; }",
        &scratch.path().join("refused.yml"),
    )
    .is_ok()
    {
        bail!("{FUNCTION} accepted a Nix path as a secret file: it would land in the Nix store");
    }

    let cases: Cases = serde_norway::from_str(
        &std::fs::read_to_string(root.join(CASES))
            .with_context(|| format!("cannot read {CASES}"))?,
    )
    .with_context(|| format!("{CASES} is not a valid case file"))?;
    for case in &cases.routes {
        route_test(&default_config, case)?;
    }
    println!(
        "rules: amtool config routes test: {} cases route as expected",
        cases.routes.len()
    );

    for case in &cases.inhibitions {
        inhibition::run_case(&default_config, case)
            .with_context(|| format!("inhibition case {:?}", case.name))?;
    }
    println!(
        "rules: inhibition: {} cases hold on a real Alertmanager",
        cases.inhibitions.len()
    );
    Ok(())
}

/// Renders the function applied to `arguments` (a Nix attrset) into `out`.
fn render(function: &Path, arguments: &str, out: &Path) -> anyhow::Result<PathBuf> {
    let expr = format!("(import {}) {arguments}", function.display());
    let args = ["--eval", "--strict", "--json", "--expr", &expr].map(str::to_owned);
    let output = tools::run_tool(&NIX_INSTANTIATE, &args)?;
    std::fs::write(out, &output.stdout)
        .with_context(|| format!("cannot write {}", out.display()))?;
    Ok(out.to_path_buf())
}

/// What the issue asks of the routing tree beyond what amtool validates.
fn contract(config: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(config)?;
    let value: serde_json::Value = serde_json::from_str(&text)?;
    let mut problems = Vec::new();
    if value["route"]["group_by"] != serde_json::json!(["alertname", "job"]) {
        problems.push("route.group_by is not [alertname, job]".to_owned());
    }
    for receiver in value["receivers"].as_array().into_iter().flatten() {
        let name = receiver["name"].as_str().unwrap_or("?");
        let Some(fields) = receiver.as_object() else {
            continue;
        };
        for (kind, configs) in fields.iter().filter(|(key, _)| key.ends_with("_configs")) {
            for entry in configs.as_array().into_iter().flatten() {
                if entry["send_resolved"] != serde_json::Value::Bool(true) {
                    problems.push(format!(
                        "receiver {name}: a {kind} entry lacks send_resolved: true"
                    ));
                }
                // Chat URLs are secrets: only their file may appear.
                for secret in ["api_url", "webhook_url"] {
                    if entry.get(secret).is_some() {
                        problems.push(format!(
                            "receiver {name}: {kind} has {secret} inline, not from a file"
                        ));
                    }
                }
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} in {}:\n  {}",
            problems.len(),
            config.display(),
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// `amtool config routes test` must resolve exactly the expected receivers.
fn route_test(config: &Path, case: &RouteCase) -> anyhow::Result<()> {
    let mut args = vec![
        "config".to_owned(),
        "routes".to_owned(),
        "test".to_owned(),
        format!("--config.file={}", config.display()),
        format!("--verify.receivers={}", case.receivers.join(",")),
    ];
    args.extend(
        case.labels
            .iter()
            .map(|(name, value)| format!("{name}={value:?}")),
    );
    tools::run_tool(&AMTOOL, &args).with_context(|| format!("route case {:?}", case.name))?;
    Ok(())
}
