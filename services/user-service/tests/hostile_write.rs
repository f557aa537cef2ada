//! A client that sends requests and never reads the answers (issue 10): once the
//! socket's buffers are full the server's write stalls, and after `--write-timeout`
//! the connection is closed and counted as `write_timeout`, so such clients cannot
//! keep their slots under `--max-connections` for ever. `/health` keeps answering.

mod support;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use service_runtime::server::conn_errors;
use service_runtime::testing::client::request;
use service_runtime::testing::hostile::{connection_errors_reach, health_answers_within};

/// Users of the largest accepted name, so a page of them is about 150 KB.
const USERS: usize = 500;
/// Pipelined requests whose answers (about 75 MB) no socket buffer can hold.
const PIPELINED: usize = 500;

#[test]
fn a_client_that_never_reads_is_closed_after_the_write_timeout() {
    let service = support::TARGET.start(&["--write-timeout", "1s", "--max-users", "1000"]);
    let api = service.addr("api");
    let name = "n".repeat(256);
    for index in 0..USERS {
        let body = format!(r#"{{"name":"{name}","email":"u{index}@example.org"}}"#);
        let created = request(api, "POST", "/users", Some(body.as_bytes()));
        assert_eq!(created.status, 201, "create {index}: {}", created.body);
    }

    let mut silent = TcpStream::connect(api).unwrap();
    let one = format!("GET /users?limit=500 HTTP/1.1\r\nHost: {api}\r\n\r\n");
    silent
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Written, never read; a write error means the server already gave up on it.
    let _ = silent.write_all(one.repeat(PIPELINED).as_bytes());

    let closed = connection_errors_reach(api, conn_errors::WRITE_TIMEOUT, 1.0);
    assert_eq!(
        closed, 1.0,
        "the stalled connection was not closed for its write timeout"
    );
    assert!(
        health_answers_within(api, Duration::from_secs(5), Duration::from_secs(1)).is_some(),
        "/health did not answer while the silent client was open"
    );
    drop(silent);
}
