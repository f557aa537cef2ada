//! A tiny OTLP/HTTP receiver for the tests: `POST /v1/traces` decoded with the
//! official schema (`opentelemetry-proto`), plus collectors that never answer or
//! are not there at all.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use tokio::net::TcpListener;

type Received = Arc<Mutex<Vec<ExportTraceServiceRequest>>>;

/// A receiver that accepts every export.
pub(super) struct Receiver {
    pub(super) base_url: String,
    received: Received,
}

impl Receiver {
    pub(super) async fn start() -> Self {
        let received = Received::default();
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .with_state(Arc::clone(&received));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base_url, received }
    }

    /// Every span received, with the `service.name` of its resource.
    pub(super) fn spans(&self) -> Vec<(String, Span)> {
        let received = self.received.lock().expect("not poisoned");
        let mut spans = Vec::new();
        for request in received.iter() {
            for resource_spans in &request.resource_spans {
                let attributes = resource_spans
                    .resource
                    .as_ref()
                    .map(|resource| resource.attributes.as_slice())
                    .unwrap_or_default();
                let service = string_attribute(attributes, "service.name").unwrap_or_default();
                for scope_spans in &resource_spans.scope_spans {
                    for span in &scope_spans.spans {
                        spans.push((service.clone(), span.clone()));
                    }
                }
            }
        }
        spans
    }

    /// `service.version` of the first resource received.
    pub(super) fn service_version(&self) -> Option<String> {
        let received = self.received.lock().expect("not poisoned");
        let resource = received
            .first()?
            .resource_spans
            .first()?
            .resource
            .as_ref()?;
        string_attribute(&resource.attributes, "service.version")
    }
}

async fn receive(State(received): State<Received>, body: Bytes) -> StatusCode {
    match ExportTraceServiceRequest::decode(body) {
        Ok(request) => {
            received.lock().expect("not poisoned").push(request);
            StatusCode::OK
        }
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

/// A collector that accepts connections and never answers: exports time out.
pub(super) async fn silent_collector() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = listener.accept().await {
            held.push(connection);
        }
    });
    base_url
}

/// A base URL where nothing listens: exports are refused.
pub(super) async fn absent_collector() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    format!("http://{}", listener.local_addr().expect("address"))
}

pub(super) fn string_attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    match attribute(attributes, key)? {
        any_value::Value::StringValue(value) => Some(value),
        _ => None,
    }
}

pub(super) fn int_attribute(attributes: &[KeyValue], key: &str) -> Option<i64> {
    match attribute(attributes, key)? {
        any_value::Value::IntValue(value) => Some(value),
        _ => None,
    }
}

fn attribute(attributes: &[KeyValue], key: &str) -> Option<any_value::Value> {
    attributes
        .iter()
        .find(|attribute| attribute.key == key)?
        .value
        .as_ref()?
        .value
        .clone()
}
