//! Each check of `cargo xtask dashboards` proven able to fail: a small valid
//! dashboard passes, and each test breaks it in exactly one way.

use super::labels::{LabelSet, Output, output_of};
use super::model::{Dashboard, parse};
use super::vocabulary::{ExportedMetric, RecordingRule, Vocabulary, parse_rules};
use super::{queries, structure};
use serde_json::{Value, json};

const DS: fn() -> Value = || json!({"type": "prometheus", "uid": "prometheus"});

fn vocabulary() -> Vocabulary {
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

fn panel(id: i64, x: i64, y: i64, expr: &str, legend: &str) -> Value {
    json!({
        "id": id, "type": "timeseries", "title": format!("panel {id}"), "description": "what it shows",
        "datasource": DS(), "gridPos": {"x": x, "y": y, "w": 12, "h": 8},
        "fieldConfig": {"defaults": {"unit": "reqps"}},
        "targets": [{"refId": "A", "datasource": DS(), "expr": expr, "legendFormat": legend}],
    })
}

fn good() -> Value {
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

fn problems(json: &Value) -> Vec<String> {
    let dashboard = Dashboard {
        stem: "lookout-test".to_owned(),
        json: json.clone(),
    };
    let mut found = structure::check(&dashboard);
    found.extend(queries::check(&dashboard, &vocabulary()));
    found
}

fn assert_problem(json: &Value, needle: &str) {
    let found = problems(json);
    assert!(
        found.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {found:#?}"
    );
}

fn with(mut json: Value, pointer: &str, value: Value) -> Value {
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
fn queries_must_parse_as_promql() {
    assert_problem(
        &with(
            good(),
            "/panels/1/targets/0/expr",
            json!("sum by (job) (rate(x[5m])"),
        ),
        "not valid PromQL",
    );
}

#[test]
fn queries_may_only_name_exported_metrics() {
    let typo = r#"sum by (job) (rate(http_request_total{job=~"$job"}[$__rate_interval]))"#;
    assert_problem(
        &with(good(), "/panels/1/targets/0/expr", json!(typo)),
        "\"http_request_total\" is exported by no",
    );
    let nameless = r#"sum by (job) (rate({job="user-service"}[$__rate_interval]))"#;
    assert_problem(
        &with(good(), "/panels/1/targets/0/expr", json!(nameless)),
        "names no metric",
    );
}

#[test]
fn queries_may_only_use_defined_variables() {
    let expr = r#"sum by (job) (rate(http_requests_total{job=~"$service"}[$__rate_interval]))"#;
    assert_problem(
        &with(good(), "/panels/1/targets/0/expr", json!(expr)),
        "unknown variable $service",
    );
}

#[test]
fn legends_may_only_use_labels_the_query_returns() {
    // The exercise's mistake: `{{service}}` on a series that has no such label.
    assert_problem(
        &with(
            good(),
            "/panels/1/targets/0/legendFormat",
            json!("{{service}}"),
        ),
        "\"service\" is not one",
    );
    // histogram_quantile drops `le`; the aggregation dropped `route`.
    assert_problem(
        &with(good(), "/panels/2/targets/0/legendFormat", json!("{{le}}")),
        "\"le\" is not one",
    );
    assert_problem(
        &with(
            good(),
            "/panels/2/targets/0/legendFormat",
            json!("{{route}}"),
        ),
        "\"route\" is not one",
    );
}

#[test]
fn annotation_queries_are_checked_like_panel_queries() {
    let mut json = good();
    json["annotations"] = json!({"list": [{
        "name": "alerts", "datasource": DS(), "enable": true,
        "expr": "ALERTS{alertstate=\"firing\"}", "titleFormat": "{{alertname}}", "tagKeys": "severity",
    }]});
    assert_eq!(problems(&json), Vec::<String>::new());
    assert_problem(
        &with(
            json.clone(),
            "/annotations/list/0/tagKeys",
            json!("severity,pod"),
        ),
        "\"pod\" is not one",
    );
    assert_problem(
        &with(json, "/annotations/list/0/expr", json!("ALERT")),
        "\"ALERT\" is exported by no",
    );
}

#[test]
fn variable_queries_must_name_a_label_of_their_selector() {
    let query = json!({"query": "label_values(http_requests_total, pod)", "refId": "v"});
    assert_problem(
        &with(good(), "/templating/list/0/query", query),
        "\"pod\" is not one",
    );
}

fn labels_of(promql: &str) -> Vec<String> {
    let expr = promql_parser::parser::parse(promql).expect("valid PromQL");
    let vocabulary = vocabulary();
    match output_of(&expr, &|name| vocabulary.labels(name)) {
        Output::Vector(labels) => labels.known.into_iter().collect(),
        Output::Scalar => vec!["<scalar>".to_owned()],
    }
}

#[test]
fn output_labels_follow_prometheus_semantics() {
    let all = ["instance", "job", "method", "route", "status_code"];
    assert_eq!(labels_of("rate(http_requests_total[5m])"), all);
    assert_eq!(
        labels_of("sum without (instance, method) (http_requests_total)"),
        ["job", "route", "status_code"]
    );
    assert_eq!(
        labels_of("sum by (job, nope) (http_requests_total)"),
        ["job"]
    );
    assert_eq!(labels_of("sum(http_requests_total)"), Vec::<String>::new());
    assert_eq!(
        labels_of("histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))"),
        ["instance", "job", "method", "route"]
    );
    assert_eq!(
        labels_of(r#"label_replace(up, "host", "$1", "instance", "(.*):.*")"#),
        ["host", "instance", "job"]
    );
    assert_eq!(
        labels_of("http_requests_total / on (job, route) http_requests_total"),
        ["job", "route"]
    );
    assert_eq!(
        labels_of(
            "sum by (job) (http_requests_total) / ignoring (job) group_left (route) http_requests_total"
        ),
        ["job", "route"]
    );
    assert_eq!(labels_of("up or vector(0)"), Vec::<String>::new());
    assert_eq!(labels_of("count_values(\"v\", up)"), ["v"]);
    assert_eq!(labels_of("1 + 2"), ["<scalar>"]);
    // Recording rules carry the labels their expression returns.
    assert_eq!(labels_of("job:http_requests:rate5m"), ["job"]);
    // Metrics without a known schema: only target labels and aggregation labels.
    assert_eq!(
        labels_of("sum by (code) (prometheus_http_requests_total)"),
        ["code"]
    );
    assert_eq!(
        labels_of("prometheus_http_requests_total"),
        ["instance", "job"]
    );
    assert!(LabelSet::open(["a"]).open);
}

#[test]
fn query_listing_substitutes_variables() {
    let dashboard = Dashboard {
        stem: "lookout-test".to_owned(),
        json: good(),
    };
    let vars = [
        ("job".to_owned(), "user-service".to_owned()),
        ("__rate_interval".to_owned(), "20s".to_owned()),
    ];
    let listing = queries::list(&[dashboard], &vars, &[]).expect("variables exist");
    let first = &listing[0];
    assert_eq!(first["kind"], "panel");
    assert_eq!(first["panel_id"], 2);
    assert_eq!(
        first["expr"],
        r#"sum by (job, route) (rate(http_requests_total{job=~"user-service"}[20s]))"#
    );
    let variable = listing
        .as_array()
        .and_then(|all| all.last())
        .expect("a variable query");
    assert_eq!(variable["kind"], "variable");
    assert_eq!(variable["expr"], "http_requests_total");
    let dashboard = Dashboard {
        stem: "lookout-test".to_owned(),
        json: good(),
    };
    assert!(queries::list(&[dashboard], &[("nope".to_owned(), "x".to_owned())], &[]).is_err());
}

#[test]
fn recording_rules_are_read_and_alerts_skipped() {
    let rules: Vec<RecordingRule> = parse_rules("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n  - record: a:b:c\n    expr: up\n    labels:\n      team: x\n").expect("valid");
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].record, "a:b:c");
    assert_eq!(rules[0].labels, ["team"]);
    assert!(parse_rules("nothing: here").is_err());
}
