//! The sink's bounded span store and the spans it hands out, each with its
//! resource's attributes (`service.name`, `service.version`).

use std::collections::VecDeque;
use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;

/// One span as received, with the attributes of the resource that sent it.
#[derive(Debug, Clone)]
pub struct ReceivedSpan {
    /// The resource's attributes (shared by every span of one export).
    pub resource: Arc<Vec<KeyValue>>,
    /// The span, as decoded.
    pub span: Span,
}

impl ReceivedSpan {
    /// A resource attribute's string value (`service.name`, `service.version`).
    pub fn resource_string(&self, key: &str) -> Option<&str> {
        string_of(find(&self.resource, key)?)
    }

    /// The resource's `service.name`, or `?` when it has none.
    pub fn service_name(&self) -> &str {
        self.resource_string("service.name").unwrap_or("?")
    }

    /// A span attribute's string value.
    pub fn string_attribute(&self, key: &str) -> Option<&str> {
        string_of(find(&self.span.attributes, key)?)
    }

    /// A span attribute's integer value.
    pub fn int_attribute(&self, key: &str) -> Option<i64> {
        match find(&self.span.attributes, key)?.value.as_ref()? {
            Value::IntValue(value) => Some(*value),
            _ => None,
        }
    }

    /// The span's kind (`Unspecified` for a value the schema does not know).
    pub fn kind(&self) -> SpanKind {
        SpanKind::try_from(self.span.kind).unwrap_or(SpanKind::Unspecified)
    }

    /// Whether the span has no parent (the root of its trace).
    pub fn is_root(&self) -> bool {
        self.span.parent_span_id.is_empty()
    }

    /// `service name, kind, span name, id`: how failures name a span.
    pub fn describe(&self) -> String {
        format!(
            "{} {} {:?} span {}",
            self.service_name(),
            self.kind().as_str_name(),
            self.span.name,
            hex(&self.span.span_id)
        )
    }
}

/// Lower-case hexadecimal, as trace and span ids are written in `traceparent`
/// and in the services' log lines.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn find<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
    attributes
        .iter()
        .find(|attribute| attribute.key == key)?
        .value
        .as_ref()
}

fn string_of(value: &AnyValue) -> Option<&str> {
    match value.value.as_ref()? {
        Value::StringValue(text) => Some(text),
        _ => None,
    }
}

/// What the sink has seen, for tests and failure messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkStats {
    /// Export requests decoded and stored.
    pub requests: u64,
    /// Spans received in them.
    pub spans: u64,
    /// Oldest spans evicted because the store was full.
    pub evicted: u64,
    /// Requests refused (wrong content type, undecodable or too large body).
    pub rejected: u64,
}

/// The newest `capacity` spans; older ones are evicted and counted, so memory
/// stays bounded however long the stack runs.
#[derive(Debug)]
pub(super) struct SpanStore {
    capacity: usize,
    spans: VecDeque<ReceivedSpan>,
    pub(super) stats: SinkStats,
}

impl SpanStore {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            spans: VecDeque::new(),
            stats: SinkStats::default(),
        }
    }

    /// Stores every span of one export request.
    pub(super) fn add(&mut self, request: ExportTraceServiceRequest) {
        self.stats.requests += 1;
        for resource_spans in request.resource_spans {
            let resource = Arc::new(
                resource_spans
                    .resource
                    .map(|resource| resource.attributes)
                    .unwrap_or_default(),
            );
            for span in resource_spans
                .scope_spans
                .into_iter()
                .flat_map(|scope| scope.spans)
            {
                self.stats.spans += 1;
                if self.spans.len() == self.capacity {
                    self.spans.pop_front();
                    self.stats.evicted += 1;
                }
                self.spans.push_back(ReceivedSpan {
                    resource: Arc::clone(&resource),
                    span,
                });
            }
        }
    }

    /// The stored spans `keep` selects, oldest first.
    pub(super) fn select(&self, keep: impl Fn(&ReceivedSpan) -> bool) -> Vec<ReceivedSpan> {
        self.spans
            .iter()
            .filter(|span| keep(span))
            .cloned()
            .collect()
    }
}
