//! A bound on the distinct values one metric label may take. The receiver's metrics
//! are labelled with strings its callers choose (alert names, receiver names); the
//! first `limit` distinct values are kept as they are and every later one is counted
//! under [`OVERFLOW_VALUE`], so no sender can grow the number of series without bound.
//! A value longer than [`MAX_VALUE_BYTES`] is counted under [`OVERFLOW_VALUE`] too:
//! otherwise `limit` values of up to 1 MiB each would make every scrape of `/metrics`
//! hundreds of megabytes.

use std::collections::HashSet;
use std::sync::Mutex;

/// The label value that stands for every value past the limit.
pub const OVERFLOW_VALUE: &str = "other";

/// The longest label value kept as it is (real alert and receiver names are short).
pub const MAX_VALUE_BYTES: usize = 128;

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
    /// there is room for it and it is not too long, [`OVERFLOW_VALUE`] otherwise.
    pub fn label_for(&self, value: &str) -> String {
        if value.len() > MAX_VALUE_BYTES {
            return OVERFLOW_VALUE.to_owned();
        }
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

    #[test]
    fn long_values_overflow_without_taking_a_slot() {
        let cap = LabelCap::new(1);
        let longest = "a".repeat(MAX_VALUE_BYTES);
        assert_eq!(
            cap.label_for(&"b".repeat(MAX_VALUE_BYTES + 1)),
            OVERFLOW_VALUE
        );
        assert_eq!(cap.label_for(&longest), longest);
    }
}
