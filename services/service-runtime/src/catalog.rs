//! The metric contract of lookout in one place: every metric name, label name and
//! fixed label value that the services export and that `rules/`, `dashboards/` and
//! the docs rely on. Code never spells these strings anywhere else.

/// Counter of finished HTTP requests.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// Histogram of HTTP request durations, in seconds.
pub const HTTP_REQUEST_DURATION_SECONDS: &str = "http_request_duration_seconds";
/// Counter of connection-level failures: requests hyper refuses by itself, clients
/// too slow for the timeouts, connections over the cap, failed accepts.
pub const HTTP_CONNECTION_ERRORS_TOTAL: &str = "http_connection_errors_total";
/// Counter of outbound HTTP calls to a peer service (client side of an edge).
pub const HTTP_CLIENT_REQUESTS_TOTAL: &str = "http_client_requests_total";
/// Histogram of outbound HTTP call durations per peer, in seconds.
pub const HTTP_CLIENT_REQUEST_DURATION_SECONDS: &str = "http_client_request_duration_seconds";
/// Counter of business operations by outcome.
pub const BUSINESS_OPERATIONS_TOTAL: &str = "business_operations_total";
/// Counter of application errors (user-service).
pub const APPLICATION_ERRORS_TOTAL: &str = "application_errors_total";
/// Gauge: users whose `active` flag is set (the exercise's `active_users_total`).
pub const ACTIVE_USERS: &str = "active_users";
/// Gauge: orders whose status is `active` or `pending` (the exercise's `active_orders_total`).
pub const ACTIVE_ORDERS: &str = "active_orders";
/// Counter: user plus system CPU time of the process, in seconds.
pub const PROCESS_CPU_SECONDS_TOTAL: &str = "process_cpu_seconds_total";
/// Gauge: resident memory of the process, in bytes.
pub const PROCESS_RESIDENT_MEMORY_BYTES: &str = "process_resident_memory_bytes";
/// Gauge: virtual memory of the process, in bytes.
pub const PROCESS_VIRTUAL_MEMORY_BYTES: &str = "process_virtual_memory_bytes";
/// Gauge: open file descriptors of the process.
pub const PROCESS_OPEN_FDS: &str = "process_open_fds";
/// Gauge: the process's limit on open file descriptors.
pub const PROCESS_MAX_FDS: &str = "process_max_fds";
/// Gauge: start time of the process, in seconds since the Unix epoch.
pub const PROCESS_START_TIME_SECONDS: &str = "process_start_time_seconds";
/// Gauge fixed at 1 whose labels carry the service name and version.
pub const LOOKOUT_BUILD_INFO: &str = "lookout_build_info";
/// Counter of Alertmanager webhook notifications received by the alert receiver.
pub const ALERT_RECEIVER_NOTIFICATIONS_TOTAL: &str = "alert_receiver_notifications_total";
/// Counter of alerts carried by those notifications.
pub const ALERT_RECEIVER_ALERTS_TOTAL: &str = "alert_receiver_alerts_total";
/// Counter of finished spans lost: export queue full, or their export failed.
pub const OTEL_SPANS_DROPPED_TOTAL: &str = "otel_spans_dropped_total";
/// Counter of spans the OTLP collector accepted.
pub const OTEL_SPANS_EXPORTED_TOTAL: &str = "otel_spans_exported_total";

/// Label: kind of connection error (see `server::conn_errors::KINDS`).
pub const LABEL_KIND: &str = "kind";
/// Label: HTTP method, normalised (see [`HTTP_METHODS`] and [`METHOD_OTHER`]).
pub const LABEL_METHOD: &str = "method";
/// Label: matched route template, or [`ROUTE_UNMATCHED`].
pub const LABEL_ROUTE: &str = "route";
/// Label: HTTP status code as a number (`"200"`).
pub const LABEL_STATUS_CODE: &str = "status_code";
/// Label: business operation (see the `OP_*` constants).
pub const LABEL_OPERATION: &str = "operation";
/// Label: outcome of an operation or notification.
pub const LABEL_STATUS: &str = "status";
/// Label: service that raised an application error or exports build info.
pub const LABEL_SERVICE: &str = "service";
/// Label: kind of application error (see the `ERROR_*` constants).
pub const LABEL_TYPE: &str = "type";
/// Label: version of the binary.
pub const LABEL_VERSION: &str = "version";
/// Label: Alertmanager receiver name of a notification.
pub const LABEL_RECEIVER: &str = "receiver";
/// Label: the called service's configured name (`user-service`), never taken from a
/// URL, so a peer's address cannot add series.
pub const LABEL_PEER: &str = "peer";
/// Label: alert name (capped by the alert receiver, overflow becomes `other`).
pub const LABEL_ALERTNAME: &str = "alertname";

/// Methods kept as they are in the `method` label.
pub const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];
/// `method` value for every other method, so odd methods cannot add series.
pub const METHOD_OTHER: &str = "OTHER";
/// `route` value of every request that matches no route.
pub const ROUTE_UNMATCHED: &str = "unmatched";

/// `status_code` of an outbound call that got no usable answer: refused, reset, or
/// an answer body over the caller's bound.
pub const STATUS_CODE_ERROR: &str = "error";
/// `status_code` of an outbound call that got no complete answer within its deadline.
pub const STATUS_CODE_TIMEOUT: &str = "timeout";

/// Upper bounds of the `http_request_duration_seconds` buckets (and of
/// `http_client_request_duration_seconds`, so both sides of an edge compare). 0.5 is the
/// HighResponseTime threshold, so it must stay a boundary.
pub const HTTP_DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Operation: `GET /users`.
pub const OP_GET_USERS: &str = "get_users";
/// Operation: `GET /users/{id}`.
pub const OP_GET_USER: &str = "get_user";
/// Operation: `POST /users`.
pub const OP_CREATE_USER: &str = "create_user";
/// Operation: `GET /orders`.
pub const OP_GET_ORDERS: &str = "get_orders";
/// Operation: `GET /orders/{id}`.
pub const OP_GET_ORDER: &str = "get_order";
/// Operation: `POST /orders`.
pub const OP_CREATE_ORDER: &str = "create_order";

/// Operation status: it succeeded.
pub const STATUS_SUCCESS: &str = "success";
/// Operation status: the requested item does not exist.
pub const STATUS_NOT_FOUND: &str = "not_found";
/// Operation status: it failed (server error, invalid input or full store).
pub const STATUS_ERROR: &str = "error";

/// Application error type: an unknown id was requested.
pub const ERROR_NOT_FOUND: &str = "not_found";
/// Application error type: the (simulated) database failed.
pub const ERROR_SERVER_ERROR: &str = "server_error";
/// Application error type: the request body was rejected.
pub const ERROR_VALIDATION: &str = "validation_error";
/// Application error type: the bounded in-memory store is full.
pub const ERROR_CAPACITY_EXCEEDED: &str = "capacity_exceeded";

/// Prometheus metric type of a catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Monotonic counter (name ends in `_total`).
    Counter,
    /// Value that goes up and down.
    Gauge,
    /// Histogram (`_bucket`, `_sum`, `_count` series).
    Histogram,
}

impl MetricKind {
    /// The word Prometheus uses in `# TYPE` lines.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
        }
    }
}

/// One metric of the catalog: what dashboards, rules and docs may rely on.
#[derive(Debug, Clone, Copy)]
pub struct MetricSpec {
    /// Metric name as exported.
    pub name: &'static str,
    /// Prometheus type.
    pub kind: MetricKind,
    /// Label names, without `job`/`instance` (Prometheus adds those at scrape time).
    pub labels: &'static [&'static str],
    /// HELP text.
    pub help: &'static str,
}

/// Every metric exported by lookout's services, with its HELP text.
pub const METRICS: &[MetricSpec] = &[
    MetricSpec {
        name: HTTP_REQUESTS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_METHOD, LABEL_ROUTE, LABEL_STATUS_CODE],
        help: "HTTP requests answered, by method, matched route template and status code.",
    },
    MetricSpec {
        name: HTTP_REQUEST_DURATION_SECONDS,
        kind: MetricKind::Histogram,
        labels: &[LABEL_METHOD, LABEL_ROUTE],
        help: "Time from receiving an HTTP request to producing its response, in seconds.",
    },
    MetricSpec {
        name: HTTP_CONNECTION_ERRORS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_KIND],
        help: "Connections ended by a client error before or around the handler, by kind (header_timeout, body_timeout, malformed, too_large, incomplete, other, over_capacity, accept_failed).",
    },
    MetricSpec {
        name: HTTP_CLIENT_REQUESTS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_PEER, LABEL_METHOD, LABEL_STATUS_CODE],
        help: "Outbound HTTP calls to a peer service, by peer, method and status code (error: no usable answer; timeout: none in time).",
    },
    MetricSpec {
        name: HTTP_CLIENT_REQUEST_DURATION_SECONDS,
        kind: MetricKind::Histogram,
        labels: &[LABEL_PEER],
        help: "Time from sending an outbound HTTP call to a peer service to its complete answer or failure, in seconds.",
    },
    MetricSpec {
        name: BUSINESS_OPERATIONS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_OPERATION, LABEL_STATUS],
        help: "Business operations performed, by operation and outcome (success, not_found, error).",
    },
    MetricSpec {
        name: APPLICATION_ERRORS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_SERVICE, LABEL_TYPE],
        help: "Application errors, by service and type (not_found, server_error, validation_error, capacity_exceeded).",
    },
    MetricSpec {
        name: ACTIVE_USERS,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Users whose active flag is set.",
    },
    MetricSpec {
        name: ACTIVE_ORDERS,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Orders whose status is active or pending.",
    },
    MetricSpec {
        name: PROCESS_CPU_SECONDS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[],
        help: "Total user and system CPU time spent by the process, in seconds.",
    },
    MetricSpec {
        name: PROCESS_RESIDENT_MEMORY_BYTES,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Resident memory size of the process, in bytes.",
    },
    MetricSpec {
        name: PROCESS_VIRTUAL_MEMORY_BYTES,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Virtual memory size of the process, in bytes.",
    },
    MetricSpec {
        name: PROCESS_OPEN_FDS,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Number of open file descriptors of the process.",
    },
    MetricSpec {
        name: PROCESS_MAX_FDS,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Maximum number of open file descriptors of the process.",
    },
    MetricSpec {
        name: PROCESS_START_TIME_SECONDS,
        kind: MetricKind::Gauge,
        labels: &[],
        help: "Start time of the process since the Unix epoch, in seconds.",
    },
    MetricSpec {
        name: LOOKOUT_BUILD_INFO,
        kind: MetricKind::Gauge,
        labels: &[LABEL_SERVICE, LABEL_VERSION],
        help: "Always 1; the labels give the service name and its version.",
    },
    MetricSpec {
        name: ALERT_RECEIVER_NOTIFICATIONS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_RECEIVER, LABEL_STATUS],
        help: "Alertmanager webhook notifications received, by receiver and status (firing, resolved).",
    },
    MetricSpec {
        name: ALERT_RECEIVER_ALERTS_TOTAL,
        kind: MetricKind::Counter,
        labels: &[LABEL_ALERTNAME, LABEL_STATUS],
        help: "Alerts carried by received notifications, by alert name (capped, overflow is other) and status.",
    },
    MetricSpec {
        name: OTEL_SPANS_DROPPED_TOTAL,
        kind: MetricKind::Counter,
        labels: &[],
        help: "Finished trace spans lost: the export queue was full or their OTLP export failed or timed out.",
    },
    MetricSpec {
        name: OTEL_SPANS_EXPORTED_TOTAL,
        kind: MetricKind::Counter,
        labels: &[],
        help: "Trace spans accepted by the OTLP collector.",
    },
];

/// The catalog entry of `name`, if lookout exports such a metric.
pub fn spec(name: &str) -> Option<&'static MetricSpec> {
    METRICS.iter().find(|spec| spec.name == name)
}

#[cfg(test)]
mod tests;
