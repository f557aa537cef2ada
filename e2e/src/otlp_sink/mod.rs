//! An OTLP/HTTP trace receiver for the end-to-end test: the services export to
//! it as to any collector (`POST /v1/traces`, `application/x-protobuf`), it
//! decodes each `ExportTraceServiceRequest` with the official schema
//! (`opentelemetry-proto`) and keeps the newest spans for the test to query by
//! trace. Bodies and the store are bounded; what does not fit is refused or
//! evicted and counted.

mod store;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tokio::task::JoinHandle;

pub use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
pub use store::{ReceivedSpan, SinkStats, hex};

use store::SpanStore;

/// The OTLP/HTTP traces path, appended to a base endpoint by every exporter.
pub const TRACES_PATH: &str = "/v1/traces";
/// The OTLP/HTTP binary protobuf media type.
pub const PROTOBUF: &str = "application/x-protobuf";
/// Largest accepted export body. The services batch at most 512 spans (a few
/// hundred KiB); anything far larger is a bug, refused with 413.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Spans kept by [`OtlpSink::start`]'s callers by default: a whole pipeline run
/// (10 requests per second, a few spans each, for minutes) fits.
pub const DEFAULT_CAPACITY: usize = 50_000;

type Shared = Arc<Mutex<SpanStore>>;

/// A running sink on a free loopback port; dropping it stops the server.
#[derive(Debug)]
pub struct OtlpSink {
    addr: SocketAddr,
    store: Shared,
    server: JoinHandle<()>,
}

impl OtlpSink {
    /// Binds a free port on 127.0.0.1 and serves on the current tokio runtime,
    /// keeping at most `capacity` spans.
    pub async fn start(capacity: usize) -> Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the OTLP sink to a free loopback port")?;
        let addr = listener.local_addr()?;
        let store: Shared = Arc::new(Mutex::new(SpanStore::new(capacity)));
        let app = Router::new()
            .route(TRACES_PATH, post(export))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(Arc::clone(&store));
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("[otlp-sink] server stopped: {err}");
            }
        });
        Ok(Self {
            addr,
            store,
            server,
        })
    }

    /// The base URL to give exporters (`--otlp-endpoint`); they POST to
    /// `<endpoint>/v1/traces`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every stored span, oldest first.
    pub fn spans(&self) -> Vec<ReceivedSpan> {
        self.lock().select(|_| true)
    }

    /// The stored spans of one trace, oldest first.
    pub fn trace(&self, trace_id: &[u8]) -> Vec<ReceivedSpan> {
        self.lock().select(|span| span.span.trace_id == trace_id)
    }

    /// Counters of what was received, refused and evicted.
    pub fn stats(&self) -> SinkStats {
        self.lock().stats
    }

    fn lock(&self) -> MutexGuard<'_, SpanStore> {
        lock(&self.store)
    }
}

impl Drop for OtlpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The store stays usable even if a holder panicked: it is plain data.
fn lock(store: &Shared) -> MutexGuard<'_, SpanStore> {
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `POST /v1/traces`: decode, store, answer an empty `ExportTraceServiceResponse`
/// (no partial success: every span was accepted).
async fn export(
    State(store): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Above MAX_BODY_BYTES (413) or a broken upload.
            lock(&store).stats.rejected += 1;
            return rejection.into_response();
        }
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with(PROTOBUF) {
        lock(&store).stats.rejected += 1;
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("expected content-type {PROTOBUF}, got {content_type:?}"),
        )
            .into_response();
    }
    let request = match ExportTraceServiceRequest::decode(body) {
        Ok(request) => request,
        Err(err) => {
            lock(&store).stats.rejected += 1;
            return (
                StatusCode::BAD_REQUEST,
                format!("not an ExportTraceServiceRequest: {err}"),
            )
                .into_response();
        }
    };
    lock(&store).add(request);
    (
        [(header::CONTENT_TYPE, PROTOBUF)],
        ExportTraceServiceResponse::default().encode_to_vec(),
    )
        .into_response()
}
