//! Links from panels to traces: Grafana data links and panel links that open
//! Explore on the Tempo datasource. No Grafana runs in CI, so what can be
//! checked without it is checked here:
//!
//! - an Explore link's URL (see `explore_url.rs`);
//! - every `${__field.labels.NAME}` in a link's URL or title is a label that
//!   every query of the panel returns (else Grafana fills in an empty string
//!   and the link finds nothing);
//! - every other `${name}` is a dashboard variable or a Grafana built-in.

use super::explore_url;
use super::labels::{Output, output_of};
use super::model::{Dashboard, array, text};
use super::variables::Bindings;
use super::vocabulary::Vocabulary;
use serde_json::Value;

/// Grafana's own data link and URL variables (the part before any `.`).
const BUILT_INS: &[&str] = &[
    "__from",
    "__to",
    "__url_time_range",
    "__all_variables",
    "__timezone",
    "__series",
    "__field",
    "__value",
    "__data",
    "__dashboard",
    "__org",
    "__user",
];

/// Every trace-link problem of one dashboard, one line each.
pub(crate) fn check(dashboard: &Dashboard, vocabulary: &Vocabulary) -> Vec<String> {
    let bindings = Bindings::defaults(dashboard.variables());
    let variables: Vec<String> = dashboard
        .variables()
        .iter()
        .map(|variable| text(variable, "name"))
        .collect();
    let mut problems = Vec::new();
    for panel in dashboard.panels() {
        let defaults = panel
            .pointer("/fieldConfig/defaults")
            .unwrap_or(&Value::Null);
        let links = array(panel, "links").iter().chain(array(defaults, "links"));
        for link in links {
            let at = format!(
                "panel {} {:?} link {:?}",
                panel.get("id").and_then(Value::as_i64).unwrap_or(-1),
                text(panel, "title"),
                text(link, "title")
            );
            let url = text(link, "url");
            let mut found = Vec::new();
            for placeholder in placeholders(&url).chain(placeholders(&text(link, "title"))) {
                found.extend(placeholder_problem(
                    placeholder,
                    panel,
                    &variables,
                    &bindings,
                    vocabulary,
                ));
            }
            if url.starts_with("/explore") {
                found.extend(explore_url::problems(&url));
            }
            problems.extend(found.into_iter().map(|problem| format!("{at}: {problem}")));
        }
    }
    problems
}

/// The `${…}` placeholders of `text`, without the braces.
fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    text.split("${")
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(inside, _)| inside))
}

/// What is wrong with one placeholder (`job`, `job:pipe`, `__field.labels.job`).
fn placeholder_problem(
    placeholder: &str,
    panel: &Value,
    variables: &[String],
    bindings: &Bindings,
    vocabulary: &Vocabulary,
) -> Option<String> {
    let name = placeholder.split(':').next().unwrap_or_default();
    if let Some(label) = name.strip_prefix("__field.labels.") {
        return missing_label(label, panel, bindings, vocabulary);
    }
    let root = name.split('.').next().unwrap_or_default();
    if BUILT_INS.contains(&root) || variables.iter().any(|variable| variable == name) {
        return None;
    }
    Some(format!("unknown variable ${{{placeholder}}}"))
}

/// A problem when some query of `panel` does not return `label`.
fn missing_label(
    label: &str,
    panel: &Value,
    bindings: &Bindings,
    vocabulary: &Vocabulary,
) -> Option<String> {
    for target in array(panel, "targets") {
        let expr = text(target, "expr");
        // Unparsable queries are reported by the query checks.
        let Ok(promql) = bindings.substitute(&expr) else {
            continue;
        };
        let Ok(parsed) = promql_parser::parser::parse(&promql) else {
            continue;
        };
        let returned = match output_of(&parsed, &|name| vocabulary.labels(name)) {
            Output::Vector(labels) => labels.known,
            Output::Scalar => Default::default(),
        };
        if !returned.contains(label) {
            return Some(format!(
                "${{__field.labels.{label}}}: query {} does not return {label:?} (it returns {returned:?})",
                text(target, "refId")
            ));
        }
    }
    None
}
