//! order-service: the exercise's order API, instrumented for Prometheus.
//!
//! Routes: `GET /orders`, `GET /orders/{id}`, `POST /orders` (fault injection applies
//! to these), plus `/health` and `/metrics` from `service_runtime`. Fault control
//! (`GET|PUT|DELETE /faults`) listens on a separate loopback-only port.

mod config;
mod events;
mod handlers;
mod input;
mod store;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use service_runtime::ServiceInfo;
use service_runtime::faults::Faults;
use service_runtime::http;
use service_runtime::metrics::MetricsHandle;
use service_runtime::server::{self, ServiceRouters};
use service_runtime::shutdown::Shutdown;

pub use config::Config;
pub use store::{MAX_AMOUNT, MAX_ORDER_JSON_BYTES, NewOrder, Order, OrderStore};
pub use users::USER_SERVICE;

/// Name and version of this service.
pub const SERVICE: ServiceInfo = ServiceInfo {
    name: "order-service",
    version: env!("CARGO_PKG_VERSION"),
};

/// State shared by the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The orders.
    pub store: Arc<OrderStore>,
    /// Fault injection settings.
    pub faults: Faults,
    /// Whether handlers sleep like the exercise's simulated database.
    pub simulated_latency: bool,
    events: Arc<events::Events>,
    /// user-service, when `--user-service-url` is set.
    users: Option<Arc<users::UserDirectory>>,
}

impl AppState {
    /// Fresh state for `config`: a seeded store (which sets `active_orders`), business
    /// counters registered at 0, no faults, and the user-service client when
    /// `--user-service-url` is set (its edge failure series registered at 0). Create
    /// it after `service_runtime::metrics::install` so the gauge and counters are
    /// recorded. Fails only if the HTTP client cannot be built.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let users = match &config.user_service_url {
            Some(url) => {
                tracing::info!(%url, timeout = ?config.user_service_timeout,
                    "orders' users are checked against user-service");
                let directory =
                    users::UserDirectory::new(url.clone(), config.user_service_timeout)?;
                Some(Arc::new(directory))
            }
            None => None,
        };
        Ok(Self {
            store: Arc::new(OrderStore::seeded(config.max_orders)),
            faults: Faults::default(),
            simulated_latency: config.simulated_latency,
            events: Arc::new(events::Events::register()),
            users,
        })
    }
}

/// The public router: business routes (with fault injection), `/health`, `/metrics`,
/// HTTP metrics and JSON errors.
pub fn app(state: AppState, metrics: MetricsHandle) -> Router {
    let faults = state.faults.clone();
    let business = Router::new()
        .route(
            "/orders",
            get(handlers::list_orders).post(handlers::create_order),
        )
        .route("/orders/{id}", get(handlers::get_order))
        .with_state(Arc::new(state));
    http::instrument_with_faults(business, SERVICE, metrics, faults)
}

/// Serves the public and admin listeners until `shutdown`.
///
/// Fails before binding anything if the admin address is not loopback or the
/// user-service client cannot be built.
pub async fn run(config: Config, metrics: MetricsHandle, shutdown: Shutdown) -> anyhow::Result<()> {
    let state = AppState::new(&config)?;
    server::run_with_admin(
        SERVICE,
        &config.common,
        &config.admin,
        &config.connections,
        shutdown,
        || ServiceRouters {
            admin: state.faults.admin_router(),
            api: app(state, metrics),
        },
    )
    .await
}
