//! Inhibition cases, proven on a real Alertmanager: `amtool config routes test`
//! cannot see inhibit rules, so each case starts Alertmanager with the rendered
//! config, posts its alerts in order with `amtool alert add`, and reads every
//! alert's state back with `amtool alert query`.
//!
//! Inhibition is applied asynchronously after an alert arrives. Each case
//! therefore posts a control pair last (a ServiceDown and a HighErrorRate of
//! the job `xtask-control`) and reads the states only once the control
//! HighErrorRate is suppressed: by then every earlier alert has been processed.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Deserialize;

use super::tools::{self, ALERTMANAGER, AMTOOL};

/// How long Alertmanager may take to start and process the alerts.
const DEADLINE: Duration = Duration::from_secs(30);
const CONTROL_JOB: &str = "xtask-control";

/// Alerts to post, in order, and the state expected of some of them.
#[derive(Deserialize)]
pub(super) struct InhibitionCase {
    pub(super) name: String,
    alerts: Vec<BTreeMap<String, String>>,
    expect: Vec<Expectation>,
}

/// The alert whose labels include `labels` must be inhibited, or not.
#[derive(Deserialize)]
struct Expectation {
    labels: BTreeMap<String, String>,
    inhibited: bool,
}

/// The Alertmanager process, killed when dropped (also on a failed assertion).
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs one case on its own Alertmanager.
pub(super) fn run_case(config: &Path, case: &InhibitionCase) -> anyhow::Result<()> {
    let storage = tempfile::Builder::new()
        .prefix("lookout-xtask-inhibition-")
        .tempdir()
        .context("cannot create Alertmanager's storage directory")?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let url = format!("--alertmanager.url=http://127.0.0.1:{port}");
    let child = ALERTMANAGER
        .command()?
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", storage.path().display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        // A single instance: no gossip port to collide with anything.
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start Alertmanager")?;
    let _daemon = Daemon(child);
    wait_until(|| Ok(query(&url).is_ok()), "Alertmanager to answer")?;

    let control = [("alertname", "ServiceDown"), ("severity", "critical")];
    let control_target = [("alertname", "HighErrorRate"), ("severity", "warning")];
    let to_labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        let mut labels: BTreeMap<String, String> = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        labels.insert("job".to_owned(), CONTROL_JOB.to_owned());
        labels
    };
    for labels in case
        .alerts
        .iter()
        .chain([&to_labels(&control), &to_labels(&control_target)])
    {
        let mut args = vec!["alert".to_owned(), "add".to_owned(), url.clone()];
        args.extend(
            labels
                .iter()
                .map(|(name, value)| format!("{name}={value:?}")),
        );
        tools::run_tool(&AMTOOL, &args)?;
    }
    wait_until(
        || {
            let alerts = query(&url)?;
            Ok(find(&alerts, &to_labels(&control_target)).ok() == Some(true))
        },
        "the control alert to be inhibited (is the ServiceDown inhibit rule there?)",
    )?;

    let alerts = query(&url)?;
    let mut problems = Vec::new();
    for expectation in &case.expect {
        match find(&alerts, &expectation.labels) {
            Ok(inhibited) if inhibited == expectation.inhibited => {}
            Ok(inhibited) => problems.push(format!(
                "{:?}: inhibited is {inhibited}, expected {}",
                expectation.labels, expectation.inhibited
            )),
            Err(err) => problems.push(format!("{err:#}")),
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("; "));
    }
    Ok(())
}

/// Every alert Alertmanager holds, with its labels and state.
fn query(url: &str) -> anyhow::Result<Vec<serde_json::Value>> {
    let args = [
        "alert",
        "query",
        url,
        "--active",
        "--inhibited",
        "--silenced",
        "--unprocessed",
        "-o",
        "json",
    ]
    .map(str::to_owned);
    let output = tools::run_tool(&AMTOOL, &args)?;
    serde_json::from_slice(&output.stdout).context("amtool alert query printed no JSON list")
}

/// Whether the one alert whose labels include `labels` is inhibited.
fn find(alerts: &[serde_json::Value], labels: &BTreeMap<String, String>) -> anyhow::Result<bool> {
    let matching: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|alert| {
            labels
                .iter()
                .all(|(name, value)| alert["labels"][name].as_str() == Some(value.as_str()))
        })
        .collect();
    let [alert] = matching.as_slice() else {
        bail!(
            "{labels:?} matches {} alerts, expected exactly one",
            matching.len()
        );
    };
    let inhibited_by = alert["status"]["inhibitedBy"]
        .as_array()
        .map_or(0, Vec::len);
    Ok(inhibited_by > 0)
}

/// Polls `condition` until it holds; failing after [`DEADLINE`] with `what`.
fn wait_until(
    mut condition: impl FnMut() -> anyhow::Result<bool>,
    what: &str,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if condition().unwrap_or(false) {
            return Ok(());
        }
        if start.elapsed() > DEADLINE {
            bail!("gave up after {DEADLINE:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
