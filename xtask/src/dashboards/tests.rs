//! Each structural check of `cargo xtask dashboards` proven able to fail: a
//! small valid dashboard passes, and each test breaks it in exactly one way.
//! The fixtures here are shared with `query_tests`.

use super::model::{Dashboard, parse};
use super::vocabulary::{ExportedMetric, Vocabulary, parse_rules};
use super::{queries, structure, trace_links};
use serde_json::{Value, json};

pub(super) const DS: fn() -> Value = || json!({"type": "prometheus", "uid": "prometheus"});

pub(super) fn vocabulary() -> Vocabulary {
    let metric = |name: &str, histogram, labels: &[&str]| ExportedMetric {
        name: name.to_owned(),
        histogram,
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
    };
    let rules = parse_rules(
        "groups:\n- name: http\n  rules:\n  - record: job:http_requests:rate5m\n    expr: sum by (job) (rate(http_requests_total[5m]))\n  - alert: Ignored\n    expr: up == 0\n",
    )
    .expect("valid rules file");
    Vocabulary::new(
        vec![
            metric(
                "http_requests_total",
                false,
                &["method", "route", "status_code"],
            ),
            metric("http_request_duration_seconds", true, &["method", "route"]),
        ],
        rules,
    )
}

pub(super) fn panel(id: i64, x: i64, y: i64, expr: &str, legend: &str) -> Value {
    json!({
        "id": id, "type": "timeseries", "title": format!("panel {id}"), "description": "what it shows",
        "datasource": DS(), "gridPos": {"x": x, "y": y, "w": 12, "h": 8},
        "fieldConfig": {"defaults": {"unit": "reqps"}},
        "targets": [{"refId": "A", "datasource": DS(), "expr": expr, "legendFormat": legend}],
    })
}

pub(super) fn good() -> Value {
    json!({
        "id": null, "uid": "lookout-test", "title": "Test", "tags": ["lookout"], "schemaVersion": 39,
        "templating": {"list": [{
            "name": "job", "type": "query", "datasource": DS(), "multi": true, "includeAll": true,
            "allValue": ".*", "query": {"query": "label_values(http_requests_total, job)", "refId": "v"},
        }]},
        "panels": [
            {"id": 1, "type": "row", "title": "Overview", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "panels": []},
            panel(2, 0, 1, r#"sum by (job, route) (rate(http_requests_total{job=~"$job"}[$__rate_interval]))"#, "{{job}} {{route}}"),
            panel(3, 12, 1, r#"histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))"#, "{{job}}"),
        ],
    })
}

pub(super) fn problems(json: &Value) -> Vec<String> {
    let dashboard = Dashboard {
        stem: "lookout-test".to_owned(),
        json: json.clone(),
    };
    let mut found = structure::check(&dashboard);
    found.extend(queries::check(&dashboard, &vocabulary()));
    found.extend(trace_links::check(&dashboard, &vocabulary()));
    found
}

pub(super) fn assert_problem(json: &Value, needle: &str) {
    let found = problems(json);
    assert!(
        found.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {found:#?}"
    );
}

pub(super) fn with(mut json: Value, pointer: &str, value: Value) -> Value {
    *json
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} exists")) = value;
    json
}

#[test]
fn the_valid_dashboard_passes_every_check() {
    assert_eq!(problems(&good()), Vec::<String>::new());
}

#[test]
fn invalid_json_is_rejected() {
    assert!(parse("x", "{\"uid\": ").is_err());
}

#[test]
fn uid_must_equal_the_file_stem_and_fit_40_characters() {
    assert_problem(
        &with(good(), "/uid", json!("other")),
        "differs from the file stem",
    );
    let long = "a".repeat(41);
    let dashboard = Dashboard {
        stem: long.clone(),
        json: with(good(), "/uid", json!(long)),
    };
    assert!(
        structure::check(&dashboard)
            .iter()
            .any(|p| p.contains("longer than 40"))
    );
}

#[test]
fn uids_must_be_unique_across_dashboards() {
    let one = || Dashboard {
        stem: "lookout-test".to_owned(),
        json: good(),
    };
    assert_eq!(structure::check_unique_uids(&[one()]), Vec::<String>::new());
    assert!(!structure::check_unique_uids(&[one(), one()]).is_empty());
}

#[test]
fn id_must_be_null_and_no_export_envelope() {
    assert_problem(&with(good(), "/id", json!(7)), "`id` must be null");
    let mut exported = good();
    exported["__inputs"] = json!([{"name": "DS_PROMETHEUS"}]);
    assert_problem(&exported, "`__inputs`");
    assert_problem(&json!({"dashboard": good()}), "`dashboard`");
}

#[test]
fn panel_ids_must_be_unique() {
    assert_problem(
        &with(good(), "/panels/2/id", json!(2)),
        "used by another panel",
    );
}

#[test]
fn panels_must_stay_inside_the_grid() {
    assert_problem(
        &with(good(), "/panels/2/gridPos/x", json!(13)),
        "leaves the 24-column grid",
    );
}

#[test]
fn panels_must_not_overlap() {
    assert_problem(&with(good(), "/panels/2/gridPos/x", json!(6)), "overlaps");
}

#[test]
fn every_datasource_must_be_the_provisioned_prometheus() {
    assert_problem(
        &with(
            good(),
            "/panels/1/targets/0/datasource/uid",
            json!("PBFA97CFB590B2093"),
        ),
        "datasource",
    );
    assert_problem(
        &with(good(), "/panels/1/datasource", json!("${DS_PROMETHEUS}")),
        "datasource",
    );
}

#[test]
fn panels_need_a_current_type_a_description_and_a_unit() {
    assert_problem(
        &with(good(), "/panels/1/type", json!("graph")),
        "is not one of",
    );
    assert_problem(
        &with(good(), "/panels/1/description", json!("")),
        "has no description",
    );
    assert_problem(
        &with(good(), "/panels/1/fieldConfig/defaults/unit", json!("")),
        "has no unit",
    );
}

#[test]
fn the_shipped_dashboards_pass_every_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dashboards = super::model::load_dir(&root.join("dashboards")).expect("dashboards/ loads");
    let uids: Vec<&str> = dashboards.iter().map(|d| d.stem.as_str()).collect();
    assert_eq!(uids, ["lookout-host", "lookout-services", "lookout-stack"]);
    let problems = super::check_all(&dashboards, &root.join("rules")).expect("rules/ loads");
    assert_eq!(problems, Vec::<String>::new());
}
