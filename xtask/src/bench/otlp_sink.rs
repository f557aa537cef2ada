//! A minimal OTLP/HTTP collector for the tracing benchmark: it accepts
//! `POST /v1/traces`, reads and counts the body and answers `200` with an empty
//! protobuf body (an empty `ExportTraceServiceResponse`: everything accepted),
//! without decoding, so the collector's own CPU cost stays negligible next to
//! the service under load. Decoding and checking spans is the end-to-end test's
//! job (`e2e/src/otlp_sink`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context;

/// Largest export body read (the services batch at most 512 spans).
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;
/// Largest request head line, and most header lines.
const MAX_LINE_BYTES: u64 = 8 * 1024;
const MAX_HEADERS: usize = 64;
/// Connections served at once; more are closed at once (each exporter keeps one
/// or two).
const MAX_CONNECTIONS: usize = 16;
/// A connection idle this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the sink received.
#[derive(Debug, Default)]
pub(super) struct Counts {
    pub(super) requests: AtomicU64,
    pub(super) bytes: AtomicU64,
    pub(super) refused: AtomicU64,
}

/// A running sink; dropping it stops accepting connections.
pub(super) struct OtlpSink {
    pub(super) addr: SocketAddr,
    pub(super) counts: Arc<Counts>,
    stop: Arc<AtomicBool>,
}

impl OtlpSink {
    pub(super) fn start() -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("cannot bind the OTLP sink's port")?;
        let addr = listener.local_addr()?;
        let counts = Arc::new(Counts::default());
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(AtomicUsize::new(0));
        let (thread_counts, thread_stop) = (Arc::clone(&counts), Arc::clone(&stop));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if thread_stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    open.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let (counts, open) = (Arc::clone(&thread_counts), Arc::clone(&open));
                std::thread::spawn(move || {
                    let _ = serve(stream, &counts);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Ok(Self { addr, counts, stop })
    }

    /// The base URL exporters are given (`--otlp-endpoint`).
    pub(super) fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for OtlpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Serves one keep-alive connection until the peer closes it or misbehaves.
fn serve(stream: TcpStream, counts: &Counts) -> std::io::Result<()> {
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request_line) = read_line(&mut reader)? else {
            return Ok(());
        };
        let mut length = None;
        for _ in 0..MAX_HEADERS {
            let Some(line) = read_line(&mut reader)? else {
                return Ok(());
            };
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<u64>().ok();
            }
        }
        let acceptable = request_line.starts_with("POST /v1/traces ");
        match length {
            Some(length) if acceptable && length <= MAX_BODY_BYTES => {
                std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink())?;
                counts.requests.fetch_add(1, Ordering::Relaxed);
                counts.bytes.fetch_add(length, Ordering::Relaxed);
                writer.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n",
                )?;
            }
            _ => {
                // Wrong path, no length (chunked) or too large: refuse and close.
                counts.refused.fetch_add(1, Ordering::Relaxed);
                writer.write_all(
                    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )?;
                return Ok(());
            }
        }
    }
}

/// One CRLF-terminated line without its terminator; `None` at end of stream.
fn read_line(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    if reader.take(MAX_LINE_BYTES).read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
}

#[cfg(test)]
mod tests {
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
