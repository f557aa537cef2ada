//! One outbound call as the mesh would see it, whatever HTTP client sends it: a
//! client span (OpenTelemetry HTTP semantic conventions), the trace context to
//! inject into the request, and the edge metrics
//! `http_client_requests_total{peer, method, status_code}` and
//! `http_client_request_duration_seconds{peer}` once the call ends.

use std::time::Instant;

use metrics::SharedString;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use tracing::Span;
use tracing::field::Empty;

use super::BaseUrl;
use crate::catalog;
use crate::http_metrics::{method_label, status_label};

/// Longest peer name: a label value, and a systemd unit and Prometheus job name.
const MAX_PEER_NAME_BYTES: usize = 64;

/// The callee of an edge, named as configured (`user-service`), never from its
/// URL: the `peer` label stays one value per configured peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    name: &'static str,
}

impl Peer {
    /// A peer named `name`: 1 to 64 bytes of lower-case ASCII letters, digits and
    /// `-`, like lookout's service names.
    pub fn new(name: &'static str) -> Result<Self, String> {
        let valid = !name.is_empty()
            && name.len() <= MAX_PEER_NAME_BYTES
            && name
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid {
            return Err(format!(
                "peer name {name:?}: expected 1 to {MAX_PEER_NAME_BYTES} of a-z, 0-9 and -"
            ));
        }
        Ok(Self { name })
    }

    /// The name, as in the `peer` label.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Creates the `error` and `timeout` series of `method` at 0, so an alert on
    /// the error ratio sees the first failures: a counter that appears at 1 has no
    /// increase for `rate()`.
    pub fn register(&self, method: &Method) {
        for status in [catalog::STATUS_CODE_ERROR, catalog::STATUS_CODE_TIMEOUT] {
            let _ = self.requests(method_label(method), SharedString::const_str(status));
        }
    }

    /// Starts a call of `method` to `route` (a template such as `/users/{id}`, the
    /// span's name; never the path itself, which may hold ids) at `url` on `base`.
    /// The span's parent is the current span (the server span of the request that
    /// causes the call); with none, the call starts a trace.
    pub fn start(&self, method: &Method, route: &str, base: &BaseUrl, url: &str) -> EdgeCall {
        self.begin(Span::current().id(), method, route, base, url)
    }

    /// As [`Peer::start`], but the call always starts a new trace: for a client
    /// whose calls are the origin of the work (the traffic generator).
    pub fn start_trace(&self, method: &Method, route: &str, base: &BaseUrl, url: &str) -> EdgeCall {
        self.begin(None, method, route, base, url)
    }

    fn begin(
        &self,
        parent: Option<tracing::Id>,
        method: &Method,
        route: &str,
        base: &BaseUrl,
        url: &str,
    ) -> EdgeCall {
        let span = tracing::info_span!(
            parent: parent,
            "outbound",
            otel.name = %format_args!("{method} {route}"),
            otel.kind = "client",
            otel.status_code = Empty,
            otel.status_description = Empty,
            http.request.method = method.as_str(),
            url.full = url,
            url.template = route,
            server.address = base.host(),
            server.port = i64::from(base.port()),
            peer.service = self.name,
            http.response.status_code = Empty,
            error.type = Empty,
        );
        EdgeCall {
            peer: *self,
            method: method_label(method),
            span,
            started: Instant::now(),
        }
    }

    fn requests(&self, method: &'static str, status: SharedString) -> metrics::Counter {
        metrics::counter!(
            catalog::HTTP_CLIENT_REQUESTS_TOTAL,
            catalog::LABEL_PEER => self.name,
            catalog::LABEL_METHOD => method,
            catalog::LABEL_STATUS_CODE => status,
        )
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeOutcome {
    /// The peer answered with this status and the whole body was read.
    Answered(StatusCode),
    /// No usable answer: refused, reset, or a body over the caller's bound.
    Failed,
    /// No complete answer within the deadline.
    TimedOut,
}

impl EdgeOutcome {
    /// The `status_code` label: the numeric code, `error` or `timeout`.
    pub fn status_label(self) -> SharedString {
        match self {
            Self::Answered(status) => status_label(status),
            Self::Failed => SharedString::const_str(catalog::STATUS_CODE_ERROR),
            Self::TimedOut => SharedString::const_str(catalog::STATUS_CODE_TIMEOUT),
        }
    }
}

/// A call in flight. A call dropped without [`EdgeCall::finish`] (its caller was
/// cancelled, e.g. the client of the request behind it went away) counts nothing:
/// the peer did nothing wrong and took no measurable time.
#[derive(Debug)]
pub struct EdgeCall {
    peer: Peer,
    method: &'static str,
    span: Span,
    started: Instant,
}

impl EdgeCall {
    /// The client span, to run the send under (`Instrument::instrument`).
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Headers carrying this call's trace context (`traceparent`), to add to the
    /// request; empty when tracing is off.
    pub fn trace_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        self.span
            .in_scope(|| crate::trace_context::inject(&mut headers));
        headers
    }

    /// Ends the call: records the edge metrics and the span's status. Per the
    /// semantic conventions a client span is an error for any 4xx or 5xx answer,
    /// and `detail` (a transport error) becomes its status description.
    pub fn finish(self, outcome: EdgeOutcome, detail: Option<&str>) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let label = outcome.status_label();
        self.peer.requests(self.method, label.clone()).increment(1);
        metrics::histogram!(
            catalog::HTTP_CLIENT_REQUEST_DURATION_SECONDS,
            catalog::LABEL_PEER => self.peer.name,
        )
        .record(elapsed);
        let failed = match outcome {
            EdgeOutcome::Answered(status) => {
                self.span
                    .record("http.response.status_code", i64::from(status.as_u16()));
                status.is_client_error() || status.is_server_error()
            }
            EdgeOutcome::Failed | EdgeOutcome::TimedOut => true,
        };
        if failed {
            self.span.record("otel.status_code", "error");
            self.span.record("error.type", &*label);
            if let Some(detail) = detail {
                self.span.record("otel.status_description", detail);
            }
        }
    }
}
