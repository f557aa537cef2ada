//! Peers for order-service's user check, run inside the test process: the real
//! user-service (its library's router, real store and fault injection) and raw
//! sockets for peers no real service would be (silent, answering nonsense).

// Each test crate uses a subset of these peers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, OnceLock};

use clap::Parser;
use service_runtime::faults::Faults;
use service_runtime::metrics::MetricsHandle;

/// The Prometheus recorder of the test process, serving the in-process user-service.
fn recorder() -> MetricsHandle {
    static HANDLE: OnceLock<MetricsHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            service_runtime::metrics::install(user_service::SERVICE).expect("the recorder installs")
        })
        .clone()
}

/// The real user-service on a free loopback port, served by its own runtime on a
/// background thread until the test process ends.
pub(crate) struct UserService {
    /// Its API address.
    pub(crate) addr: SocketAddr,
    /// Its fault injection (latency, errors) for this test.
    pub(crate) faults: Faults,
}

impl UserService {
    pub(crate) fn start() -> Self {
        let config =
            user_service::Config::parse_from(["user-service", "--simulated-latency", "false"]);
        let state = user_service::AppState::new(&config);
        let faults = state.faults.clone();
        let app = user_service::app(state, recorder());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("address");
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                axum::serve(listener, app).await
            })
        });
        Self { addr, faults }
    }
}

/// A peer that accepts connections and never answers.
pub(crate) fn silent() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().map_while(Result::ok).collect();
        drop(held);
    });
    addr
}

/// A peer answering every request with `response` (raw HTTP), then closing.
pub(crate) fn answering(response: String) -> SocketAddr {
    recording(response).0
}

/// [`answering`], also keeping the head of every request it got.
pub(crate) fn recording(response: String) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let heads = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&heads);
    std::thread::spawn(move || {
        for mut socket in listener.incoming().map_while(Result::ok) {
            // A GET from order-service is one small segment.
            let mut request = [0; 4096];
            if let Ok(read) = socket.read(&mut request) {
                let head = String::from_utf8_lossy(&request[..read]).into_owned();
                kept.lock().expect("not poisoned").push(head);
                let _ = socket.write_all(response.as_bytes());
            }
        }
    });
    (addr, heads)
}

/// An address nothing listens on.
pub(crate) fn refused() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}
