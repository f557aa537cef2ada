//! The query of `GET /alerts` (`status`, `alertname`, `receiver`), checked strictly:
//! a misspelt parameter or value is a 400 rather than a silently unfiltered answer.

use crate::payload::{Alert, AlertStatus};

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
    #[error("unknown query parameter {0:?}: expected status, alertname or receiver")]
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
}

impl AlertFilter {
    /// Builds a filter from decoded query pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, FilterError> {
        let mut filter = Self::default();
        for (key, value) in pairs {
            if value.is_empty() {
                return Err(FilterError::Empty(key));
            }
            let repeated = match key.as_str() {
                "status" => filter.status.replace(parse_status(&value)?).is_some(),
                "alertname" => filter.alertname.replace(value).is_some(),
                "receiver" => filter.receiver.replace(value).is_some(),
                _ => return Err(FilterError::UnknownParameter(key)),
            };
            if repeated {
                return Err(FilterError::Repeated(key));
            }
        }
        Ok(filter)
    }

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
        let filter = AlertFilter::from_pairs(Vec::new()).expect("valid");
        let alert = &stored("k").notification.alerts[0];
        assert!(filter.matches("anyone", alert));
    }

    #[test]
    fn each_parameter_narrows_the_match() {
        let alert = &stored("k").notification.alerts[0];
        let matching = pairs(&[
            ("status", "firing"),
            ("alertname", "HighErrorRate"),
            ("receiver", "webhook"),
        ]);
        let filter = AlertFilter::from_pairs(matching).expect("valid");
        assert!(filter.matches("webhook", alert));
        assert!(!filter.matches("watchdog", alert));
        let resolved = AlertFilter::from_pairs(pairs(&[("status", "resolved")])).expect("valid");
        assert!(!resolved.matches("webhook", alert));
        let other = AlertFilter::from_pairs(pairs(&[("alertname", "Watchdog")])).expect("valid");
        assert!(!other.matches("webhook", alert));
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
        ];
        for (query, expected) in cases {
            assert_eq!(AlertFilter::from_pairs(query), Err(expected));
        }
    }
}
