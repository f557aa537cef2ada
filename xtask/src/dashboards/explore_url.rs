//! An Explore link checked as Grafana would read it: `/explore?schemaVersion=1
//! &…&panes=<percent-encoded JSON>` (Grafana's current Explore URL); the panes
//! decode to JSON once the `${…}` placeholders are filled in, and each pane
//! queries the Tempo datasource by its provisioned uid with a TraceQL query
//! that filters on `resource.service.name`.

use super::model::{array, text};
use serde_json::{Value, json};

/// The uid of the Grafana datasource provisioned for Tempo (the tracing
/// contract fixes it, as `prometheus` for Prometheus).
pub(crate) const TEMPO_UID: &str = "tempo";

/// Problems of an Explore URL: its version, and what its panes query.
pub(crate) fn problems(url: &str) -> Vec<String> {
    let query = url
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default();
    let params: Vec<(&str, &str)> = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let param = |name: &str| params.iter().find(|(key, _)| *key == name).map(|(_, v)| *v);
    let mut problems = Vec::new();
    if param("schemaVersion") != Some("1") {
        problems.push("an Explore link needs schemaVersion=1 (the `panes` URL format)".to_owned());
    }
    let Some(panes) = param("panes") else {
        problems.push("an Explore link needs a `panes` parameter".to_owned());
        return problems;
    };
    let decoded = match percent_decode(&fill_placeholders(panes)) {
        Ok(decoded) => decoded,
        Err(err) => return vec![format!("panes: {err}")],
    };
    let panes: Value = match serde_json::from_str(&decoded) {
        Ok(panes) => panes,
        Err(err) => return vec![format!("panes is not JSON once decoded ({err}): {decoded}")],
    };
    let Some(panes) = panes.as_object().filter(|panes| !panes.is_empty()) else {
        return vec![format!("panes is not an object of panes: {decoded}")];
    };
    for (id, pane) in panes {
        if pane["datasource"] != json!(TEMPO_UID) {
            problems.push(format!(
                "pane {id}: datasource is {}, expected {TEMPO_UID:?}",
                pane["datasource"]
            ));
        }
        if !(pane["range"]["from"].is_string() && pane["range"]["to"].is_string()) {
            problems.push(format!("pane {id}: no range.from and range.to"));
        }
        let queries = array(pane, "queries");
        if queries.is_empty() {
            problems.push(format!("pane {id}: no query"));
        }
        for query in queries {
            problems.extend(tempo_query_problem(id, query));
        }
    }
    problems
}

/// A TraceQL query on the Tempo datasource that selects by service name.
fn tempo_query_problem(pane: &str, query: &Value) -> Option<String> {
    let expected = json!({"type": "tempo", "uid": TEMPO_UID});
    if query["datasource"] != expected {
        return Some(format!(
            "pane {pane}: query datasource is {}, expected {expected}",
            query["datasource"]
        ));
    }
    if query["queryType"] != json!("traceql") {
        return Some(format!(
            "pane {pane}: queryType is {}, expected \"traceql\"",
            query["queryType"]
        ));
    }
    let traceql = text(query, "query");
    let trimmed = traceql.trim();
    if !(trimmed.starts_with('{')
        && trimmed.ends_with('}')
        && traceql.contains("resource.service.name"))
    {
        return Some(format!(
            "pane {pane}: query {traceql:?} is not a TraceQL span set filtering on resource.service.name"
        ));
    }
    None
}

/// `text` with every `${…}` replaced by a plain word, as Grafana would
/// replace it with a (URL-encoded) value.
fn fill_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str("value");
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes a URL query value as a browser's `URLSearchParams` does
/// (`%XX` escapes, `+` for a space), failing on a broken escape.
fn percent_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = text
                    .get(index + 1..index + 3)
                    .filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| format!("broken percent escape at byte {index}"))?;
                out.push(hex);
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "decodes to invalid UTF-8".to_owned())
}
