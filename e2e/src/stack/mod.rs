//! The whole lookout stack on this machine: both services, the alert receiver,
//! node exporter, Alertmanager and Prometheus (and optionally the traffic
//! generator and Grafana), configured by the repository's Nix functions and run
//! under one [`Supervisor`]. Tests use free ports and short intervals; the
//! `lookout-stack` binary uses the well-known ports.

mod configs;
mod durations;
mod grafana;
mod processes;
mod ready;
mod tracing;

pub mod ha;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

pub use configs::{AlertmanagerTimings, RenderedConfigs, rule_files};
pub use durations::parse_go_duration;
pub use grafana::GrafanaStatus;
pub use processes::ServiceName;
pub use tracing::TraceExport;

use crate::clients::alertmanager::AlertmanagerClient;
use crate::clients::faults::FaultClient;
use crate::clients::prometheus::PrometheusClient;
use crate::clients::receiver::ReceiverClient;
use crate::otlp_sink::{DEFAULT_CAPACITY, OtlpSink};
use crate::ports::StackPorts;
use crate::supervisor::Supervisor;

/// Supervisor names of the stack's processes.
pub mod names {
    /// user-service.
    pub const USER_SERVICE: &str = "user-service";
    /// order-service.
    pub const ORDER_SERVICE: &str = "order-service";
    /// The alert receiver.
    pub const ALERT_RECEIVER: &str = "alert-receiver";
    /// The traffic generator.
    pub const TRAFFIC_GENERATOR: &str = "traffic-generator";
    /// Prometheus node exporter.
    pub const NODE_EXPORTER: &str = "node-exporter";
    /// Alertmanager.
    pub const ALERTMANAGER: &str = "alertmanager";
    /// Prometheus.
    pub const PROMETHEUS: &str = "prometheus";
    /// Grafana.
    pub const GRAFANA: &str = "grafana";
}

/// How to run the stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Ports to listen on.
    pub ports: StackPorts,
    /// Prometheus scrape interval.
    pub scrape_interval: Duration,
    /// Prometheus rule evaluation interval.
    pub evaluation_interval: Duration,
    /// How often Prometheus re-sends a still-firing alert to Alertmanager.
    pub resend_delay: Duration,
    /// Alertmanager grouping timings.
    pub alertmanager: AlertmanagerTimings,
    /// Run the traffic generator against both services.
    pub traffic_generator: bool,
    /// Start Grafana when a `grafana` binary is found.
    pub grafana: bool,
    /// Keep the services' simulated latency of the exercise.
    pub simulated_latency: bool,
    /// order-service checks each order's user against user-service
    /// (`--user-service-url`): the edge the tracing, edge-metric and
    /// UpstreamErrors checks follow.
    pub user_service_edge: bool,
    /// Where the services and the traffic generator export their spans.
    pub traces: TraceExport,
    /// Directory for configs, data and logs; a fresh temporary directory if `None`.
    pub work_dir: Option<PathBuf>,
}

impl StackOptions {
    /// Free ports and short intervals, for tests: 1 s scrapes and evaluations,
    /// 1 s group wait, 2 s group interval, 1 s resend delay.
    pub fn for_tests() -> Result<Self> {
        Ok(Self {
            ports: StackPorts::free()?,
            scrape_interval: Duration::from_secs(1),
            evaluation_interval: Duration::from_secs(1),
            resend_delay: Duration::from_secs(1),
            alertmanager: AlertmanagerTimings {
                group_wait: Duration::from_secs(1),
                group_interval: Duration::from_secs(2),
                repeat_interval: Duration::from_secs(3600),
            },
            traffic_generator: true,
            grafana: false,
            simulated_latency: true,
            user_service_edge: true,
            traces: TraceExport::Sink,
            work_dir: None,
        })
    }

    /// The well-known ports of `nix/ports.json` and demo-friendly intervals, for
    /// running the stack by hand.
    pub fn local(repo: &Path) -> Result<Self> {
        Ok(Self {
            ports: StackPorts::well_known(repo)?,
            scrape_interval: Duration::from_secs(5),
            evaluation_interval: Duration::from_secs(5),
            resend_delay: Duration::from_secs(10),
            alertmanager: AlertmanagerTimings {
                group_wait: Duration::from_secs(10),
                group_interval: Duration::from_secs(30),
                repeat_interval: Duration::from_secs(3600),
            },
            traffic_generator: true,
            grafana: true,
            simulated_latency: true,
            user_service_edge: true,
            traces: TraceExport::Off,
            work_dir: None,
        })
    }
}

/// A running stack. Dropping it kills every process it started.
pub struct Stack {
    options: StackOptions,
    repo: PathBuf,
    dir: PathBuf,
    supervisor: Supervisor,
    http: reqwest::Client,
    configs: RenderedConfigs,
    grafana: GrafanaStatus,
    trace_sink: Option<OtlpSink>,
    // Held for its Drop, which removes the directory; `None` when the caller chose
    // it. Last field, so it drops after the supervisor has killed every process.
    temp_dir: Option<tempfile::TempDir>,
}

impl Stack {
    /// Renders the configs and starts every process, each one ready before the next
    /// that depends on it (targets before Prometheus, Alertmanager before Prometheus).
    pub async fn start(repo: &Path, options: StackOptions) -> Result<Self> {
        let (dir, temp) = match &options.work_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                (dir.clone(), None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("lookout-e2e-")
                    .tempdir()
                    .context("creating the stack's temporary directory")?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let programs = processes::Programs::locate(&options)?;
        let configs = configs::render(repo, &dir, &options, programs.grafana.is_some())?;
        let supervisor = Supervisor::new(&dir.join("logs"))?;
        let http = crate::clients::http_client()?;
        let trace_sink = match options.traces {
            TraceExport::Sink => Some(OtlpSink::start(DEFAULT_CAPACITY).await?),
            TraceExport::Off | TraceExport::Endpoint(_) => None,
        };
        let mut stack = Self {
            options,
            repo: repo.to_path_buf(),
            dir,
            supervisor,
            http,
            configs,
            grafana: GrafanaStatus::NotRequested,
            trace_sink,
            temp_dir: temp,
        };
        stack
            .launch(&programs)
            .await
            .map_err(|err| stack.diagnose(&err))?;
        Ok(stack)
    }

    async fn launch(&mut self, programs: &processes::Programs) -> Result<()> {
        let otlp_endpoint = self.otlp_endpoint();
        let otlp_endpoint = otlp_endpoint.as_deref();
        for spec in processes::targets(programs, &self.options, &self.dir, otlp_endpoint)? {
            self.supervisor.start(spec)?;
        }
        for name in [
            names::USER_SERVICE,
            names::ORDER_SERVICE,
            names::ALERT_RECEIVER,
            names::NODE_EXPORTER,
        ] {
            self.wait_ready(name).await?;
        }
        self.supervisor.start(processes::alertmanager(
            programs,
            &self.options,
            &self.dir,
            &self.configs,
        ))?;
        self.wait_ready(names::ALERTMANAGER).await?;
        self.supervisor.start(processes::prometheus(
            programs,
            &self.options,
            &self.dir,
            &self.configs,
        ))?;
        self.wait_ready(names::PROMETHEUS).await?;
        if let Some(spec) = processes::traffic_generator(programs, &self.options, otlp_endpoint) {
            self.supervisor.start(spec)?;
        }
        self.grafana = grafana::start(
            &mut self.supervisor,
            programs.grafana.as_deref(),
            &self.options,
            &self.dir,
            &self.repo,
        )?;
        if matches!(self.grafana, GrafanaStatus::Running { .. }) {
            self.wait_ready(names::GRAFANA).await?;
        }
        Ok(())
    }

    /// The OTLP/HTTP base URL the services export to, if they trace.
    pub fn otlp_endpoint(&self) -> Option<String> {
        match &self.options.traces {
            TraceExport::Off => None,
            TraceExport::Sink => self.trace_sink.as_ref().map(OtlpSink::endpoint),
            TraceExport::Endpoint(url) => Some(url.clone()),
        }
    }

    /// The OTLP sink receiving the services' spans ([`TraceExport::Sink`]).
    pub fn trace_sink(&self) -> Option<&OtlpSink> {
        self.trace_sink.as_ref()
    }

    /// The URL that answers 2xx once `name` is ready.
    pub fn ready_url(&self, name: &str) -> Option<String> {
        let ports = &self.options.ports;
        Some(match name {
            names::USER_SERVICE => format!("http://127.0.0.1:{}/health", ports.user_service),
            names::ORDER_SERVICE => format!("http://127.0.0.1:{}/health", ports.order_service),
            names::ALERT_RECEIVER => format!("http://127.0.0.1:{}/health", ports.alert_receiver),
            names::NODE_EXPORTER => format!("http://127.0.0.1:{}/metrics", ports.node_exporter),
            names::ALERTMANAGER => format!("http://127.0.0.1:{}/-/ready", ports.alertmanager),
            names::PROMETHEUS => format!("http://127.0.0.1:{}/-/ready", ports.prometheus),
            names::GRAFANA => format!("http://127.0.0.1:{}/api/health", ports.grafana),
            _ => return None,
        })
    }

    /// Waits until `name` answers its readiness URL; fails at once, with its log
    /// tail, if it exits first.
    pub async fn wait_ready(&mut self, name: &str) -> Result<()> {
        let url = self
            .ready_url(name)
            .with_context(|| format!("{name} has no readiness URL"))?;
        ready::wait_ready(&mut self.supervisor, &self.http, name, url).await
    }

    /// Kills a process at once (SIGKILL), as a crash would.
    pub async fn kill(&mut self, name: &str) -> Result<()> {
        self.supervisor.kill(name).await
    }

    /// Stops a process gracefully (SIGTERM, then SIGKILL after a grace period).
    pub async fn stop(&mut self, name: &str) -> Result<()> {
        self.supervisor.stop(name).await
    }

    /// Starts a stopped process again with the same flags and waits until it is ready.
    pub async fn restart(&mut self, name: &str) -> Result<()> {
        self.supervisor.restart(name)?;
        if self.ready_url(name).is_some() {
            self.wait_ready(name).await?;
        }
        Ok(())
    }

    /// Stops every process in dependency order (traffic first, Prometheus before
    /// its targets) so that shutdown does not itself fire alerts.
    pub async fn shutdown(&mut self) {
        self.supervisor
            .stop_all(&[
                names::TRAFFIC_GENERATOR,
                names::GRAFANA,
                names::PROMETHEUS,
                names::ALERTMANAGER,
            ])
            .await;
    }

    /// Adds what helps debugging a failure to `err`, after its own message:
    /// processes that died and the last lines of every log.
    pub fn diagnose(&mut self, err: &anyhow::Error) -> anyhow::Error {
        self.supervisor.diagnose(err)
    }

    /// Keeps the work directory (configs, data, logs) after the stack is dropped,
    /// for a post-mortem of a failed test; returns its path.
    pub fn keep_dir(&mut self) -> &Path {
        if let Some(temp) = self.temp_dir.as_mut() {
            temp.disable_cleanup(true);
        }
        &self.dir
    }

    /// The options the stack runs with.
    pub fn options(&self) -> &StackOptions {
        &self.options
    }

    /// Its ports.
    pub fn ports(&self) -> &StackPorts {
        &self.options.ports
    }

    /// Directory holding configs, data and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The repository the configs and rules come from.
    pub fn repo(&self) -> &Path {
        &self.repo
    }

    /// The rendered configs.
    pub fn configs(&self) -> &RenderedConfigs {
        &self.configs
    }

    /// Whether Grafana runs, and why not.
    pub fn grafana(&self) -> &GrafanaStatus {
        &self.grafana
    }

    /// The supervisor (logs, liveness).
    pub fn supervisor(&mut self) -> &mut Supervisor {
        &mut self.supervisor
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Prometheus API client.
    pub fn prometheus(&self) -> PrometheusClient {
        PrometheusClient::new(
            self.http.clone(),
            &format!("http://127.0.0.1:{}", self.options.ports.prometheus),
        )
    }

    /// Alertmanager API client.
    pub fn alertmanager(&self) -> AlertmanagerClient {
        AlertmanagerClient::new(
            self.http.clone(),
            &format!("http://127.0.0.1:{}", self.options.ports.alertmanager),
        )
    }

    /// Alert receiver client.
    pub fn receiver(&self) -> ReceiverClient {
        ReceiverClient::new(
            self.http.clone(),
            &format!("http://127.0.0.1:{}", self.options.ports.alert_receiver),
        )
    }

    /// Fault-control client of one service.
    pub fn faults(&self, service: ServiceName) -> FaultClient {
        let port = match service {
            ServiceName::User => self.options.ports.user_service_admin,
            ServiceName::Order => self.options.ports.order_service_admin,
        };
        FaultClient::new(self.http.clone(), &format!("http://127.0.0.1:{port}"))
    }

    /// Base URL of a service's public API.
    pub fn service_url(&self, service: ServiceName) -> String {
        let port = match service {
            ServiceName::User => self.options.ports.user_service,
            ServiceName::Order => self.options.ports.order_service,
        };
        format!("http://127.0.0.1:{port}")
    }
}
