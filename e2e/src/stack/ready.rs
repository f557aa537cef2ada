//! Waiting for a supervised process to answer its readiness URL, shared by the
//! single-instance stack and the HA stack.

use std::time::Duration;

use anyhow::Result;

use crate::supervisor::Supervisor;
use crate::wait::{Probe, wait_until};

/// How long a process may take to answer its readiness URL after it starts.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Waits until `name` answers `url` with a 2xx; fails at once, with its log
/// tail, if it exits first.
pub(crate) async fn wait_ready(
    supervisor: &mut Supervisor,
    http: &reqwest::Client,
    name: &str,
    url: String,
) -> Result<()> {
    let outcome = wait_until(&format!("{name} to answer {url}"), READY_TIMEOUT, || {
        let running = supervisor.is_running(name).unwrap_or(false);
        let (http, url) = (http.clone(), url.clone());
        async move {
            if !running {
                return Ok(Probe::Abort(format!("{name} exited")));
            }
            let status = http.get(&url).send().await?.status();
            Ok(if status.is_success() {
                Probe::Ready(())
            } else {
                Probe::Pending(format!("HTTP {status}"))
            })
        }
    })
    .await;
    outcome.map_err(|err| {
        err.context(format!(
            "{name} did not become ready; its log ends with:\n{}",
            supervisor.log_tail(name, 30)
        ))
    })
}
