//! RFC 3339 timestamps for `receivedAt`, formatted by `humantime`.
//!
//! Only the receiver's own clock is formatted. Alertmanager's `startsAt` and `endsAt`
//! are kept as the strings it sent: `humantime` (like most RFC 3339 parsers built on
//! the Unix epoch) cannot represent the `0001-01-01T00:00:00Z` that Alertmanager writes
//! as the `endsAt` of a firing alert, and nothing here needs them as times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last instant `humantime` formats (9999-12-31T23:59:59.999Z); it fails past it.
const LAST_FORMATTABLE: Duration = Duration::from_millis(253_402_300_799_999);

/// Formats a time as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, millisecond precision). A badly
/// set clock before 1970 or after 9999 is written as the nearest formattable instant.
pub fn format_rfc3339_millis(time: SystemTime) -> String {
    let since_epoch = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .min(LAST_FORMATTABLE);
    humantime::format_rfc3339_millis(UNIX_EPOCH + since_epoch).to_string()
}

/// The current time, formatted by [`format_rfc3339_millis`].
pub fn now_rfc3339() -> String {
    format_rfc3339_millis(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64, millis: u64) -> String {
        format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(seconds * 1000 + millis))
    }

    #[test]
    fn formats_the_epoch() {
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(at(1_700_000_000, 123), "2023-11-14T22:13:20.123Z");
        // 2000 is a leap year (divisible by 400), 2100 is not.
        assert_eq!(at(951_782_400, 0), "2000-02-29T00:00:00.000Z");
        assert_eq!(at(951_868_800, 0), "2000-03-01T00:00:00.000Z");
        assert_eq!(at(4_107_542_399, 999), "2100-02-28T23:59:59.999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn clamps_times_outside_what_can_be_written() {
        let before = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(format_rfc3339_millis(before), "1970-01-01T00:00:00.000Z");
        let after = UNIX_EPOCH + Duration::from_secs(400_000_000_000);
        assert_eq!(format_rfc3339_millis(after), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn what_is_written_reads_back_with_nanosecond_fractions_as_alertmanager_sends() {
        let written = at(1_764_253_804, 712);
        let read = humantime::parse_rfc3339(&written).expect("RFC 3339");
        assert_eq!(read, UNIX_EPOCH + Duration::from_millis(1_764_253_804_712));
        let alertmanager = humantime::parse_rfc3339("2026-11-27T14:30:04.712844246Z");
        assert_eq!(
            alertmanager
                .expect("nanoseconds")
                .duration_since(UNIX_EPOCH)
                .ok(),
            Some(Duration::new(1_795_789_804, 712_844_246))
        );
    }

    #[test]
    fn the_zero_time_of_firing_alerts_is_beyond_humantime_so_it_is_kept_as_text() {
        assert!(humantime::parse_rfc3339("0001-01-01T00:00:00Z").is_err());
    }
}
