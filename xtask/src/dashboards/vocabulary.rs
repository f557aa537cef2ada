//! The metric names a dashboard may query, and the labels each one carries.
//!
//! Three sources, nothing else: the services' catalog
//! (`service_runtime::catalog::METRICS`), the recording rules in
//! `rules/*.rules.yml` (their labels inferred from their expressions), and a
//! short explicit allow-list for what the monitoring stack itself exports.
//! A name outside them is a typo or a metric nobody exports: the panel would
//! stay empty forever.

use super::labels::{LabelSet, Output, output_of};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::path::Path;

/// Labels Prometheus attaches to every scraped series.
const TARGET_LABELS: [&str; 2] = ["job", "instance"];

/// Metrics of the stack (not of lookout's services) with a known label set.
const STACK_METRICS: &[(&str, &[&str])] = &[
    ("up", &["job", "instance"]),
    // Prometheus' synthetic alert series; more labels come from each alert rule.
    ("ALERTS", &["alertname", "alertstate", "severity"]),
];

/// Name prefixes of metrics Prometheus, Alertmanager, the node exporter and
/// the scrape loop export. Their label sets are not held here: legends on them
/// may use only `job`, `instance`, pinned labels and aggregation labels.
const STACK_PREFIXES: &[&str] = &["prometheus_", "alertmanager_", "node_", "scrape_"];

/// A metric a service exports: name, whether it is a histogram, its labels.
pub(crate) struct ExportedMetric {
    pub(crate) name: String,
    pub(crate) histogram: bool,
    pub(crate) labels: Vec<String>,
}

/// A recording rule: the series name it records, its expression and the
/// static labels it adds.
pub(crate) struct RecordingRule {
    pub(crate) record: String,
    pub(crate) expr: String,
    pub(crate) labels: Vec<String>,
}

/// Every queryable name and how to find its labels.
pub(crate) struct Vocabulary {
    exported: BTreeMap<String, LabelSet>,
    rules: BTreeMap<String, RecordingRule>,
}

/// Recording rules may refer to each other; this bounds a (broken) cycle.
const MAX_RULE_DEPTH: usize = 8;

impl Vocabulary {
    /// Builds the vocabulary from the services' metrics and the recording rules.
    pub(crate) fn new(metrics: Vec<ExportedMetric>, rules: Vec<RecordingRule>) -> Self {
        let mut exported = BTreeMap::new();
        for metric in metrics {
            let labels: Vec<String> = metric
                .labels
                .iter()
                .cloned()
                .chain(TARGET_LABELS.map(str::to_owned))
                .collect();
            if metric.histogram {
                let with_le = labels.iter().cloned().chain(["le".to_owned()]);
                exported.insert(format!("{}_bucket", metric.name), LabelSet::exact(with_le));
                exported.insert(
                    format!("{}_sum", metric.name),
                    LabelSet::exact(labels.clone()),
                );
                exported.insert(format!("{}_count", metric.name), LabelSet::exact(labels));
            } else {
                exported.insert(metric.name, LabelSet::exact(labels));
            }
        }
        let rules = rules
            .into_iter()
            .map(|rule| (rule.record.clone(), rule))
            .collect();
        Self { exported, rules }
    }

    /// The services' metrics, from `service_runtime::catalog::METRICS`.
    pub(crate) fn catalog_metrics() -> Vec<ExportedMetric> {
        use service_runtime::catalog::{METRICS, MetricKind};
        METRICS
            .iter()
            .map(|spec| ExportedMetric {
                name: spec.name.to_owned(),
                histogram: matches!(spec.kind, MetricKind::Histogram),
                labels: spec
                    .labels
                    .iter()
                    .map(|label| (*label).to_owned())
                    .collect(),
            })
            .collect()
    }

    /// Whether a query may name `metric`.
    pub(crate) fn knows(&self, metric: &str) -> bool {
        self.exported.contains_key(metric)
            || self.rules.contains_key(metric)
            || STACK_METRICS.iter().any(|(name, _)| *name == metric)
            || STACK_PREFIXES
                .iter()
                .any(|prefix| metric.starts_with(prefix))
    }

    /// The labels of `metric`'s series (an open, empty set for unknown names,
    /// which the metric check reports separately).
    pub(crate) fn labels(&self, metric: &str) -> LabelSet {
        self.labels_at_depth(metric, 0)
    }

    fn labels_at_depth(&self, metric: &str, depth: usize) -> LabelSet {
        if let Some(labels) = self.exported.get(metric) {
            return labels.clone();
        }
        if let Some(rule) = self.rules.get(metric) {
            return self.rule_labels(rule, depth);
        }
        if let Some((_, labels)) = STACK_METRICS.iter().find(|(name, _)| *name == metric) {
            return if metric == "up" {
                LabelSet::exact(labels.iter().copied())
            } else {
                LabelSet::open(labels.iter().copied())
            };
        }
        if metric.starts_with("scrape_") {
            return LabelSet::exact(TARGET_LABELS);
        }
        LabelSet::open(TARGET_LABELS)
    }

    fn rule_labels(&self, rule: &RecordingRule, depth: usize) -> LabelSet {
        if depth >= MAX_RULE_DEPTH {
            return LabelSet::open(Vec::<String>::new());
        }
        let Ok(expr) = promql_parser::parser::parse(&rule.expr) else {
            return LabelSet::open(Vec::<String>::new());
        };
        let lookup = |name: &str| self.labels_at_depth(name, depth + 1);
        let mut labels = match output_of(&expr, &lookup) {
            Output::Vector(labels) => labels,
            Output::Scalar => LabelSet::exact(Vec::<String>::new()),
        };
        labels.known.extend(rule.labels.iter().cloned());
        labels
    }
}

/// Reads every recording rule of `dir/*.rules.yml` (alerting rules are skipped).
pub(crate) fn load_rules(dir: &Path) -> anyhow::Result<Vec<RecordingRule>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("listing {}", dir.display()))?
            .path();
        if path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.ends_with(".rules.yml"))
        {
            paths.push(path);
        }
    }
    paths.sort();
    let mut rules = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        rules.extend(parse_rules(&text).with_context(|| format!("parsing {}", path.display()))?);
    }
    Ok(rules)
}

/// The recording rules of one Prometheus rules file.
pub(crate) fn parse_rules(text: &str) -> anyhow::Result<Vec<RecordingRule>> {
    let file: serde_norway::Value = serde_norway::from_str(text)?;
    let mut rules = Vec::new();
    let groups = file
        .get("groups")
        .and_then(serde_norway::Value::as_sequence)
        .context("no `groups` list")?;
    for group in groups {
        let entries = group
            .get("rules")
            .and_then(serde_norway::Value::as_sequence);
        for rule in entries.map(Vec::as_slice).unwrap_or_default() {
            let Some(record) = rule.get("record").and_then(serde_norway::Value::as_str) else {
                continue;
            };
            let expr = rule
                .get("expr")
                .and_then(serde_norway::Value::as_str)
                .unwrap_or_default();
            let labels = rule.get("labels").and_then(serde_norway::Value::as_mapping);
            let labels = labels
                .into_iter()
                .flatten()
                .filter_map(|(key, _)| key.as_str().map(str::to_owned));
            rules.push(RecordingRule {
                record: record.to_owned(),
                expr: expr.to_owned(),
                labels: labels.collect(),
            });
        }
    }
    Ok(rules)
}
