//! The lookout alert receiver: the webhook that Alertmanager delivers notifications to.
//! It checks each notification, logs it as one line, keeps the newest ones in memory
//! (bounded by count and by bytes) and, optionally, every one in a JSON-lines file,
//! serves them on `GET /alerts` and counts them on `/metrics`. `/health`, `/metrics`, the HTTP metrics and the JSON errors come from
//! `service_runtime::http::instrument`, as for every lookout service.

pub mod alert_filter;
pub mod alerts_api;
pub mod answer_stream;
pub mod bounded_lines;
pub mod config;
pub mod heap_size;
pub mod label_cap;
pub mod label_set;
pub mod payload;
pub mod ring;
pub mod state;
pub mod store_file;
pub mod timestamp;
pub mod webhook;
pub mod work_limits;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The receiver's own routes: `POST /webhook` (bodies up to 1 MiB, more than the
/// 64 KiB the shared layer allows elsewhere; read and bounded by [`work_limits`])
/// and `GET /alerts`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/webhook", post(webhook::receive))
        .route("/alerts", get(alerts_api::list))
        .with_state(state)
}
