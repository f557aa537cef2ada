//! A bound on the distinct values one metric label may take. The receiver's metrics
//! are labelled with strings its callers choose (alert names, receiver names); the
//! first `limit` distinct values are kept as they are and every later one is counted
//! under [`OVERFLOW_VALUE`], so no sender can grow the number of series without bound.

use std::collections::HashSet;
use std::sync::Mutex;

/// The label value that stands for every value past the limit.
pub const OVERFLOW_VALUE: &str = "other";

/// The set of label values admitted so far.
#[derive(Debug)]
pub struct LabelCap {
    limit: usize,
    admitted: Mutex<HashSet<String>>,
}

impl LabelCap {
    /// A cap admitting at most `limit` distinct values.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            admitted: Mutex::new(HashSet::new()),
        }
    }

    /// The value to use as the label: `value` itself if it was admitted before or
    /// there is room for it, [`OVERFLOW_VALUE`] otherwise.
    pub fn label_for(&self, value: &str) -> String {
        // A poisoned lock only means another thread panicked mid-insert; the set
        // is still a valid set, so keep using it.
        let mut admitted = self
            .admitted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if admitted.contains(value) {
            return value.to_owned();
        }
        if admitted.len() < self.limit {
            admitted.insert(value.to_owned());
            return value.to_owned();
        }
        OVERFLOW_VALUE.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_values_up_to_the_limit_then_overflows() {
        let cap = LabelCap::new(2);
        assert_eq!(cap.label_for("A"), "A");
        assert_eq!(cap.label_for("B"), "B");
        assert_eq!(cap.label_for("C"), OVERFLOW_VALUE);
        assert_eq!(cap.label_for("D"), OVERFLOW_VALUE);
    }

    #[test]
    fn values_admitted_before_the_limit_keep_their_name() {
        let cap = LabelCap::new(1);
        assert_eq!(cap.label_for("A"), "A");
        assert_eq!(cap.label_for("B"), OVERFLOW_VALUE);
        assert_eq!(cap.label_for("A"), "A");
    }

    #[test]
    fn distinct_results_never_exceed_limit_plus_overflow() {
        let cap = LabelCap::new(100);
        let distinct: HashSet<String> = (0..10_000)
            .map(|i| cap.label_for(&format!("Alert{i}")))
            .collect();
        assert_eq!(distinct.len(), 101);
        assert!(distinct.contains(OVERFLOW_VALUE));
    }
}
