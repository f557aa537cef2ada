//! The trace-link check proven able to fail: a valid Tempo link on the test
//! dashboard passes, and each test breaks it in exactly one way.

use super::tests::{good, problems, with};
use serde_json::{Value, json};

/// Percent-encodes `text` except the `${…}` placeholders, which Grafana
/// replaces (URL-encoded) when the link is opened.
fn encode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    loop {
        let (plain, placeholder, next) = match rest.find("${") {
            Some(start) => {
                let end = start + rest[start..].find('}').expect("closed placeholder") + 1;
                (&rest[..start], &rest[start..end], &rest[end..])
            }
            None => (rest, "", ""),
        };
        for byte in plain.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out.push_str(placeholder);
        if next.is_empty() {
            return out;
        }
        rest = next;
    }
}

fn explore(panes: &Value) -> String {
    format!(
        "/explore?schemaVersion=1&orgId=1&panes={}",
        encode(&panes.to_string())
    )
}

fn panes(datasource_uid: &str, traceql: &str) -> Value {
    json!({"traces": {
        "datasource": datasource_uid,
        "queries": [{"refId": "A", "datasource": {"type": "tempo", "uid": datasource_uid},
                     "queryType": "traceql", "query": traceql}],
        "range": {"from": "${__from}", "to": "${__to}"},
    }})
}

/// The test dashboard with `url` as a data link of panel 3 (p95 by job).
fn linked(url: &str) -> Value {
    with(
        good(),
        "/panels/2/fieldConfig/defaults",
        json!({"unit": "s", "links": [{"title": "Traces of ${__field.labels.job}", "url": url}]}),
    )
}

const BY_JOB: &str = r#"{ resource.service.name = "${__field.labels.job}" }"#;

fn assert_link_problem(url: &str, needle: &str) {
    let found = problems(&linked(url));
    assert!(
        found
            .iter()
            .any(|p| p.contains("link") && p.contains(needle)),
        "expected a link problem containing {needle:?}, got {found:#?}"
    );
}

#[test]
fn a_tempo_explore_link_on_returned_labels_passes() {
    let found = problems(&linked(&explore(&panes("tempo", BY_JOB))));
    assert!(found.is_empty(), "{found:#?}");
    // Dashboard variables and Grafana's built-ins are fine too.
    let traceql = r#"{ resource.service.name =~ "${job:pipe}" }"#;
    let found = problems(&linked(&explore(&panes("tempo", traceql))));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn links_must_query_the_provisioned_tempo_uid() {
    assert_link_problem(&explore(&panes("jaeger", BY_JOB)), "expected \"tempo\"");
}

#[test]
fn field_labels_must_be_returned_by_the_panel_queries() {
    // Panel 3 aggregates `by (le, job)`: there is no route on its series.
    let traceql =
        r#"{ span.http.route = "${__field.labels.route}" && resource.service.name = "x" }"#;
    assert_link_problem(
        &explore(&panes("tempo", traceql)),
        "does not return \"route\"",
    );
}

#[test]
fn link_variables_must_exist() {
    let traceql = r#"{ resource.service.name = "${service}" }"#;
    assert_link_problem(
        &explore(&panes("tempo", traceql)),
        "unknown variable ${service}",
    );
}

#[test]
fn explore_links_must_use_the_panes_format_with_decodable_json() {
    let url = explore(&panes("tempo", BY_JOB));
    assert_link_problem(
        &url.replace("schemaVersion=1", "schemaVersion=0"),
        "schemaVersion=1",
    );
    // The JSON cut short, and a broken escape.
    assert_link_problem(&url[..url.len() - 3], "not JSON");
    assert_link_problem(&format!("{url}%G1"), "broken percent escape");
}

#[test]
fn explore_links_must_run_traceql_by_service_name() {
    let url = explore(&panes("tempo", "{ span.http.route = \"/users\" }"));
    assert_link_problem(&url, "resource.service.name");
    let mut search = panes("tempo", BY_JOB);
    search["traces"]["queries"][0]["queryType"] = json!("nativeSearch");
    assert_link_problem(&explore(&search), "expected \"traceql\"");
}
