//! The hostile list clients of issue 10: with a store filled to capacity with the
//! largest items the API accepts, 40 clients ask for the largest page and never
//! read the answer. The service must stay within 64 MiB of resident memory (peak,
//! `VmHWM`), keep answering `/health` quickly, and keep taking creates (the store
//! lock is not held while the pages are written). Figures are printed so that a
//! release run (`cargo test --release --test hostile -- --nocapture`) gives the
//! numbers of docs/reliability.md.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use super::Target;
use crate::pagination::{MAX_BODY_BYTES, MAX_LIMIT};
use crate::testing::request;

/// Clients that never read, as in the issue.
const CLIENTS: usize = 40;
/// Requests each of them pipelines on its connection.
const REQUESTS_PER_CLIENT: usize = 10;
/// Store capacity of the test, the services' default.
const CAPACITY: usize = 10_000;
/// Creates left for the attack, so that they really store something.
const KEPT_FOR_THE_ATTACK: usize = 20;
/// Threads filling the store.
const FILLERS: usize = 4;
/// Peak resident memory allowed (the bound).
const RSS_BOUND_KIB: u64 = 64 * 1024;
/// Median `/health` latency allowed during the attack (the bound); the
/// median keeps one scheduling hiccup of a shared machine from failing the test
/// while a service stalled by the attack (1.6 s in the issue) still fails it.
const HEALTH_BOUND: Duration = Duration::from_millis(100);
/// Deadline of every probe's connection, so a stalled service fails the test
/// instead of hanging it.
const PROBE_DEADLINE: Duration = Duration::from_secs(10);

/// Runs the attack on `target` and asserts its bounds.
pub fn non_reading_list_clients(target: Target) {
    let capacity = CAPACITY.to_string();
    let service = target.start(&[target.capacity_flag, &capacity]);
    let api = service.addr("api");
    let started_kib = memory_kib(service.pid(), "VmRSS");
    let body = (target.largest_create_body)();
    let count = CAPACITY - target.seed.total - KEPT_FOR_THE_ATTACK;
    fill(target, api, &body, count);
    let filled_kib = memory_kib(service.pid(), "VmRSS");

    // The largest page of the largest items is the largest answer there is.
    let page_path = format!("{}?limit={MAX_LIMIT}", target.collection);
    let page = request(api, "GET", &page_path, None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.len() <= MAX_BODY_BYTES,
        "a page of {} bytes",
        page.body.len()
    );
    let listed = page.json()[target.list_key].as_array().map(Vec::len);
    assert_eq!(listed, Some(MAX_LIMIT), "the page is full");

    let one_request = format!("GET {page_path} HTTP/1.1\r\nHost: {api}\r\n\r\n");
    let attackers: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| {
            let mut stream = TcpStream::connect(api).expect("attacker connects");
            stream
                .write_all(one_request.repeat(REQUESTS_PER_CLIENT).as_bytes())
                .expect("requests sent");
            stream
        })
        .collect();
    // Let the service write what it can into the attackers' sockets.
    std::thread::sleep(Duration::from_secs(2));

    let mut health = Vec::new();
    for _ in 0..KEPT_FOR_THE_ATTACK {
        let started = Instant::now();
        assert_eq!(probe(api, "GET", "/health", None), 200, "/health");
        health.push(started.elapsed());
        let created = probe(api, "POST", target.collection, Some(&body));
        assert_eq!(created, 201, "a create during the attack");
    }
    health.sort();
    let median = health[health.len() / 2];
    let worst = health[health.len() - 1];
    let (peak, now) = (
        memory_kib(service.pid(), "VmHWM"),
        memory_kib(service.pid(), "VmRSS"),
    );
    println!(
        "{}: {CLIENTS} non-reading clients x {REQUESTS_PER_CLIENT} pipelined GET {page_path} \
         on a full store ({CAPACITY} largest items, page {} bytes): VmRSS {:.1} MiB at \
         start, {:.1} MiB filled, {:.1} MiB attacked; VmHWM {:.1} MiB; /health median \
         {median:?}, max {worst:?}",
        target.service,
        page.body.len(),
        started_kib as f64 / 1024.0,
        filled_kib as f64 / 1024.0,
        now as f64 / 1024.0,
        peak as f64 / 1024.0,
    );
    assert!(
        peak <= RSS_BOUND_KIB,
        "peak RSS {peak} KiB over {RSS_BOUND_KIB} KiB"
    );
    assert!(median <= HEALTH_BOUND, "/health median {median:?}");
    let full = probe(api, "POST", target.collection, Some(&body));
    assert_eq!(full, 507, "the store is full");
    drop(attackers);
}

/// Creates `count` items from [`FILLERS`] threads.
fn fill(target: Target, api: SocketAddr, body: &[u8], count: usize) {
    std::thread::scope(|scope| {
        for filler in 0..FILLERS {
            let share = count / FILLERS + usize::from(filler < count % FILLERS);
            scope.spawn(move || {
                for _ in 0..share {
                    let status = probe(api, "POST", target.collection, Some(body));
                    assert_eq!(status, 201, "filling the store");
                }
            });
        }
    });
}

/// Sends one request under [`PROBE_DEADLINE`], reads the whole answer and
/// returns its status code.
fn probe(api: SocketAddr, method: &str, path: &str, body: Option<&[u8]>) -> u16 {
    let mut stream = TcpStream::connect_timeout(&api, PROBE_DEADLINE).expect("probe connects");
    stream
        .set_read_timeout(Some(PROBE_DEADLINE))
        .and_then(|()| stream.set_write_timeout(Some(PROBE_DEADLINE)))
        .expect("timeouts set");
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {api}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body))
        .expect("probe sent");
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .unwrap_or_else(|error| panic!("{method} {path} not answered in time: {error}"));
    let status_line = String::from_utf8_lossy(&answer[..answer.len().min(12)]).into_owned();
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("{method} {path}: bad answer {status_line:?}"))
}

/// A `Vm*` line of `/proc/<pid>/status`, in KiB.
fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|error| panic!("/proc/{pid}/status: {error}"));
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}
