//! Connection-level failures: the requests hyper refuses by itself before any
//! handler runs, clients too slow for the timeouts, connections over the cap and
//! failed accepts. Each is counted in `http_connection_errors_total{kind}`, whose
//! `kind` takes only the values of [`KINDS`], so hostile traffic cannot add series.

use std::time::{Duration, Instant};

use crate::catalog;

/// The request head did not arrive within `--header-timeout` (bytes of it had).
pub const HEADER_TIMEOUT: &str = "header_timeout";
/// The request body did not arrive within `--body-timeout` (answered 408).
pub const BODY_TIMEOUT: &str = "body_timeout";
/// The client read nothing of its answer within `--write-timeout`.
pub const WRITE_TIMEOUT: &str = "write_timeout";
/// hyper could not parse the request head: a bad request line, a raw non-ASCII
/// path, an invalid header or `Content-Length`, an HTTP/2 preface (answered 400).
pub const MALFORMED: &str = "malformed";
/// The request head was too large: over 100 headers or 64 KiB (431), or a URI over
/// 65,534 bytes (414).
pub const TOO_LARGE: &str = "too_large";
/// The client closed the connection in the middle of a request.
pub const INCOMPLETE: &str = "incomplete";
/// Any other I/O or protocol error on an established connection.
pub const OTHER: &str = "other";
/// A connection over `--max-connections`, answered 503 and closed at once.
pub const OVER_CAPACITY: &str = "over_capacity";
/// `accept` failed for lack of resources (such as open files); the loop backs off.
pub const ACCEPT_FAILED: &str = "accept_failed";

/// Every value of the `kind` label.
pub const KINDS: &[&str] = &[
    HEADER_TIMEOUT,
    BODY_TIMEOUT,
    WRITE_TIMEOUT,
    MALFORMED,
    TOO_LARGE,
    INCOMPLETE,
    OTHER,
    OVER_CAPACITY,
    ACCEPT_FAILED,
];

/// Adds one to `http_connection_errors_total{kind}`.
pub(crate) fn count(kind: &'static str) {
    metrics::counter!(catalog::HTTP_CONNECTION_ERRORS_TOTAL, catalog::LABEL_KIND => kind)
        .increment(1);
}

/// Registers every series at 0, so rates and alerts see them before the first error.
pub(crate) fn register() {
    for kind in KINDS {
        metrics::counter!(catalog::HTTP_CONNECTION_ERRORS_TOTAL, catalog::LABEL_KIND => *kind)
            .increment(0);
    }
}

/// The kind of an error a connection ended with, or `None` when it is no client
/// error at all: a keep-alive connection that stayed silent until the header
/// timeout is simply idle (`heard` says whether any byte of a new request came).
pub(crate) fn classify(error: &hyper::Error, heard: bool) -> Option<&'static str> {
    if error.is_timeout() {
        return heard.then_some(HEADER_TIMEOUT);
    }
    Some(if error.is_parse_too_large() {
        TOO_LARGE
    } else if error.is_parse() {
        MALFORMED
    } else if error.is_incomplete_message() {
        INCOMPLETE
    } else {
        OTHER
    })
}

/// Written, without waiting, to a connection refused by the cap.
pub(crate) const OVER_CAPACITY_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\nconnection: close\r\ncontent-length: 49\r\n\r\n\
{\"error\":\"Too many connections, try again later\"}";

/// Logs a warning at most once per interval, so a flood cannot flood the journal.
#[derive(Debug)]
pub(crate) struct Throttled {
    interval: Duration,
    last: Option<Instant>,
}

impl Throttled {
    pub(crate) fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// Whether a message may be logged now (and, if so, starts a new interval).
    pub(crate) fn ready(&mut self) -> bool {
        let now = Instant::now();
        let ready = self
            .last
            .is_none_or(|last| now.duration_since(last) >= self.interval);
        if ready {
            self.last = Some(now);
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canned_503_has_the_right_length_and_a_json_body() {
        let text = std::str::from_utf8(OVER_CAPACITY_RESPONSE).expect("ascii");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON body");
        assert!(json["error"].is_string());
    }

    #[test]
    fn kinds_are_distinct() {
        for (index, kind) in KINDS.iter().enumerate() {
            assert!(!KINDS[index + 1..].contains(kind), "{kind} twice");
        }
    }

    #[test]
    fn throttled_allows_one_message_per_interval() {
        let mut throttled = Throttled::new(Duration::from_secs(60));
        assert!(throttled.ready());
        assert!(!throttled.ready());
    }
}
