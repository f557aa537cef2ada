//! The command lines of the stack's processes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::configs::RenderedConfigs;
use super::durations::go_duration;
use super::tracing::{TRACING_ENV, traced_request_logs, tracing_flags};
use super::{StackOptions, names};
use crate::supervisor::ProcessSpec;
use crate::tools::{Tool, locate_tool, lookout_binary};

/// The environment variables that would override the binaries' default (loopback)
/// listen addresses; removed from their environment so the defaults are what runs.
const LISTEN_ADDRESS_ENV: &str = "LOOKOUT_LISTEN_ADDRESS";
const ADMIN_LISTEN_ADDRESS_ENV: &str = "LOOKOUT_ADMIN_LISTEN_ADDRESS";
/// The variable that would point order-service at a user-service of its own.
const USER_SERVICE_URL_ENV: &str = "LOOKOUT_USER_SERVICE_URL";

/// One of the two instrumented services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceName {
    /// user-service.
    User,
    /// order-service.
    Order,
}

impl ServiceName {
    /// The binary, supervisor and Prometheus job name.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceName::User => names::USER_SERVICE,
            ServiceName::Order => names::ORDER_SERVICE,
        }
    }
}

/// Paths of every program, found before anything starts so that a missing one
/// fails at once with what to install.
pub(super) struct Programs {
    user_service: PathBuf,
    order_service: PathBuf,
    alert_receiver: PathBuf,
    traffic_generator: Option<PathBuf>,
    node_exporter: PathBuf,
    alertmanager: PathBuf,
    prometheus: PathBuf,
    /// Grafana when requested and found; its absence is not an error.
    pub(super) grafana: Option<PathBuf>,
}

impl Programs {
    pub(super) fn locate(options: &StackOptions) -> Result<Self> {
        Ok(Self {
            user_service: lookout_binary(names::USER_SERVICE)?,
            order_service: lookout_binary(names::ORDER_SERVICE)?,
            alert_receiver: lookout_binary(names::ALERT_RECEIVER)?,
            traffic_generator: if options.traffic_generator {
                Some(lookout_binary(names::TRAFFIC_GENERATOR)?)
            } else {
                None
            },
            node_exporter: locate_tool(Tool::NodeExporter)?,
            alertmanager: locate_tool(Tool::Alertmanager)?,
            prometheus: locate_tool(Tool::Prometheus)?,
            grafana: if options.grafana {
                locate_tool(Tool::Grafana).ok()
            } else {
                None
            },
        })
    }
}

/// Everything Prometheus scrapes: the services, the receiver and node exporter.
/// The services export their spans to `otlp_endpoint` when one is given.
pub(super) fn targets(
    programs: &Programs,
    options: &StackOptions,
    dir: &Path,
    otlp_endpoint: Option<&str>,
) -> Result<Vec<ProcessSpec>> {
    let ports = &options.ports;
    let receiver_dir = dir.join("alert-receiver");
    std::fs::create_dir_all(&receiver_dir)
        .with_context(|| format!("creating {}", receiver_dir.display()))?;
    let service = |name: &str, program: &Path, port: u16, admin_port: u16| {
        let mut spec = ProcessSpec::new(
            name,
            program.to_path_buf(),
            // Ports only: the listen addresses are the binaries' own loopback
            // defaults, which the end-to-end test checks in the kernel's socket table.
            vec![
                "--port".into(),
                port.to_string(),
                "--admin-port".into(),
                admin_port.to_string(),
                "--simulated-latency".into(),
                options.simulated_latency.to_string(),
            ],
        );
        spec.args.extend(tracing_flags(otlp_endpoint));
        if otlp_endpoint.is_some() {
            spec.args.extend(traced_request_logs());
        }
        spec.env_remove = [
            LISTEN_ADDRESS_ENV,
            ADMIN_LISTEN_ADDRESS_ENV,
            USER_SERVICE_URL_ENV,
        ]
        .into_iter()
        .chain(TRACING_ENV)
        .map(String::from)
        .collect();
        spec
    };
    let mut order_service = service(
        names::ORDER_SERVICE,
        &programs.order_service,
        ports.order_service,
        ports.order_service_admin,
    );
    if options.user_service_edge {
        // The cross-service hop: each order's user is checked against our
        // user-service, so one trace and one edge (order-service -> user-service)
        // span both services.
        order_service.args.extend([
            "--user-service-url".into(),
            format!("http://127.0.0.1:{}", ports.user_service),
        ]);
    }
    let mut receiver = ProcessSpec::new(
        names::ALERT_RECEIVER,
        programs.alert_receiver.clone(),
        // As for the services: the default listen address is under test.
        vec![
            "--port".into(),
            ports.alert_receiver.to_string(),
            "--store-file".into(),
            receiver_dir
                .join("notifications.jsonl")
                .display()
                .to_string(),
        ],
    );
    receiver.env_remove = std::iter::once(LISTEN_ADDRESS_ENV)
        .chain(TRACING_ENV)
        .map(String::from)
        .collect();
    Ok(vec![
        service(
            names::USER_SERVICE,
            &programs.user_service,
            ports.user_service,
            ports.user_service_admin,
        ),
        order_service,
        receiver,
        ProcessSpec::new(
            names::NODE_EXPORTER,
            programs.node_exporter.clone(),
            vec![
                format!("--web.listen-address=127.0.0.1:{}", ports.node_exporter),
                // Off: it needs systemd's D-Bus socket, absent in containers and CI,
                // and logs an error every scrape; no dashboard uses its metrics.
                "--no-collector.systemd".into(),
            ],
        ),
    ])
}

/// Alertmanager as a single instance (clustering off) with its own storage.
pub(super) fn alertmanager(
    programs: &Programs,
    options: &StackOptions,
    dir: &Path,
    configs: &RenderedConfigs,
) -> ProcessSpec {
    let port = options.ports.alertmanager;
    ProcessSpec::new(
        names::ALERTMANAGER,
        programs.alertmanager.clone(),
        vec![
            format!("--config.file={}", configs.alertmanager_file.display()),
            format!("--storage.path={}", dir.join("alertmanager-data").display()),
            format!("--web.listen-address=127.0.0.1:{port}"),
            format!("--web.external-url=http://127.0.0.1:{port}/"),
            // An empty address turns clustering (gossip on port 9094) off.
            "--cluster.listen-address=".into(),
        ],
    )
}

/// Prometheus with the rendered config and the repository's rule files.
pub(super) fn prometheus(
    programs: &Programs,
    options: &StackOptions,
    dir: &Path,
    configs: &RenderedConfigs,
) -> ProcessSpec {
    let port = options.ports.prometheus;
    ProcessSpec::new(
        names::PROMETHEUS,
        programs.prometheus.clone(),
        vec![
            format!("--config.file={}", configs.prometheus_file.display()),
            format!(
                "--storage.tsdb.path={}",
                dir.join("prometheus-data").display()
            ),
            format!("--web.listen-address=127.0.0.1:{port}"),
            format!("--web.external-url=http://127.0.0.1:{port}/"),
            format!(
                "--rules.alert.resend-delay={}",
                go_duration(options.resend_delay)
            ),
        ],
    )
}

/// The traffic generator against both services' public ports; its requests
/// start the traces when `otlp_endpoint` is given.
pub(super) fn traffic_generator(
    programs: &Programs,
    options: &StackOptions,
    otlp_endpoint: Option<&str>,
) -> Option<ProcessSpec> {
    let program = programs.traffic_generator.clone()?;
    let ports = &options.ports;
    let mut args = vec![
        "--user-service-url".into(),
        format!("http://127.0.0.1:{}", ports.user_service),
        "--order-service-url".into(),
        format!("http://127.0.0.1:{}", ports.order_service),
    ];
    args.extend(tracing_flags(otlp_endpoint));
    let mut spec = ProcessSpec::new(names::TRAFFIC_GENERATOR, program, args);
    spec.env_remove = TRACING_ENV.map(String::from).to_vec();
    Some(spec)
}
