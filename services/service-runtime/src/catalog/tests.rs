//! The catalog's own rules: unique names, the counter suffix, the latency buckets.

use super::*;

#[test]
fn names_are_unique_and_follow_the_counter_suffix_rule() {
    for (index, spec) in METRICS.iter().enumerate() {
        assert!(
            METRICS[index + 1..]
                .iter()
                .all(|other| other.name != spec.name),
            "{} is listed twice",
            spec.name
        );
        assert_eq!(
            spec.name.ends_with("_total"),
            spec.kind == MetricKind::Counter,
            "{}: only counters end in _total",
            spec.name
        );
        assert!(!spec.help.is_empty(), "{} has no HELP", spec.name);
    }
}

#[test]
fn latency_alert_threshold_is_a_bucket_boundary() {
    assert!(HTTP_DURATION_BUCKETS.contains(&0.5));
    assert!(
        HTTP_DURATION_BUCKETS
            .windows(2)
            .all(|pair| pair[0] < pair[1])
    );
}

#[test]
fn spec_finds_the_http_counter_with_its_labels() {
    let found = spec(HTTP_REQUESTS_TOTAL).map(|spec| spec.labels);
    assert_eq!(found, Some(&["method", "route", "status_code"][..]));
    assert!(spec("active_users_total").is_none());
}
