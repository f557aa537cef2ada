//! The base URL of a peer service: plain `http://host:port`, optionally with a path
//! prefix. Only http: lookout's services speak plain HTTP on loopback or a private
//! network and reqwest is built without TLS, so an `https://` URL would only fail
//! later, on the first call. No credentials either: the URL goes into spans
//! (`url.full`) and logs.

use std::fmt;
use std::str::FromStr;

use reqwest::Url;

/// A validated `http://host[:port][/prefix]` with no query, fragment or user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

impl FromStr for BaseUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = Url::parse(text).map_err(|error| format!("{text:?} is not a URL: {error}"))?;
        if url.scheme() != "http" {
            return Err(format!("{text:?}: only http:// URLs are supported"));
        }
        if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{text:?}: expected http://host:port with no query or fragment"
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "{text:?}: credentials in the URL are not supported"
            ));
        }
        Ok(Self(url))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

impl BaseUrl {
    /// The URL of `path` (which starts with `/`) on this service.
    pub fn join(&self, path: &str) -> String {
        format!("{self}{path}")
    }

    /// Host name or address, as written in the URL (`server.address` of a span).
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// Port, explicit or the scheme's default (`server.port` of a span).
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_accept_plain_http_only() {
        let url: BaseUrl = "http://127.0.0.1:8001/".parse().expect("valid");
        assert_eq!(url.join("/users"), "http://127.0.0.1:8001/users");
        assert_eq!((url.host(), url.port()), ("127.0.0.1", 8001));
        let prefixed: BaseUrl = "http://proxy:80/api".parse().expect("valid");
        assert_eq!(prefixed.join("/users/999"), "http://proxy/api/users/999");
        assert_eq!((prefixed.host(), prefixed.port()), ("proxy", 80));
        for bad in [
            "https://127.0.0.1:8001",
            "127.0.0.1:8001",
            "http://h/?a=1",
            "http://h/#top",
            "http://user:secret@h:8001",
            "ftp://h",
            "",
        ] {
            assert!(
                bad.parse::<BaseUrl>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }
}
