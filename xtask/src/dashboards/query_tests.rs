//! Each query check of `cargo xtask dashboards` proven able to fail (PromQL
//! syntax, metric names, variables, legend labels), the label inference, the
//! query listing and the recording-rule reader.

use super::labels::{LabelSet, Output, output_of};
use super::model::Dashboard;
use super::queries;
use super::tests::{DS, assert_problem, good, problems, vocabulary, with};
use super::vocabulary::{RecordingRule, parse_rules};
use serde_json::json;

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
    let label_names = json!({"query": "label_names()", "refId": "v"});
    assert_problem(
        &with(good(), "/templating/list/0/query", label_names),
        "is not label_values(selector, label)",
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
