//! A minimal OTLP/HTTP collector for the tracing benchmark: it accepts
//! `POST /v1/traces`, counts the body and answers `200` with an empty protobuf
//! body (an empty `ExportTraceServiceResponse`: everything accepted), without
//! decoding, so the collector's own CPU cost stays negligible next to the
//! service under load. Decoding and checking spans is the end-to-end test's job
//! (`e2e/src/otlp_sink`). Served by axum on a thread of its own (the benchmark
//! is synchronous), with a bounded body.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use tokio::sync::oneshot;

/// Largest export body read (the services batch at most 512 spans).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// The OTLP/HTTP binary protobuf media type of the answer.
const PROTOBUF: &str = "application/x-protobuf";

/// What the sink received.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) requests: AtomicU64,
    pub(super) bytes: AtomicU64,
    pub(super) refused: AtomicU64,
}

/// A running sink; dropping it stops the server.
pub(super) struct OtlpSink {
    pub(super) addr: SocketAddr,
    pub(super) counts: Arc<Counts>,
    _stop: oneshot::Sender<()>,
}

impl OtlpSink {
    pub(super) fn start() -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .context("cannot bind the OTLP sink's port")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(Counts::default());
        let app = Router::new()
            .route("/v1/traces", post(export))
            .fallback(refuse)
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(Arc::clone(&counts));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the OTLP sink's runtime")?;
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await
            })
        });
        Ok(Self {
            addr,
            counts,
            _stop: stop,
        })
    }

    /// The base URL exporters are given (`--otlp-endpoint`).
    pub(super) fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Counts an export. A body without a length (chunked) is refused, as the
/// exporters always send one.
async fn export(
    State(counts): State<Arc<Counts>>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> (StatusCode, [(header::HeaderName, &'static str); 1]) {
    let answer = [(header::CONTENT_TYPE, PROTOBUF)];
    match body {
        Ok(body) if headers.contains_key(header::CONTENT_LENGTH) => {
            counts.requests.fetch_add(1, Ordering::Relaxed);
            counts.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
            (StatusCode::OK, answer)
        }
        _ => {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            (StatusCode::BAD_REQUEST, answer)
        }
    }
}

/// Any other path or method.
async fn refuse(State(counts): State<Arc<Counts>>) -> StatusCode {
    counts.refused.fetch_add(1, Ordering::Relaxed);
    StatusCode::BAD_REQUEST
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::Duration;

    use super::*;

    fn exchange(sink: &OtlpSink, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(sink.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream.write_all(request).expect("write");
        let mut answer = [0u8; 256];
        let read = stream.read(&mut answer).expect("read");
        String::from_utf8_lossy(&answer[..read]).into_owned()
    }

    #[test]
    fn an_export_is_counted_and_answered_200() {
        let sink = OtlpSink::start().expect("sink");
        let answer = exchange(
            &sink,
            b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 3\r\n\r\nabc",
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        assert_eq!(sink.counts.requests.load(Ordering::Relaxed), 1);
        assert_eq!(sink.counts.bytes.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn other_paths_and_chunked_bodies_are_refused() {
        let sink = OtlpSink::start().expect("sink");
        let wrong_path = exchange(
            &sink,
            b"POST /v1/logs HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
        );
        let chunked = exchange(
            &sink,
            b"POST /v1/traces HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        );
        assert!(wrong_path.starts_with("HTTP/1.1 400"), "{wrong_path}");
        assert!(chunked.starts_with("HTTP/1.1 400"), "{chunked}");
        assert_eq!(sink.counts.refused.load(Ordering::Relaxed), 2);
        assert_eq!(sink.counts.requests.load(Ordering::Relaxed), 0);
    }
}
