//! The high-availability stack: two Prometheus replicas scraping the same
//! targets (external labels `replica` a/b and one `cluster`), each sending to all
//! three Alertmanager peers clustered by gossip on loopback ports, a Prometheus
//! receiving both replicas' remote writes, and the single-instance stack's
//! services, alert receiver, node exporter and traffic generator. Every config
//! and flag comes from the pure functions of `nix/lib`.

mod configs;
mod processes;
mod topology;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use configs::{HaConfigs, HaLabels};
pub use topology::{
    CLUSTER, HaPorts, PEER_TIMEOUT, PEERS, REPLICAS, SINK_PROCESS, peer_process, replica_process,
};

use topology::{ready_urls, url};

use super::processes::{Programs, ServiceName, targets, traffic_generator};
use super::{StackOptions, names};
use crate::clients::alertmanager::AlertmanagerClient;
use crate::clients::faults::FaultClient;
use crate::clients::prometheus::PrometheusClient;
use crate::clients::receiver::ReceiverClient;
use crate::supervisor::Supervisor;
use crate::tools::{Tool, locate_tool};

/// A running HA stack. Dropping it kills every process it started.
pub struct HaStack {
    options: StackOptions,
    ports: HaPorts,
    dir: PathBuf,
    supervisor: Supervisor,
    http: reqwest::Client,
    configs: HaConfigs,
    /// Readiness URL of every process that has one.
    ready_urls: BTreeMap<String, String>,
    // Last, so it drops after the supervisor has killed every process.
    temp_dir: Option<tempfile::TempDir>,
}

impl HaStack {
    /// Renders the configs and starts everything: targets, the Alertmanager peers,
    /// the sink, the replicas, then the traffic generator. `options` gives the test
    /// intervals and timings (its ports are replaced by [`HaPorts`]).
    pub async fn start(repo: &Path, options: StackOptions) -> Result<Self> {
        let ports = HaPorts::free()?;
        // No cross-service edge and no tracing: the HA test is about Prometheus
        // and Alertmanager redundancy; the edge would add UpstreamErrors to the
        // deliveries it counts.
        let options = StackOptions {
            ports: ports.shared,
            grafana: false,
            user_service_edge: false,
            traces: super::TraceExport::Off,
            ..options
        };
        let temp = tempfile::Builder::new()
            .prefix("lookout-e2e-ha-")
            .tempdir()
            .context("creating the HA stack's temporary directory")?;
        let dir = temp.path().to_path_buf();
        let configs = configs::render(repo, &dir, &options, &ports)?;
        let mut stack = Self {
            ready_urls: ready_urls(&ports),
            supervisor: Supervisor::new(&dir.join("logs"))?,
            http: crate::clients::http_client()?,
            options,
            ports,
            dir,
            configs,
            temp_dir: Some(temp),
        };
        stack.launch().await.map_err(|err| stack.diagnose(&err))?;
        Ok(stack)
    }

    async fn launch(&mut self) -> Result<()> {
        let programs = Programs::locate(&self.options)?;
        let alertmanager = locate_tool(Tool::Alertmanager)?;
        let prometheus = locate_tool(Tool::Prometheus)?;
        for spec in targets(&programs, &self.options, &self.dir, None)? {
            self.supervisor.start(spec)?;
        }
        for index in 0..PEERS {
            self.supervisor.start(processes::alertmanager_peer(
                &alertmanager,
                &self.dir,
                &self.ports,
                &self.configs,
                index,
            ))?;
        }
        self.supervisor.start(processes::sink(
            &prometheus,
            &self.dir,
            &self.ports,
            &self.configs,
        ))?;
        for index in 0..REPLICAS.len() {
            self.supervisor.start(processes::prometheus_replica(
                &prometheus,
                &self.options,
                &self.dir,
                &self.ports,
                &self.configs,
                index,
            ))?;
        }
        let names: Vec<String> = self.ready_urls.keys().cloned().collect();
        for name in names {
            self.wait_ready(&name).await?;
        }
        if let Some(spec) = traffic_generator(&programs, &self.options, None) {
            self.supervisor.start(spec)?;
        }
        Ok(())
    }

    /// Waits until `name` answers its readiness URL; fails at once if it exits.
    pub async fn wait_ready(&mut self, name: &str) -> Result<()> {
        let url = self
            .ready_urls
            .get(name)
            .with_context(|| format!("{name} has no readiness URL"))?
            .clone();
        super::ready::wait_ready(&mut self.supervisor, &self.http, name, url).await
    }

    /// Kills a process at once (SIGKILL), as a crash would.
    pub async fn kill(&mut self, name: &str) -> Result<()> {
        self.supervisor.kill(name).await
    }

    /// Starts a killed process again with the same flags and data; waits until ready.
    pub async fn restart(&mut self, name: &str) -> Result<()> {
        self.supervisor.restart(name)?;
        if self.ready_urls.contains_key(name) {
            self.wait_ready(name).await?;
        }
        Ok(())
    }

    /// Stops the traffic first and the replicas before their targets.
    pub async fn shutdown(&mut self) {
        let mut order = vec![names::TRAFFIC_GENERATOR.to_owned()];
        order.extend(REPLICAS.iter().map(|r| replica_process(r)));
        let order: Vec<&str> = order.iter().map(String::as_str).collect();
        self.supervisor.stop_all(&order).await;
    }

    /// `err` followed by the processes that died and every log's last lines.
    pub fn diagnose(&mut self, err: &anyhow::Error) -> anyhow::Error {
        self.supervisor.diagnose(err)
    }

    /// Keeps the work directory after the stack is dropped; returns its path.
    pub fn keep_dir(&mut self) -> &Path {
        if let Some(temp) = self.temp_dir.as_mut() {
            temp.disable_cleanup(true);
        }
        &self.dir
    }

    /// Directory holding configs, data and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Intervals and timings.
    pub fn options(&self) -> &StackOptions {
        &self.options
    }

    /// Ports.
    pub fn ports(&self) -> &HaPorts {
        &self.ports
    }

    /// The rendered configs and flags.
    pub fn configs(&self) -> &HaConfigs {
        &self.configs
    }

    /// The shared HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Whether a supervised process is running.
    pub fn is_running(&mut self, name: &str) -> bool {
        self.supervisor.is_running(name).unwrap_or(false)
    }

    /// API client of replica `index` of [`REPLICAS`].
    pub fn replica(&self, index: usize) -> PrometheusClient {
        PrometheusClient::new(self.http.clone(), &url(self.ports.replicas[index]))
    }

    /// API client of Alertmanager peer `index`.
    pub fn peer(&self, index: usize) -> AlertmanagerClient {
        AlertmanagerClient::new(self.http.clone(), &url(self.ports.peers_web[index]))
    }

    /// API client of the remote-write sink.
    pub fn sink(&self) -> PrometheusClient {
        PrometheusClient::new(self.http.clone(), &url(self.ports.sink))
    }

    /// Alert receiver client.
    pub fn receiver(&self) -> ReceiverClient {
        ReceiverClient::new(self.http.clone(), &url(self.ports.shared.alert_receiver))
    }

    /// Fault-control client of one service.
    pub fn faults(&self, service: ServiceName) -> FaultClient {
        let port = match service {
            ServiceName::User => self.ports.shared.user_service_admin,
            ServiceName::Order => self.ports.shared.order_service_admin,
        };
        FaultClient::new(self.http.clone(), &url(port))
    }
}
