//! The exporter's memory bound with the collector down: user-service with tracing
//! off, and with tracing on at ratio 1.0 (every span queued) exporting to a
//! collector that accepts connections and never answers (the worst case: each
//! export waits its whole 5 s deadline while spans keep ending) and to one that
//! refuses them, loaded in turn by wrk for the given minutes. Prints VmRSS once a
//! minute and the spans dropped; figures, not a pass/fail test.

use std::io::Read;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::WARM_UP;
use super::server::{Server, rss_kib, start};
use super::tracing::{counter_value, scrape};
use super::wrk::{CONNECTIONS, THREADS, wrk};

/// Load per server per turn; the servers take turns within each minute.
const TURN: Duration = Duration::from_secs(15);
/// Connections the stalled collector holds at once; later ones are closed at once
/// (the exporter sends one batch at a time, so it never needs more than a few).
const MAX_STALLED: usize = 64;

/// Runs the soak for `minutes` and prints the table.
pub(super) fn run(binary: &Path, minutes: u64) -> anyhow::Result<()> {
    let stalled = StalledCollector::start()?;
    let refused = closed_port()?;
    let traced = |endpoint: String| {
        vec![
            "--otlp-endpoint".to_owned(),
            endpoint,
            "--trace-sample-ratio".to_owned(),
            "1.0".to_owned(),
        ]
    };
    let servers = [
        ("off", start("user-service", binary, &[])?),
        (
            "collector stalled",
            start("user-service", binary, &traced(stalled.endpoint()))?,
        ),
        (
            "collector refused",
            start(
                "user-service",
                binary,
                &traced(format!("http://127.0.0.1:{refused}")),
            )?,
        ),
    ];
    println!(
        "\ncollector down: user-service GET /users/1 under wrk -t{THREADS} -c{CONNECTIONS}, \
         {}s turns each, for {minutes} min; tracing on = ratio 1.0\n",
        TURN.as_secs()
    );
    print!("{:>6}", "minute");
    for (label, _) in &servers {
        print!(" {:>22}", format!("{label} RSS MiB"));
    }
    println!(" {:>16} {:>16}", "dropped stalled", "dropped refused");
    let mut peaks = [0_u64; 3];
    let started = Instant::now();
    let mut minute = 0;
    let mut requests = [0.0_f64; 3];
    while started.elapsed() < Duration::from_secs(minutes * 60) {
        for (index, (_, server)) in servers.iter().enumerate() {
            let url = format!("http://{}/users/1", server.addr);
            wrk(&url, WARM_UP)?;
            let load = wrk(&url, &format!("{}s", TURN.as_secs()))?;
            requests[index] += load.requests_per_second * TURN.as_secs_f64();
        }
        if started.elapsed() >= Duration::from_secs((minute + 1) * 60) {
            minute = started.elapsed().as_secs() / 60;
            print!("{minute:>6}");
            for (index, (_, server)) in servers.iter().enumerate() {
                let rss = rss_kib(server.child.id())?;
                peaks[index] = peaks[index].max(rss);
                print!(" {:>22.1}", rss as f64 / 1024.0);
            }
            println!(
                " {:>16} {:>16}",
                dropped(&servers[1].1),
                dropped(&servers[2].1)
            );
        }
    }
    println!(
        "peak RSS MiB: off {:.1}, stalled {:.1} ({:.2}× off), refused {:.1} ({:.2}× off); \
         requests served: {:.0}, {:.0}, {:.0}; stalled collector held at most {} connections",
        peaks[0] as f64 / 1024.0,
        peaks[1] as f64 / 1024.0,
        peaks[1] as f64 / peaks[0].max(1) as f64,
        peaks[2] as f64 / 1024.0,
        peaks[2] as f64 / peaks[0].max(1) as f64,
        requests[0],
        requests[1],
        requests[2],
        stalled.most_open.load(Ordering::Relaxed),
    );
    Ok(())
}

fn dropped(server: &Server) -> String {
    scrape(server.addr)
        .ok()
        .and_then(|text| counter_value(&text, "otel_spans_dropped_total"))
        .map_or_else(|| "n/a".to_owned(), |value| format!("{value:.0}"))
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A collector that reads what it is sent and never answers.
struct StalledCollector {
    addr: SocketAddr,
    most_open: Arc<AtomicUsize>,
}

impl StalledCollector {
    fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let open = Arc::new(AtomicUsize::new(0));
        let most_open = Arc::new(AtomicUsize::new(0));
        let (open_count, most) = (Arc::clone(&open), Arc::clone(&most_open));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let now = open_count.fetch_add(1, Ordering::Relaxed) + 1;
                most.fetch_max(now, Ordering::Relaxed);
                if now > MAX_STALLED {
                    let _ = stream.shutdown(Shutdown::Both);
                    open_count.fetch_sub(1, Ordering::Relaxed);
                    continue;
                }
                let open_count = Arc::clone(&open_count);
                std::thread::spawn(move || {
                    swallow(stream);
                    open_count.fetch_sub(1, Ordering::Relaxed);
                });
            }
        });
        Ok(Self { addr, most_open })
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Reads into one fixed buffer until the client gives up (EOF or error).
fn swallow(mut stream: TcpStream) {
    let mut buffer = [0_u8; 64 * 1024];
    while matches!(stream.read(&mut buffer), Ok(read) if read > 0) {}
}
