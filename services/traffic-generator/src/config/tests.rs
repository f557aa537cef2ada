//! Property tests of the flags: whatever text a flag is given, parsing either fails
//! (a one-line message, so exit 2) or yields a plan the runner can use: every
//! instant the runner derives from it exists, the pacer's schedule is computable,
//! and the HTTP client builds.

use clap::Parser;
use proptest::prelude::*;
use proptest::sample::select;
use tokio::time::Instant;

use super::*;
use crate::pacer::Pacer;
use crate::requester::Requester;

/// Every flag that takes a value, logging ones aside (their parsers are shared).
const FLAGS: &[&str] = &[
    "user-service-url",
    "order-service-url",
    "rate",
    "duration",
    "error-share",
    "not-found-share",
    "create-share",
    "concurrency",
    "timeout",
    "report-interval",
    "max-body-bytes",
];

const UNITS: &[&str] = &[
    "", "ns", "us", "ms", "s", "sec", "m", "min", "h", "d", "w", "M", "y", "x",
];

/// Arbitrary text, and numbers of every shape a flag might be given.
fn flag_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{1,25}",
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|x| x.to_string()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
        (0.0..0.01f64).prop_map(|x| x.to_string()),
        (0.0..20_000.0f64).prop_map(|x| x.to_string()),
        (any::<u64>(), select(UNITS)).prop_map(|(n, unit)| format!("{n}{unit}")),
        (
            0..100_000u64,
            select(UNITS),
            0..2_000_000_000u64,
            select(UNITS)
        )
            .prop_map(|(a, u, b, v)| format!("{a}{u} {b}{v}")),
        (any::<u64>(), 0..1_000_000_000u64, select(UNITS))
            .prop_map(|(whole, fraction, unit)| format!("{whole}.{fraction}{unit}")),
        "http://[a-z0-9.:/?#@-]{0,30}",
        // Spans adding up to just about u64::MAX seconds and a carry of nanoseconds.
        (u64::MAX - 2..=u64::MAX, 999_999_999..=1_000_000_001u64)
            .prop_map(|(seconds, nanos)| format!("{seconds}s {nanos}ns")),
    ]
}

/// Uses the plan the way the runner does; any overflow panics here.
fn use_like_the_runner(plan: &Plan) {
    let now = Instant::now();
    if let Some(deadline) = plan.deadline(now) {
        assert!(deadline >= now);
    }
    let first_report = plan.first_report(now);
    assert!(first_report > now, "a zero report interval would spin");
    let pacer = Pacer::starting_at(plan.rate, now);
    // The last slot a run of the longest duration can reach, and a few more.
    let last_slot = (plan.rate * MAX_DURATION.as_secs_f64()) as u64;
    for slot in [0, 1, 2, last_slot, last_slot + 10] {
        assert!(pacer.due(slot) >= now);
    }
    assert!(plan.concurrency >= 1 && u32::try_from(plan.concurrency).is_ok());
    assert!(plan.max_body_bytes >= 1);
    Requester::new(
        plan.targets.clone(),
        plan.timeout,
        plan.concurrency,
        plan.max_body_bytes,
    )
    .expect("the client builds");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn any_value_of_any_flag_is_refused_in_one_line_or_runnable(
        flag in select(FLAGS),
        value in flag_value(),
    ) {
        // `--flag=value`, so that a value starting with `-` is a value.
        let argument = format!("--{flag}={value}");
        match Config::try_parse_from(["traffic-generator", argument.as_str()]) {
            Err(error) => {
                let message = error.to_string();
                let first = message.lines().next().unwrap_or_default();
                prop_assert!(first.starts_with("error: "), "{message}");
            }
            Ok(config) => match config.plan() {
                Err(message) => prop_assert_eq!(message.lines().count(), 1),
                Ok(plan) => use_like_the_runner(&plan),
            },
        }
    }
}

#[test]
fn the_values_that_used_to_panic_are_refused() {
    for (flag, value) in [
        ("--duration", "18446744073709551615"),
        ("--report-interval", "18446744073709551615"),
        ("--timeout", "18446744073709551615"),
        ("--rate", "1e-300"),
        ("--rate", "NaN"),
        ("--rate", "inf"),
        ("--duration", "18446744073709551615s 1000000000ns"),
    ] {
        let parsed = Config::try_parse_from(["traffic-generator", flag, value]);
        assert!(parsed.is_err(), "{flag} {value} was accepted");
    }
}

#[test]
fn the_bounds_themselves_are_accepted_and_runnable() {
    let config = Config::try_parse_from([
        "traffic-generator",
        "--rate=0.001",
        "--duration=1y",
        "--timeout=5m",
        "--report-interval=1d",
        "--max-body-bytes=1073741824",
        "--concurrency=256",
    ])
    .expect("the bounds are valid");
    assert_eq!(config.duration, MAX_DURATION);
    assert_eq!(config.timeout, MAX_TIMEOUT);
    assert_eq!(config.report_interval, MAX_REPORT_INTERVAL);
    assert_eq!(config.max_body_bytes, MAX_BODY_BYTES);
    use_like_the_runner(&config.plan().expect("a plan"));
    let rate = Config::try_parse_from(["traffic-generator", "--rate=0.0009"]);
    assert!(rate.is_err());
    assert_eq!(
        Config::try_parse_from(["traffic-generator"])
            .expect("defaults")
            .max_body_bytes,
        DEFAULT_MAX_BODY_BYTES
    );
}
