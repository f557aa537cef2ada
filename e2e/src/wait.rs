//! Bounded waiting: poll a probe until it is ready or a deadline passes, and on
//! timeout report what was being waited for together with the last state seen.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// How often probes are polled.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// One observation of a probe.
#[derive(Debug)]
pub enum Probe<T> {
    /// The condition holds; the value is what the caller wanted.
    Ready(T),
    /// Not yet; the text describes the state seen, for the timeout message.
    Pending(String),
    /// It can never become ready (e.g. the process exited): stop waiting at once.
    Abort(String),
}

/// Polls `probe` every [`POLL_INTERVAL`] until it is ready or `timeout` passes.
/// A probe error counts as "not yet" (a server still starting refuses
/// connections); the last error or state is part of the timeout message.
pub async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Probe<T>>>,
{
    let start = Instant::now();
    loop {
        let last = match probe().await {
            Ok(Probe::Ready(value)) => return Ok(value),
            Ok(Probe::Pending(state)) => state,
            Ok(Probe::Abort(reason)) => bail!("gave up waiting for {what}: {reason}"),
            Err(err) => format!("error: {err:#}"),
        };
        if start.elapsed() >= timeout {
            bail!("timed out after {timeout:.0?} waiting for {what}; last state seen: {last}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Waits until `GET url` answers with a 2xx status.
pub async fn wait_for_http(client: &reqwest::Client, url: &str, timeout: Duration) -> Result<()> {
    wait_until(&format!("{url} to answer 2xx"), timeout, || async {
        let response = client.get(url).send().await?;
        let status = response.status();
        Ok(if status.is_success() {
            Probe::Ready(())
        } else {
            Probe::Pending(format!("HTTP {status}"))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn timeout_names_the_condition_and_last_state() {
        let err = wait_until("the moon", Duration::from_millis(300), || async {
            Ok(Probe::<()>::Pending("still cheese".to_owned()))
        })
        .await
        .expect_err("never ready");
        let text = err.to_string();
        assert!(
            text.contains("the moon") && text.contains("still cheese"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn ready_value_is_returned() {
        let mut calls = 0;
        let value = wait_until("a count of 3", Duration::from_secs(5), || {
            calls += 1;
            let now = calls;
            async move {
                Ok(if now >= 3 {
                    Probe::Ready(now)
                } else {
                    Probe::Pending(format!("{now}"))
                })
            }
        })
        .await
        .expect("ready");
        assert_eq!(value, 3);
    }
}
