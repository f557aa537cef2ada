//! Step 1, twin of the VM test's loopback check: every listening socket of every
//! process the harness started is bound to 127.0.0.1 or ::1, as the kernel's
//! socket table shows. Our services and the receiver run without any listen-address
//! flag, so their own defaults are what this checks.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, ensure};
use lookout_e2e::listeners::{is_loopback_address, listening_sockets};
use lookout_e2e::stack::{Stack, names};

pub(crate) fn every_listener_is_on_loopback(stack: &mut Stack) -> Result<()> {
    let ports = *stack.ports();
    // The ports each process must be seen listening on, so the check cannot pass
    // by finding no socket at all. The traffic generator only sends.
    let expected: BTreeMap<&str, BTreeSet<u16>> = BTreeMap::from([
        (
            names::USER_SERVICE,
            BTreeSet::from([ports.user_service, ports.user_service_admin]),
        ),
        (
            names::ORDER_SERVICE,
            BTreeSet::from([ports.order_service, ports.order_service_admin]),
        ),
        (
            names::ALERT_RECEIVER,
            BTreeSet::from([ports.alert_receiver]),
        ),
        (names::NODE_EXPORTER, BTreeSet::from([ports.node_exporter])),
        (names::ALERTMANAGER, BTreeSet::from([ports.alertmanager])),
        (names::PROMETHEUS, BTreeSet::from([ports.prometheus])),
        (names::GRAFANA, BTreeSet::from([ports.grafana])),
        (names::TRAFFIC_GENERATOR, BTreeSet::new()),
    ]);
    let running = stack.supervisor().running();
    let started: BTreeSet<&str> = running.iter().map(|(name, _)| name.as_str()).collect();
    ensure!(
        expected
            .keys()
            .filter(|name| **name != names::GRAFANA)
            .all(|name| started.contains(name)),
        "expected every process of the stack to run, running: {started:?}"
    );
    let pids: Vec<u32> = running.iter().map(|(_, pid)| *pid).collect();
    let sockets = listening_sockets(&pids)?;
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (name, pid) in &running {
        let bound = sockets.get(pid).cloned().unwrap_or_default();
        let public: Vec<String> = bound
            .iter()
            .filter(|address| !is_loopback_address(address.ip()))
            .map(ToString::to_string)
            .collect();
        if !public.is_empty() {
            problems.push(format!("{name} (pid {pid}) listens on {public:?}"));
        }
        let bound_ports: BTreeSet<u16> = bound.iter().map(|address| address.port()).collect();
        let missing: Vec<&u16> = expected
            .get(name.as_str())
            .into_iter()
            .flatten()
            .filter(|port| !bound_ports.contains(port))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "{name} (pid {pid}) does not listen on port(s) {missing:?}; it listens on {bound:?}"
            ));
        }
        let bound: Vec<String> = bound.iter().map(ToString::to_string).collect();
        seen.push(if bound.is_empty() {
            format!("{name} (none)")
        } else {
            format!("{name} {}", bound.join(" "))
        });
    }
    ensure!(
        problems.is_empty(),
        "listeners off loopback or missing:\n{}",
        problems.join("\n")
    );
    println!(
        "[e2e] step 1: every listener on loopback: {}",
        seen.join(", ")
    );
    Ok(())
}
