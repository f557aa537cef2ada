//! The parts of a Grafana dashboard model the checks read: panels (rows
//! flattened), their queries, annotation queries and template variables.
//!
//! The model is kept as `serde_json::Value` rather than typed structs on purpose:
//! Grafana adds and renames fields between versions, and the checks must see
//! exactly what is in the file (a stray `__inputs` or `dashboard` envelope is
//! itself a finding), not what a typed decoder chose to keep.

use anyhow::Context as _;
use serde_json::Value;
use std::path::Path;

/// One dashboard file, parsed.
pub(crate) struct Dashboard {
    /// File name without `.json`: the uid the dashboard must carry.
    pub(crate) stem: String,
    /// The raw model.
    pub(crate) json: Value,
}

/// Reads every `*.json` file of `dir`, sorted by name. A file that is not
/// valid JSON fails the whole load with its path and the parser's position.
pub(crate) fn load_dir(dir: &Path) -> anyhow::Result<Vec<Dashboard>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path.extension().is_some_and(|ext| ext == "json") {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        anyhow::bail!("no dashboards (*.json) in {}", dir.display());
    }
    paths.iter().map(|path| load_file(path)).collect()
}

fn load_file(path: &Path) -> anyhow::Result<Dashboard> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let stem = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .with_context(|| format!("{} has no UTF-8 file stem", path.display()))?
        .to_owned();
    parse(&stem, &text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Parses one dashboard's text (also used by the tests).
pub(crate) fn parse(stem: &str, text: &str) -> anyhow::Result<Dashboard> {
    let json = serde_json::from_str(text)?;
    Ok(Dashboard {
        stem: stem.to_owned(),
        json,
    })
}

/// One PromQL query of a dashboard, before variable substitution.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// Where it lives, for messages: `panel 3 "Request rate" A`.
    pub(crate) location: String,
    /// What it is: `panel`, `annotation` or `variable`.
    pub(crate) kind: &'static str,
    /// The panel id, for panel queries.
    pub(crate) panel_id: Option<i64>,
    /// The panel, annotation or variable title/name.
    pub(crate) title: String,
    /// The target's refId (panel queries), else empty.
    pub(crate) ref_id: String,
    /// The PromQL text with Grafana variables still in it.
    pub(crate) expr: String,
    /// The legend template (`{{route}} {{status_code}}`), possibly empty.
    pub(crate) legend: String,
}

impl Dashboard {
    /// Every panel, with the panels of collapsed rows listed after their row.
    pub(crate) fn panels(&self) -> Vec<&Value> {
        let mut out = Vec::new();
        for panel in array(&self.json, "panels") {
            out.push(panel);
            out.extend(array(panel, "panels"));
        }
        out
    }

    /// The template variables (`templating.list`).
    pub(crate) fn variables(&self) -> &[Value] {
        self.json
            .get("templating")
            .map(|templating| array(templating, "list"))
            .unwrap_or_default()
    }

    /// Every PromQL query: panel targets, annotation expressions, and the
    /// series selectors of `label_values(selector, label)` variable queries.
    pub(crate) fn queries(&self) -> Vec<Query> {
        let mut out = Vec::new();
        for panel in self.panels() {
            let id = panel.get("id").and_then(Value::as_i64);
            let title = text(panel, "title");
            for target in array(panel, "targets") {
                let ref_id = text(target, "refId");
                out.push(Query {
                    location: format!("panel {} {title:?} {ref_id}", id.unwrap_or(-1)),
                    kind: "panel",
                    panel_id: id,
                    title: title.clone(),
                    ref_id,
                    expr: text(target, "expr"),
                    legend: text(target, "legendFormat"),
                });
            }
        }
        let annotations = self.json.get("annotations").map(|a| array(a, "list"));
        for annotation in annotations.unwrap_or_default() {
            let name = text(annotation, "name");
            // Title, text and tag keys all name labels of the result.
            let tags = text(annotation, "tagKeys");
            let tag_labels = tags.split(',').filter(|tag| !tag.trim().is_empty());
            let legend: Vec<String> = [
                text(annotation, "titleFormat"),
                text(annotation, "textFormat"),
            ]
            .into_iter()
            .chain(tag_labels.map(|tag| format!("{{{{{}}}}}", tag.trim())))
            .filter(|part| !part.is_empty())
            .collect();
            out.push(Query {
                location: format!("annotation {name:?}"),
                kind: "annotation",
                panel_id: None,
                title: name,
                ref_id: String::new(),
                expr: text(annotation, "expr"),
                legend: legend.join(" "),
            });
        }
        for variable in self.variables() {
            if let Some((selector, _label)) = label_values(variable) {
                let name = text(variable, "name");
                out.push(Query {
                    location: format!("variable {name:?}"),
                    kind: "variable",
                    panel_id: None,
                    title: name,
                    ref_id: String::new(),
                    expr: selector,
                    legend: String::new(),
                });
            }
        }
        out
    }
}

/// The variable's query text: Grafana stores it as a string or as an object
/// with a `query` field, depending on the editor that saved it.
pub(crate) fn variable_query(variable: &Value) -> String {
    match variable.get("query") {
        Some(Value::String(query)) => query.clone(),
        Some(object @ Value::Object(_)) => text(object, "query"),
        _ => String::new(),
    }
}

/// Splits `label_values(selector, label)` into its selector and label.
/// `None` for any other kind of variable query.
pub(crate) fn label_values(variable: &Value) -> Option<(String, String)> {
    let query = variable_query(variable);
    let inner = query
        .trim()
        .strip_prefix("label_values(")?
        .strip_suffix(')')?;
    let (selector, label) = inner.rsplit_once(',')?;
    Some((selector.trim().to_owned(), label.trim().to_owned()))
}

/// The array under `key`, or an empty slice.
pub(crate) fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The string under `key`, or an empty string.
pub(crate) fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
