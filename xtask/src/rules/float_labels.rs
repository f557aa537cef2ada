//! No rule and no promtool test depends on how `le` and `quantile` values are
//! written: Prometheus 3 stores them in float format (`"1"` → `"1.0"`), 2.x as
//! scraped (see `crate::promql`). Checked: every rule `expr`, every
//! `promql_expr_test` expression and expected sample labels, every expected
//! alert's labels. Input series are data, not matchers, and stay as written.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_norway::Value;

use crate::promql::{integer_float_label_matchers, is_integer_float_label};

/// How many expressions and label sets were checked; an error lists every offender.
pub(super) fn check(rule_files: &[PathBuf], test_files: &[PathBuf]) -> anyhow::Result<usize> {
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in rule_files.iter().chain(test_files) {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let yaml: Value = serde_norway::from_str(&text)
            .with_context(|| format!("{} is not YAML", path.display()))?;
        let mut problem = |what: String| problems.push(format!("{}: {what}", path.display()));
        for expr in expressions(&yaml) {
            checked += 1;
            match promql_parser::parser::parse(&expr) {
                Ok(parsed) => integer_float_label_matchers(&parsed)
                    .into_iter()
                    .for_each(&mut problem),
                Err(err) => problem(format!("not valid PromQL ({}): {expr}", err.trim())),
            }
        }
        for labels in expected_alert_labels(&yaml) {
            checked += 1;
            for (name, value) in labels {
                if is_integer_float_label(&name, &value) {
                    problem(format!(
                        "expected label {name}: {value:?} is an integer, which Prometheus 3 stores as a float"
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(checked)
}

/// Rule expressions, test expressions and expected sample label sets (a label
/// set `{a="b"}` is a valid selector, so it is checked as one).
fn expressions(yaml: &Value) -> Vec<String> {
    let rules = items(yaml, "groups").flat_map(|group| items(group, "rules"));
    let rule_exprs = rules.filter_map(|rule| text(rule, "expr"));
    let tests = items(yaml, "tests").flat_map(|test| items(test, "promql_expr_test"));
    let test_exprs = tests.clone().filter_map(|case| text(case, "expr"));
    let samples = tests
        .flat_map(|case| items(case, "exp_samples"))
        .filter_map(|sample| text(sample, "labels"));
    rule_exprs.chain(test_exprs).chain(samples).collect()
}

fn expected_alert_labels(yaml: &Value) -> Vec<Vec<(String, String)>> {
    items(yaml, "tests")
        .flat_map(|test| items(test, "alert_rule_test"))
        .flat_map(|case| items(case, "exp_alerts"))
        .filter_map(|alert| alert.get("exp_labels")?.as_mapping())
        .map(|labels| {
            labels
                .iter()
                .filter_map(|(name, value)| {
                    let value = match value {
                        Value::String(text) => text.clone(),
                        Value::Number(number) => number.to_string(),
                        _ => return None,
                    };
                    Some((name.as_str()?.to_owned(), value))
                })
                .collect()
        })
        .collect()
}

fn items<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> + Clone {
    value
        .get(key)
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key)?.as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &std::path::Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn integer_buckets_in_rules_and_tests_fail_and_floats_pass() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = write(
            dir.path(),
            "good.rules.yml",
            "groups: [{name: g, rules: [{record: r, expr: 'sum by (le) (h_bucket{le!=\"+Inf\"})'}]}]",
        );
        assert_eq!(check(std::slice::from_ref(&good), &[]).expect("passes"), 1);
        let bad_rule = write(
            dir.path(),
            "bad.rules.yml",
            "groups: [{name: g, rules: [{alert: A, expr: 'h_bucket{le=\"1\"} > 0'}]}]",
        );
        let bad_test = write(
            dir.path(),
            "bad.test.yml",
            "tests:\n  - input_series: [{series: 'h_bucket{le=\"1\"}', values: '1'}]\n    promql_expr_test:\n      - {expr: r, exp_samples: [{labels: '{le=\"2\"}', value: 1}]}\n    alert_rule_test:\n      - {alertname: A, exp_alerts: [{exp_labels: {quantile: 1}}]}\n",
        );
        let err = check(&[good, bad_rule], &[bad_test]).expect_err("fails");
        let text = format!("{err:#}");
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(
            text.contains("bad.rules.yml") && text.contains("bad.test.yml"),
            "{text}"
        );
    }
}
