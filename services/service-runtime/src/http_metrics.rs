//! The HTTP metrics middleware: a hand-written tower layer (rather than
//! `middleware::from_fn`, which boxes the inner service on every request) that
//! times each request, runs it inside its server span when tracing is on and it is
//! sampled (else under its unsampled context, [`crate::http_span`]), makes error bodies JSON and records `http_requests_total`
//! and `http_request_duration_seconds`.
//!
//! It is mounted twice by [`crate::http::instrument_with_faults`]: as a route layer, where the
//! matched route template is known (this also covers 405 answers, which come from
//! the matched route), and on the fallback, where there is no template and the
//! route is `unmatched`. The label set therefore stays bounded whatever paths
//! scanners send.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::response::Response;
use metrics::SharedString;
use tower::{Layer, Service};

use crate::catalog;
use crate::errors::ensure_json;
use crate::faults::{FaultSettings, Faults};
use crate::http_span;

/// Layer producing [`HttpMetrics`]; with `faults`, it also injects them into every
/// route but the runtime's own (`/health`, `/metrics`), which saves business routes
/// a second layer.
#[derive(Debug, Clone, Default)]
pub(crate) struct HttpMetricsLayer {
    pub(crate) faults: Option<Faults>,
}

impl<S> Layer<S> for HttpMetricsLayer {
    type Service = HttpMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HttpMetrics {
            inner,
            faults: self.faults.clone(),
        }
    }
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub(crate) struct HttpMetrics<S> {
    inner: S,
    faults: Option<Faults>,
}

/// Routes of the runtime itself, never affected by faults.
const RUNTIME_ROUTES: [&str; 2] = ["/health", "/metrics"];

impl<S> Service<Request> for HttpMetrics<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let method = method_label(request.method());
        let route = request.extensions().get::<MatchedPath>().map_or(
            SharedString::const_str(catalog::ROUTE_UNMATCHED),
            |matched| SharedString::from(matched.as_str().to_owned()),
        );
        let faults = self
            .faults
            .as_ref()
            .filter(|_| !RUNTIME_ROUTES.contains(&&*route))
            .map(Faults::settings)
            .filter(FaultSettings::active);
        // Scrapes and health checks are not traced: every Prometheus scrape would
        // otherwise be a trace of its own, burying the requests people look for.
        let trace = if RUNTIME_ROUTES.contains(&&*route) {
            http_span::RequestTrace::none()
        } else {
            http_span::start(&request, method, &route)
        };
        let answered = trace.span.clone();
        let finish = move |response: &Response| {
            record(method, route, response.status(), started);
            http_span::finish(&answered, response.status());
        };
        match faults {
            None => {
                // Inside the span (or context), so work the handler starts right
                // away is its child.
                let answer = trace.in_scope(|| self.inner.call(request));
                trace.wrap(async move {
                    let response = ensure_json(answer.await?);
                    finish(&response);
                    Ok(response)
                })
            }
            Some(faults) => {
                // The service polled ready goes into the future; a clone stays behind.
                let clone = self.inner.clone();
                let mut ready = std::mem::replace(&mut self.inner, clone);
                trace.wrap(async move {
                    let response = match faults.inject().await {
                        Some(injected) => injected,
                        None => ensure_json(ready.call(request).await?),
                    };
                    finish(&response);
                    Ok(response)
                })
            }
        }
    }
}

/// Records one request. The metrics registry finds the series by its labels; the
/// benchmark showed no gain worth a handle cache of our own (docs/services.md).
fn record(method: &'static str, route: SharedString, status: StatusCode, started: Instant) {
    let elapsed = started.elapsed().as_secs_f64();
    tracing::debug!(
        method,
        route = &*route,
        status = status.as_u16(),
        elapsed,
        "request"
    );
    metrics::counter!(
        catalog::HTTP_REQUESTS_TOTAL,
        catalog::LABEL_METHOD => method,
        catalog::LABEL_ROUTE => route.clone(),
        catalog::LABEL_STATUS_CODE => status_label(status),
    )
    .increment(1);
    metrics::histogram!(
        catalog::HTTP_REQUEST_DURATION_SECONDS,
        catalog::LABEL_METHOD => method,
        catalog::LABEL_ROUTE => route,
    )
    .record(elapsed);
}

/// The `method` label: standard methods as they are, anything else `OTHER`.
pub(crate) fn method_label(method: &axum::http::Method) -> &'static str {
    catalog::HTTP_METHODS
        .iter()
        .find(|known| **known == method.as_str())
        .copied()
        .unwrap_or(catalog::METHOD_OTHER)
}

/// The `status_code` label without allocating for the codes lookout answers.
pub(crate) fn status_label(status: StatusCode) -> SharedString {
    let fixed = match status.as_u16() {
        200 => "200",
        201 => "201",
        400 => "400",
        404 => "404",
        405 => "405",
        413 => "413",
        500 => "500",
        503 => "503",
        507 => "507",
        _ => return SharedString::from(status.as_u16().to_string()),
    };
    SharedString::const_str(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn methods_are_normalised_to_a_fixed_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(method_label(&Method::TRACE), "OTHER");
        let custom = Method::from_bytes(b"BREW").expect("valid token");
        assert_eq!(method_label(&custom), "OTHER");
    }

    #[test]
    fn status_labels_are_the_numeric_code() {
        assert_eq!(&*status_label(StatusCode::CREATED), "201");
        assert_eq!(&*status_label(StatusCode::IM_A_TEAPOT), "418");
    }
}
