//! Tests of the rules coverage and contract check, on small rule and test
//! files written to a scratch directory.

use super::*;

#[test]
fn anchors_follow_github_slugs() {
    let page =
        "# Runbooks\n## ServiceDown\n```\n# not a heading\n```\n### Error budget: burn (fast)\n";
    let anchors = markdown_anchors(page);
    assert!(anchors.contains("runbooks"));
    assert!(anchors.contains("servicedown"));
    assert!(anchors.contains("error-budget-burn-fast"));
    assert!(!anchors.contains("not-a-heading"));
}

#[test]
fn recording_rule_names_need_three_parts() {
    assert!(is_level_metric_operations("job:http_requests:rate5m"));
    assert!(!is_level_metric_operations("http_requests_rate5m"));
    assert!(!is_level_metric_operations("job:http_requests:"));
    assert!(!is_level_metric_operations("Job:http:rate"));
}

const RULES: &str = r#"
groups:
  - name: example
    rules:
      - record: job:requests:rate5m
        expr: sum by (job) (rate(requests_total[5m]))
      - alert: Broken
        expr: up == 0
        labels: {severity: critical}
        annotations:
          summary: s
          description: "{{ $labels.job }} is {{ $value }}"
          runbook_url: https://github.com/lookout-monitoring/lookout/blob/main/docs/runbooks.md#broken
"#;

const FIRING_AND_QUIET: &str = r#"
rule_files: [example.rules.yml]
tests:
  - alert_rule_test:
      - {alertname: Broken, eval_time: 1m, exp_alerts: [{exp_labels: {severity: critical}}]}
      - {alertname: Broken, eval_time: 0m, exp_alerts: []}
"#;

/// Writes the files into a fresh scratch directory and runs the check there.
fn check_files(name: &str, rules: &str, test: &str, runbooks: &str) -> anyhow::Result<Report> {
    let dir = std::env::temp_dir().join(format!("lookout-coverage-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("example.rules.yml"), rules)?;
    std::fs::write(dir.join("example.test.yml"), test)?;
    std::fs::write(dir.join("runbooks.md"), runbooks)?;
    let result = check(
        &[dir.join("example.rules.yml")],
        &[dir.join("example.test.yml")],
        &dir.join("runbooks.md"),
    );
    std::fs::remove_dir_all(&dir)?;
    result
}

#[test]
fn passes_with_a_firing_and_a_quiet_test() {
    let report =
        check_files("ok", RULES, FIRING_AND_QUIET, "## Broken\n").expect("complete rules pass");
    assert_eq!(report.alerts, 1);
    assert_eq!(report.recording_rules, 1);
}

#[test]
fn fails_without_a_quiet_test() {
    let only_firing = FIRING_AND_QUIET.replace(
        "      - {alertname: Broken, eval_time: 0m, exp_alerts: []}\n",
        "",
    );
    let err = check_files("quiet", RULES, &only_firing, "## Broken\n")
        .expect_err("a quiet test is required");
    assert!(
        format!("{err:#}").contains("no test where it stays quiet"),
        "{err:#}"
    );
}

#[test]
fn fails_when_the_test_does_not_load_the_rule_file() {
    let unloaded = FIRING_AND_QUIET.replace("[example.rules.yml]", "[]");
    let err = check_files("unloaded", RULES, &unloaded, "## Broken\n")
        .expect_err("vacuous tests do not count");
    assert!(
        format!("{err:#}").contains("without loading the rule file"),
        "{err:#}"
    );
}

#[test]
fn fails_on_a_missing_runbook_anchor_and_a_bad_recording_name() {
    let rules = RULES.replace("job:requests:rate5m", "requests_rate5m");
    let err = check_files("anchor", &rules, FIRING_AND_QUIET, "## Other\n")
        .expect_err("anchor must exist");
    let message = format!("{err:#}");
    assert!(message.contains("has no heading #broken"), "{message}");
    assert!(
        message.contains("not named level:metric:operations"),
        "{message}"
    );
}

#[test]
fn fails_when_the_description_hides_the_value() {
    let rules = RULES.replace(" is {{ $value }}", " is down");
    let err =
        check_files("value", &rules, FIRING_AND_QUIET, "## Broken\n").expect_err("value required");
    assert!(
        format!("{err:#}").contains("does not show $value"),
        "{err:#}"
    );
}
