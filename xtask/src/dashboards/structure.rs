//! Structural checks of a dashboard model: identity (uid, id, no export
//! envelope), panel ids, the 24-column grid, datasources, panel types and the
//! fields every panel must fill in (description, unit, thresholds).

use super::model::{Dashboard, array, text};
use serde_json::Value;
use std::collections::BTreeSet;

/// The uid of the Grafana datasource provisioned for lookout's Prometheus.
pub(crate) const DATASOURCE_UID: &str = "prometheus";
/// Grafana limits dashboard uids to 40 characters.
const MAX_UID_LENGTH: usize = 40;
/// Grafana's grid is 24 columns wide.
const GRID_COLUMNS: i64 = 24;
/// Panel types lookout uses: current, non-deprecated visualisations only.
const PANEL_TYPES: &[&str] = &["row", "timeseries", "stat", "heatmap"];
/// Oldest schema version accepted (Grafana 9.x); older models use retired panels.
const MIN_SCHEMA_VERSION: i64 = 36;

/// Every structural problem of one dashboard, as one line each.
pub(crate) fn check(dashboard: &Dashboard) -> Vec<String> {
    let mut problems = identity(dashboard);
    problems.extend(datasources(&dashboard.json, "$"));
    problems.extend(panels(dashboard));
    problems.extend(grid(array(&dashboard.json, "panels")));
    for row in array(&dashboard.json, "panels") {
        problems.extend(grid(array(row, "panels")));
    }
    problems
}

/// Problems shared by several dashboards: duplicated uids.
pub(crate) fn check_unique_uids(dashboards: &[Dashboard]) -> Vec<String> {
    let mut seen = BTreeSet::new();
    dashboards
        .iter()
        .map(|dashboard| text(&dashboard.json, "uid"))
        .filter(|uid| !seen.insert(uid.clone()))
        .map(|uid| format!("uid {uid:?} is used by more than one dashboard"))
        .collect()
}

fn identity(dashboard: &Dashboard) -> Vec<String> {
    let json = &dashboard.json;
    let mut problems = Vec::new();
    if !json.is_object() {
        return vec!["the file is not a JSON object".to_owned()];
    }
    for envelope in ["dashboard", "__inputs", "__requires", "__elements"] {
        if json.get(envelope).is_some() {
            problems.push(format!(
                "has `{envelope}`: store the raw model, not an API envelope or an export"
            ));
        }
    }
    let uid = text(json, "uid");
    if uid != dashboard.stem {
        problems.push(format!(
            "uid {uid:?} differs from the file stem {:?}",
            dashboard.stem
        ));
    }
    if uid.len() > MAX_UID_LENGTH {
        problems.push(format!(
            "uid {uid:?} is longer than {MAX_UID_LENGTH} characters"
        ));
    }
    if json.get("id") != Some(&Value::Null) {
        problems.push("`id` must be null (Grafana assigns it)".to_owned());
    }
    if text(json, "title").is_empty() {
        problems.push("has no title".to_owned());
    }
    if !array(json, "tags").iter().any(|tag| tag == "lookout") {
        problems.push("tags do not include \"lookout\"".to_owned());
    }
    let schema = json
        .get("schemaVersion")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if schema < MIN_SCHEMA_VERSION {
        problems.push(format!(
            "schemaVersion {schema} is older than {MIN_SCHEMA_VERSION}"
        ));
    }
    problems
}

/// Every `datasource` anywhere in the model must be the provisioned Prometheus.
fn datasources(value: &Value, path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                let child_path = format!("{path}.{key}");
                if key == "datasource" {
                    let uid = child.get("uid").and_then(Value::as_str);
                    let kind = child.get("type").and_then(Value::as_str);
                    if uid != Some(DATASOURCE_UID) || kind != Some("prometheus") {
                        problems.push(format!(
                            "{child_path} is {child}, expected {{\"type\":\"prometheus\",\"uid\":\"{DATASOURCE_UID}\"}}"
                        ));
                    }
                } else {
                    problems.extend(datasources(child, &child_path));
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                problems.extend(datasources(item, &format!("{path}[{index}]")));
            }
        }
        Value::String(text) if text.contains("${DS_") => {
            problems.push(format!("{path} uses an export placeholder {text:?}"));
        }
        _ => {}
    }
    problems
}

fn panels(dashboard: &Dashboard) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = BTreeSet::new();
    for panel in dashboard.panels() {
        let title = text(panel, "title");
        let kind = text(panel, "type");
        let Some(id) = panel.get("id").and_then(Value::as_i64) else {
            problems.push(format!("panel {title:?} has no numeric id"));
            continue;
        };
        let name = format!("panel {id} {title:?}");
        if !ids.insert(id) {
            problems.push(format!("{name}: id {id} is used by another panel"));
        }
        if !PANEL_TYPES.contains(&kind.as_str()) {
            problems.push(format!(
                "{name}: type {kind:?} is not one of {PANEL_TYPES:?}"
            ));
        }
        if title.is_empty() {
            problems.push(format!("{name}: has no title"));
        }
        if kind == "row" {
            continue;
        }
        if text(panel, "description").trim().is_empty() {
            problems.push(format!("{name}: has no description"));
        }
        if panel.get("datasource").is_none() {
            problems.push(format!("{name}: has no datasource"));
        }
        let targets = array(panel, "targets");
        if targets.is_empty() {
            problems.push(format!("{name}: has no queries"));
        }
        let mut ref_ids = BTreeSet::new();
        for target in targets {
            if !ref_ids.insert(text(target, "refId")) {
                problems.push(format!(
                    "{name}: refId {:?} is used twice",
                    text(target, "refId")
                ));
            }
        }
        let defaults = panel.pointer("/fieldConfig/defaults");
        let unit = defaults
            .map(|d| text(d, "unit"))
            .filter(|unit| !unit.is_empty());
        let axis_unit = panel.pointer("/options/yAxis/unit").and_then(Value::as_str);
        if unit.is_none() && axis_unit.is_none() {
            problems.push(format!("{name}: has no unit"));
        }
        if kind == "stat"
            && defaults
                .and_then(|d| d.pointer("/thresholds/steps"))
                .is_none()
        {
            problems.push(format!("{name}: a stat panel needs thresholds"));
        }
    }
    problems
}

/// Panels of one layer (top level, or inside one collapsed row) must fit the
/// 24-column grid and must not overlap.
fn grid(panels: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut placed: Vec<(String, [i64; 4])> = Vec::new();
    for panel in panels {
        let name = format!(
            "panel {} {:?}",
            panel.get("id").unwrap_or(&Value::Null),
            text(panel, "title")
        );
        let field = |key: &str| {
            panel
                .get("gridPos")
                .and_then(|pos| pos.get(key))
                .and_then(Value::as_i64)
        };
        let (Some(x), Some(y), Some(w), Some(h)) = (field("x"), field("y"), field("w"), field("h"))
        else {
            problems.push(format!("{name}: gridPos needs integer x, y, w and h"));
            continue;
        };
        if x < 0 || y < 0 || w < 1 || h < 1 || x + w > GRID_COLUMNS {
            problems.push(format!(
                "{name}: gridPos x={x} y={y} w={w} h={h} leaves the {GRID_COLUMNS}-column grid"
            ));
            continue;
        }
        for (other, [ox, oy, ow, oh]) in &placed {
            if x < ox + ow && *ox < x + w && y < oy + oh && *oy < y + h {
                problems.push(format!("{name} overlaps {other}"));
            }
        }
        placed.push((name, [x, y, w, h]));
    }
    problems
}
