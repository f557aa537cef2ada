//! Durations as the stack's configs and flags carry them. Reading uses
//! `humantime`, which accepts every duration lookout renders (`0s`, `500ms`,
//! `15s`, `5m`, `1h`, `1h30m`). Writing stays a whole count of seconds or
//! milliseconds: `humantime`'s own output (`1day`, `1month`, `1ms 500us`, with
//! spaces) is not the Go/Prometheus duration syntax, whereas `86400s` and
//! `1500ms` are read the same by Prometheus 2.x and 3.x and every Alertmanager.

use std::time::Duration;

/// A duration in the syntax Prometheus and Alertmanager flags and configs use
/// (sub-millisecond parts are dropped).
pub(crate) fn go_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis % 1000 == 0 {
        format!("{}s", millis / 1000)
    } else {
        format!("{millis}ms")
    }
}

/// Parses a duration written in a config (`500ms`, `5m`, `1h30m`), or `None`.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_durations_read_back() {
        for duration in [
            Duration::ZERO,
            Duration::from_millis(500),
            Duration::from_secs(15),
            Duration::from_secs(90),
            Duration::from_secs(86_400),
        ] {
            assert_eq!(parse_go_duration(&go_duration(duration)), Some(duration));
        }
        assert_eq!(go_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(go_duration(Duration::from_secs(86_400)), "86400s");
    }

    #[test]
    fn config_durations_parse() {
        assert_eq!(parse_go_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_go_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_go_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("soon"), None);
    }
}
