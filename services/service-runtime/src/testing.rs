//! Helpers for integration tests of lookout binaries (feature `testing`): spawn the
//! real binary on free ports, send plain HTTP/1.1 requests, parse `/metrics`.
//! Blocking std code on purpose: tests stay simple and need no runtime.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Guard against a binary that never starts: tests fail instead of hanging.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running binary, killed when dropped.
#[derive(Debug)]
pub struct Spawned {
    child: Child,
    /// Address of each listener by role (`api`, `admin`), from its `listening` log line.
    pub listeners: BTreeMap<String, SocketAddr>,
}

impl Spawned {
    /// Starts `binary` with `args` plus `--log-format json`, and waits until it has
    /// logged a `listening` line for every role in `roles`. Pass `--port 0` (and
    /// `--admin-port 0`) in `args` to get free ports.
    ///
    /// # Panics
    /// If the binary cannot start or does not report its listeners.
    pub fn start(binary: &str, args: &[&str], roles: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(args)
            .args(["--log-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(found) = parse_listening(&line) {
                    let _ = sender.send(found);
                }
            }
        });
        let mut listeners = BTreeMap::new();
        while !roles.iter().all(|role| listeners.contains_key(*role)) {
            let (role, addr) = receiver
                .recv_timeout(START_TIMEOUT)
                .unwrap_or_else(|_| panic!("{binary} did not report listeners {roles:?}"));
            listeners.insert(role, addr);
        }
        Self { child, listeners }
    }

    /// The address of the listener with `role`.
    pub fn addr(&self, role: &str) -> SocketAddr {
        *self
            .listeners
            .get(role)
            .unwrap_or_else(|| panic!("no {role} listener"))
    }

    /// Process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM (through `kill(1)`, as this crate forbids unsafe code).
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Waits for the process to exit.
    pub fn wait(&mut self) -> ExitStatus {
        self.child.wait().expect("wait for child")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `(role, address)` of a JSON `listening` log line.
fn parse_listening(line: &str) -> Option<(String, SocketAddr)> {
    let value: serde_json::Value = serde_json::from_str(line).ok()?;
    if value.get("message")?.as_str()? != "listening" {
        return None;
    }
    let role = value.get("listener")?.as_str()?.to_owned();
    let addr = value.get("address")?.as_str()?.parse().ok()?;
    Some((role, addr))
}

/// A response read off the wire.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: BTreeMap<String, String>,
    /// Body as text.
    pub body: String,
}

impl HttpResponse {
    /// The body parsed as JSON.
    ///
    /// # Panics
    /// If it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {:?}", self.body))
    }

    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Sends one request with `Connection: close` and reads the whole response.
///
/// # Panics
/// On connection or protocol errors.
pub fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> HttpResponse {
    try_request(addr, method, path, body)
        .unwrap_or_else(|error| panic!("{method} {path} on {addr}: {error}"))
}

/// [`request`] returning I/O errors instead of panicking.
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&[u8]>,
) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect(addr)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some(body) = body {
        // The server may answer 413 and close before reading everything.
        let _ = stream.write_all(body);
    }
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw).ok_or_else(|| {
        std::io::Error::other(format!("bad response: {}", String::from_utf8_lossy(&raw)))
    })
}

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

/// One sample of a `/metrics` payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name (with `_bucket`/`_sum`/`_count` for histograms).
    pub name: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Value.
    pub value: f64,
}

/// A parsed `/metrics` payload.
#[derive(Debug, Clone)]
pub struct Scrape {
    /// Every sample, in payload order.
    pub samples: Vec<Sample>,
    /// The raw text.
    pub text: String,
}

impl Scrape {
    /// Parses Prometheus text format.
    ///
    /// # Panics
    /// On a sample line that does not parse.
    pub fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| parse_sample(line).unwrap_or_else(|| panic!("bad sample line {line:?}")))
            .collect();
        Self {
            samples,
            text: text.to_owned(),
        }
    }

    /// Fetches and parses `GET /metrics` from `addr`.
    pub fn fetch(addr: SocketAddr) -> Self {
        let response = request(addr, "GET", "/metrics", None);
        assert_eq!(
            response.status, 200,
            "/metrics answered {}",
            response.status
        );
        Self::parse(&response.body)
    }

    /// The value of the sample `name` whose labels are exactly `labels`, 0 if absent
    /// (a counter that was never incremented is not exported).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .find(|sample| {
                sample.name == name
                    && sample.labels.len() == labels.len()
                    && labels.iter().all(|(key, value)| {
                        sample.labels.get(*key).map(String::as_str) == Some(*value)
                    })
            })
            .map_or(0.0, |sample| sample.value)
    }

    /// Whether a sample `name` with exactly `labels` exists.
    pub fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.samples.iter().any(|sample| {
            sample.name == name
                && sample.labels.len() == labels.len()
                && labels
                    .iter()
                    .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(*value))
        })
    }

    /// Number of samples (series) in the payload.
    pub fn series_count(&self) -> usize {
        self.samples.len()
    }
}

fn parse_sample(line: &str) -> Option<Sample> {
    let (series, value) = line.rsplit_once(' ')?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    let Some((name, rest)) = series.split_once('{') else {
        return Some(Sample {
            name: series.to_owned(),
            labels: BTreeMap::new(),
            value,
        });
    };
    let mut labels = BTreeMap::new();
    let mut rest = rest.strip_suffix('}')?;
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            let (index, character) = chars.next()?;
            match character {
                '\\' => value.push(match chars.next()?.1 {
                    'n' => '\n',
                    other => other,
                }),
                '"' => break index,
                other => value.push(other),
            }
        };
        labels.insert(key.trim_start_matches(',').to_owned(), value);
        rest = after[end + 1..].trim_start_matches(',');
    }
    Some(Sample {
        name: name.to_owned(),
        labels,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_samples_with_and_without_labels() {
        let scrape = Scrape::parse(
            "# HELP x y\nup 1\nhttp_requests_total{method=\"GET\",route=\"/a\\\"b\",status_code=\"200\"} 3\n",
        );
        assert_eq!(scrape.value("up", &[]), 1.0);
        assert_eq!(
            scrape.value(
                "http_requests_total",
                &[
                    ("method", "GET"),
                    ("route", "/a\"b"),
                    ("status_code", "200")
                ]
            ),
            3.0
        );
        assert_eq!(scrape.series_count(), 2);
    }
}
