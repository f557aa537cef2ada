//! Static checks of the rule files and their promtool tests:
//! - every alert has a firing test (an `alert_rule_test` with expected alerts)
//!   and a quiet test (one with empty `exp_alerts`), in a test file that loads
//!   the rule file defining the alert (a quiet test of an alert that is not
//!   loaded would pass for nothing);
//! - every alert has `labels.severity` (critical, warning or none) and the
//!   `summary`, `description` and `runbook_url` annotations;
//! - every `runbook_url` points into docs/runbooks.md at a heading that exists;
//! - recording rules are named `level:metric:operations`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// Where runbook links point: the runbooks page in the repository.
pub(super) const RUNBOOK_BASE: &str =
    "https://github.com/lookout-monitoring/lookout/blob/main/docs/runbooks.md#";

/// Severities an alert may carry. `none` is the Watchdog's: it routes but never pages.
const SEVERITIES: [&str; 3] = ["critical", "warning", "none"];

#[derive(Deserialize)]
struct RuleFile {
    groups: Vec<RuleGroup>,
}

#[derive(Deserialize)]
struct RuleGroup {
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    alert: Option<String>,
    record: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct TestFile {
    #[serde(default)]
    rule_files: Vec<String>,
    #[serde(default)]
    tests: Vec<TestGroup>,
}

#[derive(Deserialize)]
struct TestGroup {
    #[serde(default)]
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Deserialize)]
struct AlertTest {
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<serde_norway::Value>,
}

/// What the check found, for the summary line.
#[derive(Debug)]
pub(super) struct Report {
    pub(super) alerts: usize,
    pub(super) recording_rules: usize,
}

/// Runs every check; all problems are listed before failing.
pub(super) fn check(
    rule_files: &[PathBuf],
    test_files: &[PathBuf],
    runbooks: &Path,
) -> anyhow::Result<Report> {
    let anchors = markdown_anchors(
        &std::fs::read_to_string(runbooks)
            .with_context(|| format!("cannot read {}", runbooks.display()))?,
    );
    let mut problems = Vec::new();
    // Alert name -> the rule file defining it.
    let mut alerts: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut always_firing = BTreeSet::new();
    let mut recording_rules = 0;
    for path in rule_files {
        let file: RuleFile = parse_yaml(path)?;
        for rule in file.groups.iter().flat_map(|group| &group.rules) {
            if let Some(name) = &rule.record {
                recording_rules += 1;
                if !is_level_metric_operations(name) {
                    problems.push(format!(
                        "recording rule {name}: not named level:metric:operations"
                    ));
                }
            }
            let Some(name) = &rule.alert else { continue };
            if alerts.insert(name.clone(), canonical(path)?).is_some() {
                problems.push(format!("alert {name}: defined twice"));
            }
            if rule.labels.get("severity").map(String::as_str) == Some("none") {
                always_firing.insert(name.clone());
            }
            problems.extend(contract_problems(name, rule, &anchors));
        }
    }

    // Alert name -> (has a firing test, has a quiet test), counting only test
    // files that load the alert's rule file.
    let mut tested: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for path in test_files {
        let file: TestFile = parse_yaml(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let loaded: BTreeSet<PathBuf> = file
            .rule_files
            .iter()
            .filter_map(|rule_file| canonical(&dir.join(rule_file)).ok())
            .collect();
        for test in file.tests.iter().flat_map(|group| &group.alert_rule_test) {
            match alerts.get(&test.alertname) {
                Some(defined_in) if loaded.contains(defined_in) => {
                    let entry = tested.entry(test.alertname.clone()).or_default();
                    if test.exp_alerts.is_empty() {
                        entry.1 = true;
                    } else {
                        entry.0 = true;
                    }
                }
                Some(_) => problems.push(format!(
                    "{}: tests {} without loading the rule file that defines it",
                    path.display(),
                    test.alertname
                )),
                None => problems.push(format!(
                    "{}: tests unknown alert {}",
                    path.display(),
                    test.alertname
                )),
            }
        }
    }
    for name in alerts.keys() {
        let (firing, quiet) = tested.get(name).copied().unwrap_or_default();
        if !firing {
            problems.push(format!("alert {name}: no test where it fires"));
        }
        // An always-firing heartbeat has no quiet case by design.
        if !quiet && !always_firing.contains(name) {
            problems.push(format!(
                "alert {name}: no test where it stays quiet (empty exp_alerts)"
            ));
        }
    }
    if !problems.is_empty() {
        bail!(
            "{} problem(s) in rules/:\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
    }
    Ok(Report {
        alerts: alerts.len(),
        recording_rules,
    })
}

/// The alert contract's labels and annotations, and a runbook anchor that exists.
fn contract_problems(name: &str, rule: &Rule, anchors: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    match rule.labels.get("severity") {
        Some(severity) if SEVERITIES.contains(&severity.as_str()) => {}
        other => problems.push(format!(
            "alert {name}: severity {other:?} is not one of {SEVERITIES:?}"
        )),
    }
    for key in ["summary", "description", "runbook_url"] {
        if rule
            .annotations
            .get(key)
            .is_none_or(|text| text.trim().is_empty())
        {
            problems.push(format!("alert {name}: annotation {key} missing or empty"));
        }
    }
    // The description carries the measured value, and the job for every alert
    // that has one (all but the Watchdog's `vector(1)`).
    if let Some(description) = rule.annotations.get("description") {
        if !description.contains("$value") {
            problems.push(format!("alert {name}: description does not show $value"));
        }
        let heartbeat = rule
            .labels
            .get("severity")
            .is_some_and(|severity| severity == "none");
        if !heartbeat && !description.contains("$labels.job") {
            problems.push(format!(
                "alert {name}: description does not name $labels.job"
            ));
        }
    }
    if let Some(url) = rule.annotations.get("runbook_url") {
        match url.strip_prefix(RUNBOOK_BASE) {
            Some(anchor) if anchors.contains(anchor) => {}
            Some(anchor) => problems.push(format!(
                "alert {name}: docs/runbooks.md has no heading #{anchor}"
            )),
            None => problems.push(format!(
                "alert {name}: runbook_url {url} does not start with {RUNBOOK_BASE}"
            )),
        }
    }
    problems
}

/// `level:metric:operations`: three non-empty parts of lowercase, digits and `_`.
fn is_level_metric_operations(name: &str) -> bool {
    let parts: Vec<&str> = name.split(':').collect();
    parts.len() == 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        })
}

/// The anchors GitHub gives the headings of a Markdown page: lowercase, spaces
/// to `-`, punctuation other than `-` and `_` dropped. Fenced code is skipped.
pub(super) fn markdown_anchors(markdown: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        anchors.insert(slug);
    }
    anchors
}

fn parse_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_norway::from_str(&text)
        .with_context(|| format!("{} is not a valid rule or test file", path.display()))
}

fn canonical(path: &Path) -> anyhow::Result<PathBuf> {
    path.canonicalize()
        .with_context(|| format!("cannot resolve {}", path.display()))
}

#[cfg(test)]
mod tests;
