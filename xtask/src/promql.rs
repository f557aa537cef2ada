//! PromQL helpers shared by the rules and dashboards checks: the selectors of an
//! expression, and the matchers Prometheus 3 reads differently from 2.x.
//!
//! Prometheus 3 stores the `le` of classic histogram buckets and the `quantile`
//! of summaries in float format whatever the exposition said (`le="1"` is
//! ingested as `le="1.0"`); 2.x keeps the text as scraped. A matcher against an
//! integer such as `le="1"` therefore selects series under 2.x and nothing
//! under 3.x, so the checks refuse it (write `le="1.0"`, which both store for
//! protobuf scrapes, or better match no bucket literally at all).

use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::{Expr, VectorSelector};

/// The labels whose values Prometheus 3 normalises to float format.
const FLOAT_LABELS: [&str; 2] = ["le", "quantile"];

/// Every vector selector of `expr`, those inside range selectors included.
pub(crate) fn selectors(expr: &Expr) -> Vec<&VectorSelector> {
    let mut out = Vec::new();
    collect_selectors(expr, &mut out);
    out
}

fn collect_selectors<'a>(expr: &'a Expr, out: &mut Vec<&'a VectorSelector>) {
    match expr {
        Expr::VectorSelector(selector) => out.push(selector),
        Expr::MatrixSelector(matrix) => out.push(&matrix.vs),
        Expr::Aggregate(aggregate) => {
            collect_selectors(&aggregate.expr, out);
            if let Some(param) = &aggregate.param {
                collect_selectors(param, out);
            }
        }
        Expr::Binary(binary) => {
            collect_selectors(&binary.lhs, out);
            collect_selectors(&binary.rhs, out);
        }
        Expr::Paren(paren) => collect_selectors(&paren.expr, out),
        Expr::Unary(unary) => collect_selectors(&unary.expr, out),
        Expr::Subquery(subquery) => collect_selectors(&subquery.expr, out),
        Expr::Call(call) => call
            .args
            .args
            .iter()
            .for_each(|arg| collect_selectors(arg, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

/// One line per matcher of `expr` that compares `le` or `quantile` with an
/// integer (`le="1"`, `quantile!="0"`, `le=~"1|2.5"`).
pub(crate) fn integer_float_label_matchers(expr: &Expr) -> Vec<String> {
    selectors(expr)
        .into_iter()
        .flat_map(|selector| {
            let matchers = &selector.matchers;
            matchers
                .matchers
                .iter()
                .chain(matchers.or_matchers.iter().flatten())
        })
        .filter(|matcher| compares_with_an_integer(matcher))
        .map(|matcher| {
            format!(
                "{matcher} matches an integer {}, which Prometheus 3 stores as a float (\"1\" becomes \"1.0\")",
                matcher.name
            )
        })
        .collect()
}

/// Whether a label pair as written (`le: "1"`) has an integer value for `le`
/// or `quantile`, e.g. in a promtool test's expected labels.
pub(crate) fn is_integer_float_label(name: &str, value: &str) -> bool {
    FLOAT_LABELS.contains(&name) && is_integer(value)
}

fn compares_with_an_integer(matcher: &Matcher) -> bool {
    if !FLOAT_LABELS.contains(&matcher.name.as_str()) {
        return false;
    }
    match matcher.op {
        MatchOp::Equal | MatchOp::NotEqual => is_integer(&matcher.value),
        // A regex alternative that is an integer (`1|2.5`) has the same problem.
        MatchOp::Re(_) | MatchOp::NotRe(_) => matcher.value.split('|').any(is_integer),
    }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(promql: &str) -> usize {
        let expr = promql_parser::parser::parse(promql).expect("valid PromQL");
        integer_float_label_matchers(&expr).len()
    }

    #[test]
    fn integer_bucket_and_quantile_matchers_are_found() {
        assert_eq!(problems(r#"rate(h_bucket{le="1"}[5m])"#), 1);
        assert_eq!(problems(r#"s{quantile!="0"} + h_bucket{le=~"0.5|2"}"#), 2);
        assert_eq!(
            problems(r#"histogram_quantile(0.9, sum by (le) (rate(h_bucket{le!="+Inf"}[5m])))"#),
            0
        );
        assert_eq!(problems(r#"h_bucket{le="1.0", code="200"}"#), 0);
    }

    #[test]
    fn label_pairs_are_judged_the_same_way() {
        assert!(is_integer_float_label("le", "10"));
        assert!(!is_integer_float_label("le", "0.25"));
        assert!(!is_integer_float_label("le", "+Inf"));
        assert!(!is_integer_float_label("code", "200"));
    }
}
