//! Grafana variable substitution, so that dashboard queries become plain PromQL.
//!
//! Grafana expands `$name`, `${name}`, `${name:format}` and `[[name]]` before a
//! query reaches Prometheus. The check substitutes the same references with
//! values that keep the query meaningful: the "All" value (`.*`) for dashboard
//! variables and fixed durations for the built-in interval variables, or the
//! values given with `--var` when printing queries for a live Prometheus.

use serde_json::Value;
use std::collections::BTreeMap;

/// Built-in variables and the values the check gives them. `$__rate_interval`
/// is 1m: four times a 15s scrape interval, the smallest range Grafana would
/// pick for that interval.
const BUILT_INS: &[(&str, &str)] = &[
    ("__rate_interval", "1m"),
    ("__rate_interval_ms", "60000"),
    ("__interval", "15s"),
    ("__interval_ms", "15000"),
    ("__range", "1h"),
    ("__range_s", "3600"),
    ("__range_ms", "3600000"),
];

/// Variable name → the text that replaces it.
pub(crate) struct Bindings {
    values: BTreeMap<String, String>,
}

impl Bindings {
    /// The check's defaults for one dashboard: built-ins, and each dashboard
    /// variable at its "All" value (its `allValue`, else `.*`).
    pub(crate) fn defaults(variables: &[Value]) -> Self {
        let mut values: BTreeMap<String, String> = BUILT_INS
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        for variable in variables {
            let name = variable
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let all = variable
                .get("allValue")
                .and_then(Value::as_str)
                .filter(|all| !all.is_empty());
            values.insert(name.to_owned(), all.unwrap_or(".*").to_owned());
        }
        Self { values }
    }

    /// Sets `name` to a literal label value (regex-escaped, since dashboard
    /// variables are used with `=~`) or, for a built-in, to a duration as given.
    /// Only variables that exist may be set, so a typo in `--var` is an error.
    pub(crate) fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let Some(slot) = self.values.get_mut(name) else {
            return Err(format!("no variable named {name:?}"));
        };
        let built_in = BUILT_INS.iter().any(|(built_in, _)| *built_in == name);
        *slot = if built_in {
            value.to_owned()
        } else {
            escape_regex(value)
        };
        Ok(())
    }

    /// Whether `name` is known (a built-in or one of the dashboard's variables).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Replaces every variable reference in `query`. Unknown variables are an
    /// error: Grafana would send them to Prometheus verbatim.
    pub(crate) fn substitute(&self, query: &str) -> Result<String, String> {
        let mut out = String::with_capacity(query.len());
        let mut rest = query;
        while let Some(start) = rest.find(['$', '[']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            match reference(tail) {
                Some((name, length)) => {
                    let value = self
                        .values
                        .get(name)
                        .ok_or_else(|| format!("unknown variable ${name}"))?;
                    out.push_str(value);
                    rest = &tail[length..];
                }
                None => {
                    out.push_str(&tail[..1]);
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Recognises a variable reference at the start of `text`: its name and the
/// number of bytes it spans. `[` alone (a range) and `$` alone are not references.
fn reference(text: &str) -> Option<(&str, usize)> {
    if let Some(inner) = text.strip_prefix("${") {
        let end = inner.find('}')?;
        let name = inner[..end].split(':').next().unwrap_or_default();
        return is_name(name).then_some((name, end + 3));
    }
    if let Some(inner) = text.strip_prefix("[[") {
        let end = inner.find("]]")?;
        let name = inner[..end].split(':').next().unwrap_or_default();
        return is_name(name).then_some((name, end + 4));
    }
    let inner = text.strip_prefix('$')?;
    let end = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let name = &inner[..end];
    is_name(name).then_some((name, end + 1))
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Escapes regex metacharacters for use inside a double-quoted PromQL string
/// (hence the doubled backslash), as Grafana does for multi-value variables.
fn escape_regex(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str(r"\\\\"),
            '"' => out.push_str(r#"\""#),
            c if r".+*?()|[]{}^$".contains(c) => {
                out.push_str(r"\\");
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bindings() -> Bindings {
        Bindings::defaults(&[
            json!({"name": "job", "allValue": ".*"}),
            json!({"name": "instance"}),
        ])
    }

    #[test]
    fn substitutes_every_reference_form() {
        let query =
            r#"rate(x{job=~"$job",instance=~"${instance:regex}",a=~"[[job]]"}[$__rate_interval])"#;
        let out = bindings().substitute(query).expect("known variables");
        assert_eq!(out, r#"rate(x{job=~".*",instance=~".*",a=~".*"}[1m])"#);
    }

    #[test]
    fn leaves_ranges_and_lone_dollars_alone() {
        let out = bindings().substitute("x[5m] > $ 1").expect("no variables");
        assert_eq!(out, "x[5m] > $ 1");
    }

    #[test]
    fn unknown_variable_is_an_error() {
        let err = bindings()
            .substitute("x{job=~\"$service\"}")
            .expect_err("$service is not defined");
        assert!(err.contains("$service"), "{err}");
    }

    #[test]
    fn set_escapes_label_values_but_not_durations() {
        let mut bindings = bindings();
        bindings
            .set("instance", "127.0.0.1:8001")
            .expect("instance exists");
        bindings
            .set("__rate_interval", "20s")
            .expect("built-in exists");
        let out = bindings
            .substitute(r#"x{instance=~"$instance"}[$__rate_interval]"#)
            .expect("known");
        assert_eq!(out, r#"x{instance=~"127\\.0\\.0\\.1:8001"}[20s]"#);
        assert!(bindings.set("nope", "1").is_err());
    }
}
