//! Client for a service's fault-control admin listener (`/faults` on the
//! loopback-only admin port).

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{decode, get_json};

/// Injected faults of one service.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Faults {
    /// Extra latency added to every business request, in milliseconds.
    pub latency_ms: u64,
    /// Share of business requests answered with a 500, in [0, 1].
    pub error_ratio: f64,
}

/// One service's admin API.
#[derive(Debug, Clone)]
pub struct FaultClient {
    client: reqwest::Client,
    url: String,
}

impl FaultClient {
    /// A client for the admin listener at `base` (e.g. `http://127.0.0.1:8011`).
    pub fn new(client: reqwest::Client, base: &str) -> Self {
        Self {
            client,
            url: format!("{}/faults", base.trim_end_matches('/')),
        }
    }

    /// `GET /faults`.
    pub async fn get(&self) -> Result<Faults> {
        get_json(&self.client, &self.url, &[]).await
    }

    /// `PUT /faults`; returns the state the service reports back.
    pub async fn set(&self, faults: Faults) -> Result<Faults> {
        let response = self
            .client
            .put(&self.url)
            .json(&faults)
            .send()
            .await
            .with_context(|| format!("PUT {}", self.url))?;
        decode(&self.url, response).await
    }

    /// `DELETE /faults`: back to no faults.
    pub async fn clear(&self) -> Result<Faults> {
        let response = self
            .client
            .delete(&self.url)
            .send()
            .await
            .with_context(|| format!("DELETE {}", self.url))?;
        decode(&self.url, response).await
    }
}
