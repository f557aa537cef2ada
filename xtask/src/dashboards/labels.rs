//! Which labels a PromQL expression's result carries, inferred from its AST.
//!
//! The legend check needs this: `{{service}}` on a query whose result has no
//! `service` label renders an empty legend (the exercise's dashboard did exactly
//! that). The rules follow Prometheus' evaluator: aggregations keep their `by`
//! labels or drop their `without` labels, `histogram_quantile` drops `le`,
//! `label_replace`/`label_join` add their destination, one-to-one binary
//! operations with `on(...)` keep only those labels, `group_left/right(...)`
//! add theirs, and `or` keeps only what both sides surely have.

use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, LabelModifier, VectorMatchCardinality, VectorSelector};
use std::collections::BTreeSet;

/// The labels every series of a result surely has. `open` means the series may
/// carry more labels that are not known here (metrics whose schema this tool
/// does not hold); legends may still only use the `known` ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelSet {
    pub(crate) known: BTreeSet<String>,
    pub(crate) open: bool,
}

impl LabelSet {
    /// Exactly these labels.
    pub(crate) fn exact<I: IntoIterator<Item = S>, S: Into<String>>(labels: I) -> Self {
        Self {
            known: labels.into_iter().map(Into::into).collect(),
            open: false,
        }
    }

    /// At least these labels, maybe more.
    pub(crate) fn open<I: IntoIterator<Item = S>, S: Into<String>>(labels: I) -> Self {
        Self {
            open: true,
            ..Self::exact(labels)
        }
    }

    fn without(mut self, labels: &[String]) -> Self {
        for label in labels {
            self.known.remove(label);
        }
        self
    }

    fn with(mut self, labels: impl IntoIterator<Item = String>) -> Self {
        self.known.extend(labels);
        self
    }

    /// Keeps only `labels`: all of them when the input is open (they may be
    /// there), the ones the input surely has when it is exact.
    fn keep_only(self, labels: &[String]) -> Self {
        let kept = labels
            .iter()
            .filter(|label| self.open || self.known.contains(*label));
        Self::exact(kept.cloned())
    }
}

/// What an expression evaluates to, as far as labels go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Output {
    /// A number or a string: no labels.
    Scalar,
    /// An instant or range vector whose series carry these labels.
    Vector(LabelSet),
}

/// Infers the output of `expr`. `series_labels` gives the labels of a named
/// metric (or recording rule); the selector's own equality matchers are added.
pub(crate) fn output_of(expr: &Expr, series_labels: &dyn Fn(&str) -> LabelSet) -> Output {
    match expr {
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) => Output::Scalar,
        Expr::VectorSelector(selector) => Output::Vector(selector_labels(selector, series_labels)),
        Expr::MatrixSelector(matrix) => Output::Vector(selector_labels(&matrix.vs, series_labels)),
        Expr::Paren(paren) => output_of(&paren.expr, series_labels),
        Expr::Unary(unary) => output_of(&unary.expr, series_labels),
        Expr::Subquery(subquery) => output_of(&subquery.expr, series_labels),
        Expr::Aggregate(aggregate) => {
            let Output::Vector(input) = output_of(&aggregate.expr, series_labels) else {
                return Output::Scalar;
            };
            let op = aggregate.op.to_string();
            if matches!(op.as_str(), "topk" | "bottomk" | "limitk" | "limit_ratio") {
                return Output::Vector(input);
            }
            let grouped = match &aggregate.modifier {
                Some(LabelModifier::Include(by)) => input.keep_only(&by.labels),
                Some(LabelModifier::Exclude(without)) => input.without(&without.labels),
                None => LabelSet::exact(Vec::<String>::new()),
            };
            let counted =
                (op == "count_values").then(|| aggregate.param.as_deref().and_then(string_literal));
            Output::Vector(grouped.with(counted.flatten()))
        }
        Expr::Call(call) => {
            let args: Vec<&Expr> = call.args.args.iter().map(AsRef::as_ref).collect();
            let vector_arg =
                |index: usize| match args.get(index).map(|arg| output_of(arg, series_labels)) {
                    Some(Output::Vector(labels)) => labels,
                    _ => LabelSet::exact(Vec::<String>::new()),
                };
            match call.func.name {
                "time" | "pi" | "scalar" => Output::Scalar,
                "vector" => Output::Vector(LabelSet::exact(Vec::<String>::new())),
                "histogram_quantile" => Output::Vector(vector_arg(1).without(&["le".to_owned()])),
                "label_replace" | "label_join" => {
                    let destination = args.get(1).and_then(|arg| string_literal(arg));
                    Output::Vector(vector_arg(0).with(destination))
                }
                "absent" | "absent_over_time" => {
                    Output::Vector(absent_labels(args.first().copied()))
                }
                _ => args
                    .iter()
                    .map(|arg| output_of(arg, series_labels))
                    .find(|output| matches!(output, Output::Vector(_)))
                    .unwrap_or(Output::Vector(LabelSet::exact(Vec::<String>::new()))),
            }
        }
        Expr::Binary(binary) => {
            let lhs = output_of(&binary.lhs, series_labels);
            let rhs = output_of(&binary.rhs, series_labels);
            match (lhs, rhs) {
                (Output::Scalar, Output::Scalar) => Output::Scalar,
                (Output::Vector(labels), Output::Scalar)
                | (Output::Scalar, Output::Vector(labels)) => Output::Vector(labels),
                (Output::Vector(lhs), Output::Vector(rhs)) => Output::Vector(vector_binary(
                    &binary.op.to_string(),
                    binary.modifier.as_ref(),
                    lhs,
                    rhs,
                )),
            }
        }
        Expr::Extension(_) => Output::Vector(LabelSet::open(Vec::<String>::new())),
    }
}

fn vector_binary(
    op: &str,
    modifier: Option<&promql_parser::parser::BinModifier>,
    lhs: LabelSet,
    rhs: LabelSet,
) -> LabelSet {
    match op {
        "and" | "unless" => return lhs,
        "or" => {
            let known = lhs.known.intersection(&rhs.known).cloned().collect();
            return LabelSet {
                known,
                open: lhs.open || rhs.open,
            };
        }
        _ => {}
    }
    let Some(modifier) = modifier else { return lhs };
    let matching = modifier.matching.as_ref();
    match &modifier.card {
        VectorMatchCardinality::ManyToOne(include) => lhs.with(include.labels.iter().cloned()),
        VectorMatchCardinality::OneToMany(include) => rhs.with(include.labels.iter().cloned()),
        _ => match matching {
            Some(LabelModifier::Include(on)) => lhs.keep_only(&on.labels),
            Some(LabelModifier::Exclude(ignoring)) => lhs.without(&ignoring.labels),
            None => lhs,
        },
    }
}

/// The series' labels plus the labels its `=` matchers pin to a non-empty value.
fn selector_labels(
    selector: &VectorSelector,
    series_labels: &dyn Fn(&str) -> LabelSet,
) -> LabelSet {
    let base = metric_name(selector).map_or_else(
        || LabelSet::open(Vec::<String>::new()),
        |name| series_labels(&name),
    );
    base.with(pinned_labels(selector))
}

fn pinned_labels(selector: &VectorSelector) -> Vec<String> {
    selector
        .matchers
        .matchers
        .iter()
        .filter(|m| matches!(m.op, MatchOp::Equal) && !m.value.is_empty() && m.name != "__name__")
        .map(|m| m.name.clone())
        .collect()
}

/// `absent(x{a="b"})` returns one series with the `=` matcher labels.
fn absent_labels(arg: Option<&Expr>) -> LabelSet {
    let selector = match arg {
        Some(Expr::VectorSelector(selector)) => Some(selector),
        Some(Expr::MatrixSelector(matrix)) => Some(&matrix.vs),
        _ => None,
    };
    LabelSet::exact(selector.map(pinned_labels).unwrap_or_default())
}

/// The metric a selector names, from its name or a `__name__="..."` matcher.
pub(crate) fn metric_name(selector: &VectorSelector) -> Option<String> {
    selector.name.clone().or_else(|| {
        selector
            .matchers
            .matchers
            .iter()
            .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
            .map(|m| m.value.clone())
    })
}

fn string_literal(expr: &Expr) -> Option<String> {
    match expr {
        Expr::StringLiteral(literal) => Some(literal.val.clone()),
        Expr::Paren(paren) => string_literal(&paren.expr),
        _ => None,
    }
}
