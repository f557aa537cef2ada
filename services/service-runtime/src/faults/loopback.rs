//! The fault-control listener serves only requests addressed to this host by a
//! loopback name: binding loopback keeps other hosts out, but a web page in a
//! browser on this host could still reach it (DNS rebinding, cross-site forms).
//! Such requests carry their own `Host` (the rebound name) or a foreign `Origin`,
//! so both are checked: anything but a loopback name gets 403 JSON.

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::errors::ApiError;

/// Middleware: 403 unless [`is_loopback_request`].
pub(super) async fn loopback_only(request: Request, next: Next) -> Response {
    if is_loopback_request(request.headers()) {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Fault control only answers requests to 127.0.0.1, [::1] or localhost",
        )
        .into_response()
    }
}

/// Whether `Host` is present and a loopback name, and `Origin`, if any, is an
/// `http` or `https` origin on a loopback name.
pub fn is_loopback_request(headers: &HeaderMap) -> bool {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host_ok = match (hosts.next(), hosts.next()) {
        (Some(host), None) => host.to_str().is_ok_and(is_loopback_authority),
        _ => false,
    };
    let origin_ok = headers.get_all(header::ORIGIN).iter().all(|origin| {
        origin.to_str().ok().is_some_and(|origin| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(is_loopback_authority)
        })
    });
    host_ok && origin_ok
}

/// `localhost`, `127.0.0.1`, `[::1]` or a bare `::1`, each with an optional port.
fn is_loopback_authority(authority: &str) -> bool {
    if authority == "::1" {
        return true;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => (host, Some(port)),
        _ => (authority, None),
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty() && port.len() <= 5 && port.bytes().all(|byte| byte.is_ascii_digit())
    });
    port_ok && (host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(host: Option<&str>, origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(header::HOST, HeaderValue::from_str(host).expect("valid"));
        }
        if let Some(origin) = origin {
            headers.insert(
                header::ORIGIN,
                HeaderValue::from_str(origin).expect("valid"),
            );
        }
        headers
    }

    #[test]
    fn loopback_hosts_with_or_without_port_are_served() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8011",
            "localhost",
            "LocalHost:8011",
            "[::1]",
            "[::1]:8011",
            "::1",
        ] {
            assert!(is_loopback_request(&headers(Some(host), None)), "{host}");
        }
        let origin = headers(Some("localhost:8011"), Some("http://localhost:8011"));
        assert!(is_loopback_request(&origin));
    }

    #[test]
    fn other_hosts_and_origins_are_refused() {
        for host in [
            "evil.example",
            "evil.example:8011",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "127.0.0.2",
            "[::2]:8011",
            "localhost:",
            "localhost:80a",
            "localhost:8011:1",
            "0.0.0.0",
            "",
        ] {
            assert!(!is_loopback_request(&headers(Some(host), None)), "{host}");
        }
        assert!(!is_loopback_request(&headers(None, None)), "no Host");
        for origin in [
            "http://evil.example",
            "null",
            "http://localhost.evil.example",
            "file://",
            "localhost",
        ] {
            let request = headers(Some("127.0.0.1:8011"), Some(origin));
            assert!(!is_loopback_request(&request), "{origin}");
        }
    }
}
