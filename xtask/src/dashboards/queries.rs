//! Query checks (PromQL syntax, metric names, legend labels) and the query
//! listing that the end-to-end test runs against a live Prometheus.

use super::labels::{Output, metric_name, output_of};
use super::model::{Dashboard, Query, label_values};
use super::variables::Bindings;
use super::vocabulary::Vocabulary;
use crate::promql::{integer_float_label_matchers, selectors};
use serde_json::{Value, json};

/// Every query problem of one dashboard, one line each.
pub(crate) fn check(dashboard: &Dashboard, vocabulary: &Vocabulary) -> Vec<String> {
    let bindings = Bindings::defaults(dashboard.variables());
    let mut problems = Vec::new();
    // Only `label_values(selector, label)` variable queries can be checked (and
    // listed for the live test), so other forms are refused rather than skipped.
    for variable in dashboard.variables() {
        let is_query = variable.get("type").and_then(Value::as_str) == Some("query");
        if is_query && label_values(variable).is_none() {
            let name = variable
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            problems.push(format!(
                "variable {name:?}: query is not label_values(selector, label)"
            ));
        }
    }
    for query in dashboard.queries() {
        problems.extend(check_query(&query, dashboard, &bindings, vocabulary));
    }
    problems
}

/// The problems of one query: substitution, syntax, metric names, legend labels.
fn check_query(
    query: &Query,
    dashboard: &Dashboard,
    bindings: &Bindings,
    vocabulary: &Vocabulary,
) -> Vec<String> {
    let at = &query.location;
    if query.expr.trim().is_empty() {
        return vec![format!("{at}: empty query")];
    }
    let promql = match bindings.substitute(&query.expr) {
        Ok(promql) => promql,
        Err(err) => return vec![format!("{at}: {err}")],
    };
    let expr = match promql_parser::parser::parse(&promql) {
        Ok(expr) => expr,
        Err(err) => return vec![format!("{at}: not valid PromQL ({}): {promql}", err.trim())],
    };
    let mut problems = Vec::new();
    for selector in selectors(&expr) {
        match metric_name(selector) {
            None => problems.push(format!("{at}: a selector names no metric: {selector}")),
            Some(name) if !vocabulary.knows(&name) => problems.push(format!(
                "{at}: metric {name:?} is exported by no service, recording rule or stack component"
            )),
            Some(_) => {}
        }
    }
    problems.extend(
        integer_float_label_matchers(&expr)
            .into_iter()
            .map(|problem| format!("{at}: {problem}")),
    );
    let output = output_of(&expr, &|name| vocabulary.labels(name));
    let mut wanted = legend_labels(&query.legend);
    if query.kind == "variable" {
        let variable = dashboard
            .variables()
            .iter()
            .find(|v| v.get("name") == Some(&json!(query.title)));
        wanted.extend(variable.and_then(label_values).map(|(_, label)| label));
    }
    let returned: Vec<String> = match output {
        Output::Vector(labels) => labels.known.into_iter().collect(),
        Output::Scalar => Vec::new(),
    };
    for label in wanted {
        if !returned.contains(&label) {
            problems.push(format!(
                "{at}: label {label:?} is not one the query returns (it returns {returned:?}): {promql}"
            ));
        }
    }
    problems
}

/// The labels a legend template uses: `{{route}} {{ status_code }}`. Grafana's
/// `__auto` legend names none.
pub(crate) fn legend_labels(legend: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut rest = legend;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        labels.push(rest[start + 2..start + end].trim().to_owned());
        rest = &rest[start + end + 2..];
    }
    labels
}

/// Every query of the selected dashboards (all when `only` is empty) with
/// variables substituted: dashboard variables at "All" unless set in `vars`
/// (`name=value`), built-ins at the check's defaults unless set likewise.
/// The JSON shape is documented in docs/dashboards.md.
pub(crate) fn list(
    dashboards: &[Dashboard],
    vars: &[(String, String)],
    only: &[String],
) -> anyhow::Result<Value> {
    let selected: Vec<&Dashboard> = dashboards
        .iter()
        .filter(|d| only.is_empty() || only.contains(&d.stem))
        .collect();
    for uid in only {
        if !selected.iter().any(|d| &d.stem == uid) {
            anyhow::bail!("no dashboard with uid {uid:?}");
        }
    }
    for (name, _) in vars {
        let defined = |d: &&Dashboard| Bindings::defaults(d.variables()).has(name);
        if !selected.iter().any(defined) {
            anyhow::bail!("--var {name}: no selected dashboard has a variable {name:?}");
        }
    }
    let mut out = Vec::new();
    for dashboard in selected {
        let mut bindings = Bindings::defaults(dashboard.variables());
        for (name, value) in vars {
            if bindings.has(name) {
                bindings.set(name, value).map_err(anyhow::Error::msg)?;
            }
        }
        for query in dashboard.queries() {
            let expr = bindings
                .substitute(&query.expr)
                .map_err(|err| anyhow::anyhow!("{} {}: {err}", dashboard.stem, query.location))?;
            out.push(json!({
                "dashboard": dashboard.stem,
                "kind": query.kind,
                "panel_id": query.panel_id,
                "title": query.title,
                "ref_id": query.ref_id,
                "expr": expr,
                "legend": query.legend,
            }));
        }
    }
    Ok(Value::Array(out))
}
