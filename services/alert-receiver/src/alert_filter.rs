//! The query of `GET /alerts` (`status`, `alertname`, `receiver`, `limit`), checked
//! strictly: a misspelt parameter or value is a 400 rather than a silently unfiltered
//! answer.

use crate::payload::{Alert, AlertStatus};

/// How many alerts `GET /alerts` returns without a `limit`: more than a test or a
/// person reading the answer needs, small enough to answer quickly.
pub const DEFAULT_LIMIT: usize = 1000;

/// The largest `limit` accepted.
pub const MAX_LIMIT: usize = 10_000;

/// A checked `GET /alerts` query.
#[derive(Debug, PartialEq, Eq)]
pub struct AlertsQuery {
    /// Which alerts match.
    pub filter: AlertFilter,
    /// The most alerts returned (the newest matching ones).
    pub limit: usize,
}

/// Which received alerts to return; `None` means "any".
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only alerts with this status.
    pub status: Option<AlertStatus>,
    /// Only alerts with this `alertname` label.
    pub alertname: Option<String>,
    /// Only alerts delivered to this Alertmanager receiver.
    pub receiver: Option<String>,
}

/// Why a query is not a valid filter.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    /// A parameter this endpoint does not know.
    #[error("unknown query parameter {0:?}: expected status, alertname, receiver or limit")]
    UnknownParameter(String),
    /// The same parameter given twice.
    #[error("query parameter {0:?} given more than once")]
    Repeated(String),
    /// A status other than firing or resolved.
    #[error("invalid status {0:?}: expected firing or resolved")]
    InvalidStatus(String),
    /// An empty value, which would match nothing useful.
    #[error("query parameter {0:?} is empty")]
    Empty(String),
    /// A `limit` that is not a whole number between 1 and [`MAX_LIMIT`].
    #[error("invalid limit {0:?}: expected a whole number between 1 and {MAX_LIMIT}")]
    InvalidLimit(String),
}

impl AlertsQuery {
    /// Builds a query from decoded query pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, FilterError> {
        let mut filter = AlertFilter::default();
        let mut limit = None;
        for (key, value) in pairs {
            if value.is_empty() {
                return Err(FilterError::Empty(key));
            }
            let repeated = match key.as_str() {
                "status" => filter.status.replace(parse_status(&value)?).is_some(),
                "alertname" => filter.alertname.replace(value).is_some(),
                "receiver" => filter.receiver.replace(value).is_some(),
                "limit" => limit.replace(parse_limit(&value)?).is_some(),
                _ => return Err(FilterError::UnknownParameter(key)),
            };
            if repeated {
                return Err(FilterError::Repeated(key));
            }
        }
        Ok(Self {
            filter,
            limit: limit.unwrap_or(DEFAULT_LIMIT),
        })
    }
}

impl AlertFilter {
    /// Whether an alert delivered to `receiver` passes the filter.
    pub fn matches(&self, receiver: &str, alert: &Alert) -> bool {
        self.status.is_none_or(|s| s == alert.status)
            && self
                .alertname
                .as_deref()
                .is_none_or(|n| n == alert.alertname())
            && self.receiver.as_deref().is_none_or(|r| r == receiver)
    }
}

fn parse_limit(value: &str) -> Result<usize, FilterError> {
    match value.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(FilterError::InvalidLimit(value.to_owned())),
    }
}

fn parse_status(value: &str) -> Result<AlertStatus, FilterError> {
    match value {
        "firing" => Ok(AlertStatus::Firing),
        "resolved" => Ok(AlertStatus::Resolved),
        other => Err(FilterError::InvalidStatus(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::tests::stored;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn no_parameters_match_everything() {
        let query = AlertsQuery::from_pairs(Vec::new()).expect("valid");
        let alert = &stored("k").notification.alerts[0];
        assert!(query.filter.matches("anyone", alert));
        assert_eq!(query.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn each_parameter_narrows_the_match() {
        let alert = &stored("k").notification.alerts[0];
        let matching = pairs(&[
            ("status", "firing"),
            ("alertname", "HighErrorRate"),
            ("receiver", "webhook"),
        ]);
        let filter = AlertsQuery::from_pairs(matching).expect("valid").filter;
        assert!(filter.matches("webhook", alert));
        assert!(!filter.matches("watchdog", alert));
        let resolved = AlertsQuery::from_pairs(pairs(&[("status", "resolved")])).expect("valid");
        assert!(!resolved.filter.matches("webhook", alert));
        let other = AlertsQuery::from_pairs(pairs(&[("alertname", "Watchdog")])).expect("valid");
        assert!(!other.filter.matches("webhook", alert));
    }

    #[test]
    fn rejects_bad_queries_with_a_reason() {
        let cases = [
            (
                pairs(&[("status", "pending")]),
                FilterError::InvalidStatus("pending".into()),
            ),
            (
                pairs(&[("severity", "critical")]),
                FilterError::UnknownParameter("severity".into()),
            ),
            (
                pairs(&[("alertname", "")]),
                FilterError::Empty("alertname".into()),
            ),
            (
                pairs(&[("receiver", "a"), ("receiver", "b")]),
                FilterError::Repeated("receiver".into()),
            ),
            (
                pairs(&[("limit", "0")]),
                FilterError::InvalidLimit("0".into()),
            ),
            (
                pairs(&[("limit", "10001")]),
                FilterError::InvalidLimit("10001".into()),
            ),
            (
                pairs(&[("limit", "-1")]),
                FilterError::InvalidLimit("-1".into()),
            ),
            (
                pairs(&[("limit", "5"), ("limit", "6")]),
                FilterError::Repeated("limit".into()),
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(AlertsQuery::from_pairs(query), Err(expected));
        }
    }

    #[test]
    fn limit_takes_any_value_from_one_to_the_maximum() {
        for limit in [1, 50, MAX_LIMIT] {
            let query = AlertsQuery::from_pairs(pairs(&[("limit", &limit.to_string())]));
            assert_eq!(query.map(|q| q.limit), Ok(limit));
        }
    }
}
