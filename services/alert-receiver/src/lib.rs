//! The lookout alert receiver: the webhook that Alertmanager delivers notifications to.
//! It checks each notification, logs it as one line, keeps the newest ones in memory
//! (bounded by count and by bytes) and, optionally, every one in a JSON-lines file,
//! serves them on `GET /alerts` and counts them on `/metrics`. `/health`, `/metrics`, the HTTP metrics and the JSON errors come from
//! `service_runtime::http::instrument`, as for every lookout service.

pub mod alert_filter;
pub mod alerts_api;
pub mod config;
pub mod label_cap;
pub mod payload;
pub mod ring;
pub mod state;
pub mod store_file;
pub mod timestamp;
pub mod webhook;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::state::AppState;

/// Most webhook deliveries parsed at the same time. Parsing a 1 MiB body briefly
/// takes 10 to 20 times its size, so this bounds that memory; Alertmanager sends
/// a handful at once, and later ones wait for a slot instead of failing.
pub const MAX_CONCURRENT_WEBHOOKS: usize = 8;

/// The receiver's own routes: `POST /webhook` (bodies up to 1 MiB, more than the
/// 64 KiB the shared layer allows elsewhere, at most [`MAX_CONCURRENT_WEBHOOKS`]
/// at once) and `GET /alerts`.
pub fn router(state: AppState) -> Router {
    let webhook_slots = Arc::new(Semaphore::new(MAX_CONCURRENT_WEBHOOKS));
    Router::new()
        .route(
            "/webhook",
            post(webhook::receive)
                .layer(DefaultBodyLimit::max(webhook::WEBHOOK_BODY_LIMIT_BYTES))
                .layer(middleware::from_fn_with_state(webhook_slots, one_slot_each)),
        )
        .route("/alerts", get(alerts_api::list))
        .with_state(state)
}

/// Runs the request while holding one of the webhook slots.
async fn one_slot_each(
    State(slots): State<Arc<Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    // The semaphore is never closed, so acquiring only waits, never fails.
    let _slot = slots.acquire().await;
    next.run(request).await
}
