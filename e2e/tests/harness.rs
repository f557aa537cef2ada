//! Tests of the harness itself against the real Prometheus and Alertmanager,
//! with minimal hand-written configs (the full stack test is `pipeline/`):
//! the supervisor leaves no process behind, readiness waits work, and the API
//! clients decode what the real servers answer.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lookout_e2e::clients::alertmanager::AlertmanagerClient;
use lookout_e2e::clients::prometheus::PrometheusClient;
use lookout_e2e::ports::free_loopback_ports;
use lookout_e2e::stack::rule_files;
use lookout_e2e::supervisor::{PDEATHSIG_HELPER, ProcessSpec, Supervisor};
use lookout_e2e::tools::{Tool, locate_tool, lookout_binary, repo_dir};
use lookout_e2e::wait::{Probe, wait_for_http, wait_until};

fn process_exists(pid: u32) -> bool {
    // Only a killed *and reaped* child loses its /proc entry: a zombie counts as
    // existing, so these tests also prove the supervisor reaps what it kills.
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Programs are bare names resolved on PATH: the Nix build sandbox has `/bin/sh`
/// but no `/bin/sleep`.
fn sleeper(name: &str) -> ProcessSpec {
    ProcessSpec::new(name, PathBuf::from("sleep"), vec!["300".into()])
}

#[tokio::test]
async fn dropping_the_supervisor_kills_every_child() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut supervisor = Supervisor::new(dir.path()).expect("supervisor");
    supervisor.start(sleeper("a")).expect("start a");
    supervisor.start(sleeper("b")).expect("start b");
    let pids: Vec<u32> = ["a", "b"]
        .iter()
        .map(|name| supervisor.pid(name).expect("running"))
        .collect();
    assert!(pids.iter().all(|pid| process_exists(*pid)));
    drop(supervisor);
    for pid in pids {
        assert!(
            !process_exists(pid),
            "process {pid} survived the supervisor"
        );
    }
}

#[test]
fn a_panicking_test_leaves_no_child_behind() {
    let (sender, receiver) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut supervisor = Supervisor::new(dir.path()).expect("supervisor");
            supervisor.start(sleeper("doomed")).expect("start");
            sender
                .send(supervisor.pid("doomed").expect("pid"))
                .expect("send");
            panic!("an assertion failed while the child runs");
        });
    })
    .join();
    assert!(outcome.is_err(), "the thread must have panicked");
    let pid = receiver.recv().expect("pid sent before the panic");
    assert!(!process_exists(pid), "process {pid} survived the panic");
}

/// Whether the process is gone or a zombie (killed, waiting for its reaper: in a
/// container, PID 1 may never reap the orphans it inherits).
fn process_is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => true,
    }
}

/// The parent-death helper: a child started through it dies with its parent,
/// even when the parent is SIGKILLed and cannot clean up. Here `sh` is the
/// parent; it prints the child's pid and waits, and the test kills it.
#[test]
fn a_child_dies_when_its_parent_is_killed() {
    use std::io::BufRead;
    let helper =
        lookout_binary(PDEATHSIG_HELPER).expect("run `cargo build --workspace --bins` first");
    let mut parent = std::process::Command::new("sh")
        .args(["-c", r#""$0" $$ sleep 300 & echo $!; wait"#])
        .arg(&helper)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn sh");
    let mut line = String::new();
    std::io::BufReader::new(parent.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("child pid");
    let child: u32 = line.trim().parse().expect("a pid");
    let executed = wait_for_condition(|| {
        std::fs::read(format!("/proc/{child}/cmdline")).is_ok_and(|cmd| cmd.starts_with(b"sleep\0"))
    });
    assert!(executed, "the helper did not execute sleep");
    parent.kill().expect("SIGKILL the parent");
    parent.wait().expect("reap the parent");
    let died = wait_for_condition(|| process_is_dead(child));
    if !died {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child).expect("pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).ok();
    }
    assert!(died, "process {child} outlived its SIGKILLed parent");
}

/// Polls `condition` every 20 ms for up to 10 s.
fn wait_for_condition(mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    condition()
}

#[tokio::test]
async fn stop_and_restart_append_to_the_same_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut supervisor = Supervisor::new(dir.path()).expect("supervisor");
    let spec = ProcessSpec::new(
        "echo",
        PathBuf::from("sh"),
        vec!["-c".into(), "echo started; exec sleep 300".into()],
    );
    supervisor.start(spec).expect("start");
    wait_until("the first start line", Duration::from_secs(5), || async {
        let log = std::fs::read_to_string(dir.path().join("echo.log"))?;
        Ok(if log.contains("started") {
            Probe::Ready(())
        } else {
            Probe::Pending(log)
        })
    })
    .await
    .expect("logged");
    supervisor.stop("echo").await.expect("stop");
    assert!(!supervisor.is_running("echo").expect("known"));
    supervisor.restart("echo").expect("restart");
    wait_until("two start lines", Duration::from_secs(5), || async {
        let log = std::fs::read_to_string(dir.path().join("echo.log"))?;
        Ok(if log.matches("started").count() == 2 {
            Probe::Ready(())
        } else {
            Probe::Pending(log)
        })
    })
    .await
    .expect("logged twice");
    assert!(
        supervisor
            .log_tail("echo", 10)
            .contains("stopped by the supervisor")
    );
}

#[tokio::test]
async fn an_exited_child_is_reported_with_its_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut supervisor = Supervisor::new(dir.path()).expect("supervisor");
    let spec = ProcessSpec::new(
        "failing",
        PathBuf::from("sh"),
        vec!["-c".into(), "echo cannot bind port; exit 3".into()],
    );
    supervisor.start(spec).expect("start");
    let report = wait_until("the child to exit", Duration::from_secs(5), || {
        let result = supervisor.check_alive();
        async move {
            Ok(match result {
                Ok(()) => Probe::Pending("still running".into()),
                Err(err) => Probe::Ready(err.to_string()),
            })
        }
    })
    .await
    .expect("reported");
    assert!(
        report.contains("failing") && report.contains("cannot bind port"),
        "{report}"
    );
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write config");
}

#[tokio::test]
async fn prometheus_and_alertmanager_run_under_the_harness() {
    let prometheus_bin = locate_tool(Tool::Prometheus).expect("prometheus is required");
    let alertmanager_bin = locate_tool(Tool::Alertmanager).expect("alertmanager is required");
    let dir = tempfile::tempdir().expect("tempdir");
    let ports = free_loopback_ports(2).expect("ports");
    let (prometheus_port, alertmanager_port) = (ports[0], ports[1]);
    let rules: Vec<String> = rule_files(&repo_dir())
        .expect("the repository's rules")
        .iter()
        .map(|path| format!("\"{}\"", path.display()))
        .collect();
    write(
        &dir.path().join("prometheus.yml"),
        &format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
             rule_files: [{}]\n\
             alerting: {{alertmanagers: [{{static_configs: [{{targets: ['127.0.0.1:{alertmanager_port}']}}]}}]}}\n\
             scrape_configs:\n\
             - {{job_name: prometheus, static_configs: [{{targets: ['127.0.0.1:{prometheus_port}']}}]}}\n\
             - {{job_name: alertmanager, static_configs: [{{targets: ['127.0.0.1:{alertmanager_port}']}}]}}\n",
            rules.join(", ")
        ),
    );
    write(
        &dir.path().join("alertmanager.yml"),
        "route: {receiver: nowhere}\nreceivers: [{name: nowhere}]\n",
    );
    let mut supervisor = Supervisor::new(&dir.path().join("logs")).expect("supervisor");
    supervisor
        .start(ProcessSpec::new(
            "alertmanager",
            alertmanager_bin,
            vec![
                format!(
                    "--config.file={}",
                    dir.path().join("alertmanager.yml").display()
                ),
                format!("--storage.path={}", dir.path().join("am-data").display()),
                format!("--web.listen-address=127.0.0.1:{alertmanager_port}"),
                "--cluster.listen-address=".into(),
            ],
        ))
        .expect("start alertmanager");
    supervisor
        .start(ProcessSpec::new(
            "prometheus",
            prometheus_bin,
            vec![
                format!(
                    "--config.file={}",
                    dir.path().join("prometheus.yml").display()
                ),
                format!(
                    "--storage.tsdb.path={}",
                    dir.path().join("prom-data").display()
                ),
                format!("--web.listen-address=127.0.0.1:{prometheus_port}"),
                // The first send happens before the Alertmanager is discovered and is
                // dropped; the default 1m resend delay would make the test wait for it.
                "--rules.alert.resend-delay=1s".into(),
            ],
        ))
        .expect("start prometheus");
    let http = reqwest::Client::new();
    let prometheus =
        PrometheusClient::new(http.clone(), &format!("http://127.0.0.1:{prometheus_port}"));
    let alertmanager = AlertmanagerClient::new(
        http.clone(),
        &format!("http://127.0.0.1:{alertmanager_port}"),
    );
    for url in [
        format!("{}/-/ready", prometheus.base()),
        format!("{}/-/ready", alertmanager.base()),
    ] {
        wait_for_http(&http, &url, Duration::from_secs(30))
            .await
            .unwrap_or_else(|err| panic!("{err:#}\n{}", supervisor.all_log_tails(20)));
    }

    let up = wait_until("both targets up", Duration::from_secs(20), || async {
        let targets = prometheus.targets().await?;
        let healths: Vec<String> = targets
            .iter()
            .map(|t| format!("{}={}", t.labels["job"], t.health))
            .collect();
        Ok(
            if targets.len() == 2 && targets.iter().all(|t| t.health == "up") {
                Probe::Ready(healths)
            } else {
                Probe::Pending(healths.join(", "))
            },
        )
    })
    .await
    .expect("targets up");
    assert_eq!(up.len(), 2);

    let groups = prometheus.rule_groups().await.expect("rules");
    assert!(!groups.is_empty(), "the repository's rules must load");
    let watchdog = wait_until(
        "Watchdog firing in Alertmanager",
        Duration::from_secs(30),
        || async {
            let alerts = alertmanager.alerts().await?;
            Ok(match alerts.into_iter().find(|a| a.name() == "Watchdog") {
                Some(alert) => Probe::Ready(alert),
                None => Probe::Pending("no Watchdog yet".into()),
            })
        },
    )
    .await
    .unwrap_or_else(|err| panic!("{err:#}\n{}", supervisor.all_log_tails(20)));
    assert_eq!(watchdog.status.state, "active");
    assert_eq!(watchdog.receivers[0].name, "nowhere");

    let managers = prometheus.alertmanagers().await.expect("alertmanagers");
    assert_eq!(managers.active_alertmanagers.len(), 1);
    let status = alertmanager.status().await.expect("status");
    assert_eq!(status.cluster.status, "disabled");
    let scalar = prometheus.query("1 + 1").await.expect("query");
    assert_eq!(scalar[0].value.1, "2");
    assert!(
        supervisor
            .log_tail("prometheus", 50)
            .contains("Server is ready")
    );
}
