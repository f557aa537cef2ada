//! Raw-socket helpers for the hostile-client tests: idle and half-sent connections,
//! requests hyper refuses, and waiting with a deadline for `/health` or a counter.
//! Every helper has a deadline, so a server that hangs fails the test instead of
//! hanging it.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::Scrape;
use super::client::HttpResponse;
use crate::catalog;

/// Deadline of one connect, write or read (a dropped SYN is retried after 1 s, then
/// 3 s in all, then 7 s).
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections one thread of [`open_idle`] opens: a SYN that meets an old
/// TIME_WAIT entry is retried by the kernel after a second, so opening many
/// connections from one thread can take seconds; threads overlap those waits.
const CONNECTIONS_PER_THREAD: usize = 50;

/// Opens `count` connections to `addr` (from several threads, so that a large
/// attack is open within about a second) and sends nothing on them.
///
/// # Panics
/// If a connection cannot be opened within [`IO_TIMEOUT`].
pub fn open_idle(addr: SocketAddr, count: usize) -> Vec<TcpStream> {
    open_sending(addr, count, &|_| Vec::new())
}

/// Like [`open_idle`], but sends `first(index)` on each connection as soon as it
/// is open (the server's header timer starts when it accepts the connection).
///
/// # Panics
/// If a connection cannot be opened or written within [`IO_TIMEOUT`].
pub fn open_sending(
    addr: SocketAddr,
    count: usize,
    first: &(dyn Fn(usize) -> Vec<u8> + Sync),
) -> Vec<TcpStream> {
    let open = |index: usize| {
        let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
            .unwrap_or_else(|error| panic!("connection {index} to {addr}: {error}"));
        let bytes = first(index);
        if !bytes.is_empty() {
            stream
                .write_all(&bytes)
                .unwrap_or_else(|error| panic!("connection {index} to {addr}: {error}"));
        }
        stream
    };
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..count)
            .step_by(CONNECTIONS_PER_THREAD)
            .map(|start| {
                let end = (start + CONNECTIONS_PER_THREAD).min(count);
                scope.spawn(move || (start..end).map(open).collect::<Vec<_>>())
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().expect("connecting thread"))
            .collect()
    })
}

/// Sends `bytes` on a new connection and reads until the server closes it or
/// `timeout` passes; returns what was read (the server may close early).
pub fn exchange(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_write_timeout(Some(timeout))?;
    // The server may answer and close before reading everything.
    let _ = stream.write_all(bytes);
    read_until_closed(&mut stream, timeout)
}

/// Reads from `stream` until EOF, a reset, or `timeout`; returns the bytes read.
pub fn read_until_closed(stream: &mut TcpStream, timeout: Duration) -> std::io::Result<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut out = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(ErrorKind::TimedOut, "still open"));
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(read) => out.extend_from_slice(&chunk[..read]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => return Ok(out),
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Err(std::io::Error::new(ErrorKind::TimedOut, "still open"));
            }
            Err(error) => return Err(error),
        }
    }
}

/// The status code of a raw HTTP/1.1 response, if it starts with a status line.
pub fn status_of(raw: &[u8]) -> Option<u16> {
    let line = raw.split(|byte| *byte == b'\r').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A raw response parsed (status, headers, body), if it is a whole response.
pub fn parse(raw: &[u8]) -> Option<HttpResponse> {
    parse_response(raw)
}

/// `GET /health` on a new connection, answered 200 within `timeout`.
pub fn health_ok(addr: SocketAddr, timeout: Duration) -> bool {
    let request = format!("GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    exchange(addr, request.as_bytes(), timeout).is_ok_and(|raw| status_of(&raw) == Some(200))
}

/// Retries `GET /health` (each try bounded by `per_try`) until it answers 200 or
/// `within` has passed; returns how long that took from the first try.
pub fn health_answers_within(
    addr: SocketAddr,
    within: Duration,
    per_try: Duration,
) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if health_ok(addr, per_try) {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// The value of `http_connection_errors_total{kind}` on `addr`'s `/metrics`.
pub fn connection_errors(addr: SocketAddr, kind: &str) -> f64 {
    Scrape::fetch(addr).value(
        catalog::HTTP_CONNECTION_ERRORS_TOTAL,
        &[(catalog::LABEL_KIND, kind)],
    )
}

/// Waits up to 3 s for `http_connection_errors_total{kind}` to reach `at_least`
/// (connections are counted as their task ends, just after the client saw the end);
/// returns the last value read.
pub fn connection_errors_reach(addr: SocketAddr, kind: &str, at_least: f64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let value = connection_errors(addr, kind);
        if value >= at_least || Instant::now() > deadline {
            return value;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Status line, headers and body (de-chunked) of a raw response.
fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .get("transfer-encoding")
        .is_some_and(|value| value.contains("chunked"))
    {
        body = dechunk(&body)?;
    }
    Some(HttpResponse {
        status,
        headers,
        body: String::from_utf8(body).ok()?,
    })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = raw.windows(2).position(|window| window == b"\r\n")?;
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..end]).ok()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(end + 2..end + 2 + size)?);
        raw = raw.get(end + 4 + size..)?;
    }
}
