//! Slow clients (issue 10, item 1): 300 clients sending a request head one byte at
//! a time and 20 sending a body one byte at a time are all closed once the header
//! and body timeouts pass, the body ones answered 408 JSON, while `/health` keeps
//! answering.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use service_runtime::server::conn_errors;
use service_runtime::testing::hostile::{
    connection_errors_reach, health_answers_within, open_sending,
};

const SLOW_HEADERS: usize = 300;
const SLOW_BODIES: usize = 20;
const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const BODY_TIMEOUT: Duration = Duration::from_secs(2);
/// Time between two bytes of a slow client.
const DRIP: Duration = Duration::from_millis(250);

/// A slow client and what it got back.
struct Slow {
    stream: TcpStream,
    received: Vec<u8>,
    closed: bool,
}

impl Slow {
    /// Sends one more byte and reads whatever came; notes when the server closed.
    fn drip(&mut self, byte: u8) {
        if self.closed {
            return;
        }
        let mut chunk = [0_u8; 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return self.closed = true,
                Ok(read) => self.received.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(_) => return self.closed = true,
            }
        }
        if self.stream.write_all(&[byte]).is_err() {
            self.closed = true;
        }
    }
}

#[test]
fn slow_heads_and_slow_bodies_are_closed_after_their_timeouts() {
    let service = support::TARGET.start(&["--header-timeout", "1s", "--body-timeout", "2s"]);
    let api = service.addr("api");
    let body_head = format!(
        "POST /users HTTP/1.1\r\nHost: {api}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{"
    );
    let first_bytes = |index: usize| {
        if index >= SLOW_HEADERS {
            body_head.clone().into_bytes()
        } else {
            b"GET /health HTTP/1.1\r\nX-Slow: ".to_vec()
        }
    };
    let mut clients: Vec<Slow> = open_sending(api, SLOW_HEADERS + SLOW_BODIES, &first_bytes)
        .into_iter()
        .map(|stream| Slow {
            stream,
            received: Vec::new(),
            closed: false,
        })
        .collect();
    for client in &clients {
        client.stream.set_nonblocking(true).expect("non-blocking");
    }
    let started = Instant::now();
    let bound = BODY_TIMEOUT.max(HEADER_TIMEOUT) + Duration::from_secs(2);
    let mut health_checked = None;
    while clients.iter().any(|client| !client.closed) && started.elapsed() < bound {
        for client in &mut clients {
            client.drip(b'a');
        }
        if health_checked.is_none() {
            health_checked =
                health_answers_within(api, Duration::from_secs(1), Duration::from_secs(1));
        }
        std::thread::sleep(DRIP);
    }
    let elapsed = started.elapsed();
    let open = clients.iter().filter(|client| !client.closed).count();
    println!(
        "all slow clients closed after {elapsed:?}; /health answered in {health_checked:?} during the attack"
    );
    assert_eq!(open, 0, "{open} slow clients still open after {elapsed:?}");
    assert!(
        health_checked.is_some(),
        "/health did not answer during the attack"
    );
    for client in &clients[SLOW_HEADERS..] {
        let text = String::from_utf8_lossy(&client.received);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "slow body answered {text:?}"
        );
        assert!(
            text.contains("{\"error\":"),
            "408 without a JSON body: {text:?}"
        );
    }
    let timeouts = connection_errors_reach(api, conn_errors::HEADER_TIMEOUT, SLOW_HEADERS as f64);
    assert!(
        timeouts >= SLOW_HEADERS as f64,
        "header timeouts counted: {timeouts}"
    );
    let late = connection_errors_reach(api, conn_errors::BODY_TIMEOUT, SLOW_BODIES as f64);
    assert!(late >= SLOW_BODIES as f64, "body timeouts counted: {late}");
}
