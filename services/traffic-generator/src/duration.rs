//! Durations for flags, in `humantime`'s grammar (`30s`, `5m`, `1h30m`, `1h 30m`,
//! `250ms`, `2d`, `1w`), plus one rule of the generator's own: a bare number is
//! seconds, as the flags have always accepted.

use std::time::Duration;

/// Most digits a duration with units may have. humantime 2.4 panics ("overflow in
/// Duration::new") on spans that add up to exactly `u64::MAX` seconds plus a whole
/// second of nanoseconds (`18446744073709551615s 1000000000ns`). With 11 digits in
/// all, no text comes near: 10^11 years is 3.2e18 s, a sixth of `u64::MAX`.
const MAX_DIGITS: usize = 11;

/// Parses a duration such as `30s`, `5m`, `1h30m`, `250ms` or `90` (seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        return text
            .parse()
            .map(Duration::from_secs)
            .map_err(|_| format!("invalid duration {text:?}: number too large"));
    }
    if text.bytes().filter(u8::is_ascii_digit).count() > MAX_DIGITS {
        return Err(format!(
            "invalid duration {text:?}: more than {MAX_DIGITS} digits"
        ));
    }
    humantime::parse_duration(text)
        .map_err(|error| format!("invalid duration {text:?}: {error} (e.g. 30s, 5m, 1h30m)"))
}

/// Parses a duration that must be more than 0 and at most `max`.
pub fn parse_bounded(text: &str, max: Duration) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        Err("must be more than 0".to_owned())
    } else if duration > max {
        Err(format!(
            "must be at most {}",
            humantime::format_duration(max)
        ))
    } else {
        Ok(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_units() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
    }

    #[test]
    fn a_bare_number_is_seconds_and_zero_is_zero() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration(" 90 "), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn parses_compound_durations_with_or_without_spaces() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1m500ms"), Ok(Duration::from_millis(60_500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "",
            "s",
            "5x",
            "-5s",
            "1.s",
            "m5",
            "+5",
            "99999999999999999999s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be rejected");
        }
        let message = parse_duration("5x").expect_err("unknown unit");
        assert!(message.contains("unknown time unit \"x\""), "{message}");
        assert_eq!(message.lines().count(), 1, "{message}");
    }

    #[test]
    fn rejects_overflow_instead_of_wrapping_or_panicking() {
        assert!(parse_duration("18446744073709551615d").is_err());
        assert!(parse_duration("99999999999999999999").is_err());
        // The input that makes humantime 2.4 itself panic.
        assert!(parse_duration("18446744073709551615s 1000000000ns").is_err());
        assert_eq!(
            parse_duration("99999999999y"),
            Ok(Duration::from_secs(99_999_999_999 * 31_557_600))
        );
    }

    #[test]
    fn bounded_durations_refuse_zero_and_too_long() {
        let day = Duration::from_secs(86_400);
        assert_eq!(parse_bounded("1d", day), Ok(day));
        assert_eq!(
            parse_bounded("0s", day),
            Err("must be more than 0".to_owned())
        );
        assert_eq!(
            parse_bounded("18446744073709551615", day),
            Err("must be at most 1day".to_owned())
        );
    }
}
