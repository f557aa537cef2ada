//! Parsing of the Prometheus text format, enough to assert on samples.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use super::client::request;

/// One sample of a `/metrics` payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (with `_bucket`/`_sum`/`_count` for histograms).
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Value.
    pub value: f64,
}

/// A parsed `/metrics` payload.
#[derive(Debug, Clone)]
pub struct Scrape {
    /// Every sample, in payload order.
    pub samples: Vec<Sample>,
    /// The raw text.
    pub text: String,
}

impl Scrape {
    /// Parses Prometheus text format.
    ///
    /// # Panics
    /// On a sample line that does not parse.
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| parse_sample(line).unwrap_or_else(|| panic!("bad sample line {line:?}")))
            .collect();
        Self {
            samples,
            text: text.to_owned(),
        }
    }

    /// Fetches and parses `GET /metrics` from `addr`.
    pub fn fetch(addr: SocketAddr) -> Self {
        let response = request(addr, "GET", "/metrics", None);
        assert_eq!(
            response.status, 200,
            "/metrics answered {}",
            response.status
        );
        Self::parse(&response.body)
    }

    /// The value of the sample `name` whose labels are exactly `labels`, 0 if absent
    /// (a counter that was never incremented is not exported).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .find(|sample| {
                sample.name == name
                    && sample.labels.len() == labels.len()
                    && labels.iter().all(|(key, value)| {
                        sample.labels.get(*key).map(String::as_str) == Some(*value)
                    })
            })
            .map_or(0.0, |sample| sample.value)
    }

    /// Whether a sample `name` with exactly `labels` exists.
    pub fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.samples.iter().any(|sample| {
            sample.name == name
                && sample.labels.len() == labels.len()
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(*value))
        })
    }

    /// Number of samples (series) in the payload.
    pub fn series_count(&self) -> usize {
        self.samples.len()
    }
}

fn parse_sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    let Some((name, rest)) = series.split_once('{') else {
        return Some(Sample {
            name: series.to_owned(),
            labels: BTreeMap::new(),
            value,
        });
    };
    let mut labels = BTreeMap::new();
    let mut rest = rest.strip_suffix('}')?;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (index, character) = chars.next()?;
            match character {
                '\\' => value.push(match chars.next()?.1 {
                    'n' => '\n',
                    other => other,
                }),
                '"' => break index,
                other => value.push(other),
            }
        };
        labels.insert(key.trim_start_matches(',').to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_samples_with_and_without_labels() {
        let scrape = Scrape::parse(
            "# HELP x y\nup 1\nhttp_requests_total{method=\"GET\",route=\"/a\\\"b\",status_code=\"200\"} 3\n",
        );
        assert_eq!(scrape.value("up", &[]), 1.0);
        assert_eq!(
            scrape.value(
                "http_requests_total",
                &[
                    ("method", "GET"),
                    ("route", "/a\"b"),
                    ("status_code", "200")
                ]
            ),
            3.0
        );
        assert_eq!(scrape.series_count(), 2);
    }
}
