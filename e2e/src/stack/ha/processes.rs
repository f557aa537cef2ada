//! The command lines of the HA stack's own processes: Alertmanager peers,
//! Prometheus replicas and the remote-write sink. The services, the receiver,
//! node exporter and the traffic generator are the single-instance stack's.

use std::path::Path;

use super::configs::HaConfigs;
use super::topology::{HaPorts, REPLICAS, SINK_PROCESS, loopback, peer_process, replica_process};
use crate::stack::StackOptions;
use crate::stack::durations::go_duration;
use crate::supervisor::ProcessSpec;

/// Alertmanager peer `index`: the shared config, its own storage (silences and
/// notification log) and the cluster flags rendered for it.
pub(super) fn alertmanager_peer(
    program: &Path,
    dir: &Path,
    ports: &HaPorts,
    configs: &HaConfigs,
    index: usize,
) -> ProcessSpec {
    let name = peer_process(index);
    let web = loopback(ports.peers_web[index]);
    let mut args = vec![
        format!("--config.file={}", configs.alertmanager_file.display()),
        format!(
            "--storage.path={}",
            dir.join(format!("{name}-data")).display()
        ),
        format!("--web.listen-address={web}"),
        format!("--web.external-url=http://{web}/"),
    ];
    args.extend(configs.peer_flags[index].iter().cloned());
    ProcessSpec::new(&name, program.to_path_buf(), args)
}

/// Prometheus replica `index` of [`REPLICAS`], with its own TSDB.
pub(super) fn prometheus_replica(
    program: &Path,
    options: &StackOptions,
    dir: &Path,
    ports: &HaPorts,
    configs: &HaConfigs,
    index: usize,
) -> ProcessSpec {
    let name = replica_process(REPLICAS[index]);
    let web = loopback(ports.replicas[index]);
    ProcessSpec::new(
        &name,
        program.to_path_buf(),
        vec![
            format!("--config.file={}", configs.replica_files[index].display()),
            format!(
                "--storage.tsdb.path={}",
                dir.join(format!("{name}-data")).display()
            ),
            format!("--web.listen-address={web}"),
            format!("--web.external-url=http://{web}/"),
            format!(
                "--rules.alert.resend-delay={}",
                go_duration(options.resend_delay)
            ),
        ],
    )
}

/// A Prometheus that only receives the replicas' remote writes.
pub(super) fn sink(
    program: &Path,
    dir: &Path,
    ports: &HaPorts,
    configs: &HaConfigs,
) -> ProcessSpec {
    let web = loopback(ports.sink);
    ProcessSpec::new(
        SINK_PROCESS,
        program.to_path_buf(),
        vec![
            format!("--config.file={}", configs.sink_file.display()),
            format!(
                "--storage.tsdb.path={}",
                dir.join(format!("{SINK_PROCESS}-data")).display()
            ),
            format!("--web.listen-address={web}"),
            "--web.enable-remote-write-receiver".into(),
        ],
    )
}
