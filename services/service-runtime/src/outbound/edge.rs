//! One outbound call as the mesh would see it, whatever HTTP client sends it: a
//! client span (OpenTelemetry HTTP semantic conventions), the trace context to
//! inject into the request, and the edge metrics
//! `http_client_requests_total{peer, method, status_code}` and
//! `http_client_request_duration_seconds{peer}` once the call ends.

use std::time::Instant;

use metrics::SharedString;
use opentelemetry::Context;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use tracing::Span;
use tracing::field::Empty;

use super::BaseUrl;
use crate::catalog;
use crate::http_metrics::{method_label, status_label};
use crate::otel::sampling::{self, Root};

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

    /// Creates the `error`, `timeout` and common 5xx series of `method` at 0, so an alert on
    /// the error ratio sees the first failures: a counter that appears at 1 has no
    /// increase for `rate()`.
    pub fn register(&self, method: &Method) {
        // The failures UpstreamErrors counts, at 0 from the start: `rate()` needs a
        // sample before the first failure, or a peer's first burst is not seen.
        // Other codes appear at their first call.
        for status in [
            catalog::STATUS_CODE_ERROR,
            catalog::STATUS_CODE_TIMEOUT,
            "500",
            "502",
            "503",
            "504",
        ] {
            let _ = self.requests(method_label(method), SharedString::const_str(status));
        }
    }

    /// Starts a call of `method` to `route` (a template such as `/users/{id}`, the
    /// span's name; never the path itself, which may hold ids) at `url` on `base`.
    /// The span's parent is the current span (the server span of the request that
    /// causes the call). In a request that is not sampled (no span, its context
    /// current) the call has no span and passes the unsampled context on; outside
    /// any request the call starts a trace, as [`Peer::start_trace`].
    pub fn start(&self, method: &Method, route: &str, base: &BaseUrl, url: &str) -> EdgeCall {
        let current = Span::current();
        if current.id().is_some() {
            return self.begin(current.id(), method, route, base, url);
        }
        match sampling::current_unsampled() {
            Some(context) => self.untraced(method, context),
            None => self.start_trace(method, route, base, url),
        }
    }

    /// As [`Peer::start`], but the call always starts a new trace: for a client
    /// whose calls are the origin of the work (the traffic generator). Sampled at
    /// `--trace-sample-ratio`; a call drawn out has no span but still sends its
    /// (unsampled) trace context, so the callee does not draw again.
    pub fn start_trace(&self, method: &Method, route: &str, base: &BaseUrl, url: &str) -> EdgeCall {
        match sampling::root() {
            Root::Undecided | Root::Sampled => self.begin(None, method, route, base, url),
            Root::NotSampled(context) => self.untraced(method, context),
        }
    }

    /// A call without a span, carrying `context` (not sampled) to the peer.
    fn untraced(&self, method: &Method, context: Context) -> EdgeCall {
        EdgeCall {
            peer: *self,
            method: method_label(method),
            span: Span::none(),
            unsampled: Some(context),
            started: Instant::now(),
        }
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
            unsampled: None,
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
    /// Not sampled: the context to send instead of the span's.
    unsampled: Option<Context>,
    started: Instant,
}

impl EdgeCall {
    /// The client span, to run the send under (`Instrument::instrument`);
    /// `Span::none()` for a call that is not sampled.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Headers carrying this call's trace context (`traceparent`), to add to the
    /// request: its span's, or the unsampled context's (flags `00`); empty when
    /// tracing is off.
    pub fn trace_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        match &self.unsampled {
            Some(context) => crate::trace_context::inject_context(context, &mut headers),
            None => self
                .span
                .in_scope(|| crate::trace_context::inject(&mut headers)),
        }
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
