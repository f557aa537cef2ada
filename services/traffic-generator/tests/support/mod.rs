//! An in-test stand-in for user-service or order-service: answers the exercise's
//! routes with the exercise's statuses (or a fixed status for creates) and records
//! every request it gets, so tests can count exactly what the generator sent.

#![allow(dead_code, unreachable_pub)]

pub mod streaming;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::get;
use tokio::sync::watch;

use traffic_generator::mix::Shares;
use traffic_generator::requester::{BaseUrl, Targets};
use traffic_generator::runner::Plan;

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// `GET`, `POST`.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Request body as text.
    pub body: String,
    /// `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// `traceparent` header, if any.
    pub traceparent: Option<String>,
}

#[derive(Clone)]
struct Recorder {
    hits: Arc<Mutex<Vec<Hit>>>,
    count: Arc<watch::Sender<usize>>,
    create_status: StatusCode,
}

/// A running recording server.
pub struct RecordingServer {
    /// Where it listens.
    pub addr: SocketAddr,
    recorder: Recorder,
}

impl RecordingServer {
    /// Starts a server for `resource` (`users` or `orders`) on a free port; creates
    /// answer `create_status` (201 like the real services, or 507 for a full store).
    pub async fn start(resource: &str, create_status: StatusCode) -> Self {
        let recorder = Recorder {
            hits: Arc::default(),
            count: Arc::new(watch::channel(0).0),
            create_status,
        };
        let app = Router::new()
            .route(&format!("/{resource}"), get(list).post(create))
            .route(&format!("/{resource}/{{id}}"), get(one))
            .with_state(recorder.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a free port");
        let addr = listener.local_addr().expect("bound address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, recorder }
    }

    /// The server's base URL.
    pub fn url(&self) -> BaseUrl {
        format!("http://{}", self.addr).parse().expect("valid URL")
    }

    /// Every request so far, in arrival order.
    pub fn hits(&self) -> Vec<Hit> {
        self.recorder.hits.lock().expect("not poisoned").clone()
    }

    /// Request counts by `"METHOD /path"`.
    pub fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for hit in self.hits() {
            *counts
                .entry(format!("{} {}", hit.method, hit.path))
                .or_default() += 1;
        }
        counts
    }

    /// Waits until at least `n` requests have arrived.
    pub async fn wait_for_hits(&self, n: usize) {
        let mut receiver = self.recorder.count.subscribe();
        receiver
            .wait_for(|count| *count >= n)
            .await
            .expect("server alive");
    }
}

fn record(recorder: &Recorder, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) {
    recorder.hits.lock().expect("not poisoned").push(Hit {
        method: method.to_string(),
        path: uri.path().to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
        content_type: header(headers, "content-type"),
        traceparent: header(headers, "traceparent"),
    });
    recorder.count.send_modify(|count| *count += 1);
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

async fn list(
    State(recorder): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> StatusCode {
    record(&recorder, &method, &uri, &headers, &Bytes::new());
    StatusCode::OK
}

async fn one(
    State(recorder): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> StatusCode {
    record(&recorder, &method, &uri, &headers, &Bytes::new());
    match id.as_str() {
        "500" => StatusCode::INTERNAL_SERVER_ERROR,
        "1" | "2" | "3" => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

async fn create(
    State(recorder): State<Recorder>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    record(&recorder, &method, &uri, &headers, &body);
    recorder.create_status
}

/// A plan against `users` and `orders` with the given rate, duration and shares.
pub fn plan(
    users: BaseUrl,
    orders: BaseUrl,
    rate: f64,
    duration: Option<std::time::Duration>,
    shares: Shares,
) -> Plan {
    Plan {
        targets: Targets { users, orders },
        rate,
        duration,
        shares,
        concurrency: 16,
        timeout: std::time::Duration::from_secs(5),
        report_interval: std::time::Duration::from_secs(60),
        max_body_bytes: traffic_generator::config::DEFAULT_MAX_BODY_BYTES,
    }
}
