//! user-service: the exercise's user API, instrumented for Prometheus.
//!
//! Routes: `GET /users`, `GET /users/{id}`, `POST /users` (fault injection applies
//! to these), plus `/health` and `/metrics` from `service_runtime`. Fault control
//! (`GET|PUT|DELETE /faults`) listens on a separate loopback-only port.

mod config;
mod events;
mod handlers;
mod input;
mod store;

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
pub use store::{MAX_USER_JSON_BYTES, NewUser, User, UserStore};

/// Name and version of this service.
pub const SERVICE: ServiceInfo = ServiceInfo {
    name: "user-service",
    version: env!("CARGO_PKG_VERSION"),
};

/// State shared by the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The users.
    pub store: Arc<UserStore>,
    /// Fault injection settings.
    pub faults: Faults,
    /// Whether handlers sleep like the exercise's simulated database.
    pub simulated_latency: bool,
    events: Arc<events::Events>,
}

impl AppState {
    /// Fresh state for `config`: a seeded store (which sets `active_users`), business
    /// counters registered at 0, no faults. Create it after
    /// `service_runtime::metrics::install` so the gauge and counters are recorded.
    pub fn new(config: &Config) -> Self {
        Self {
            store: Arc::new(UserStore::seeded(config.max_users)),
            faults: Faults::default(),
            simulated_latency: config.simulated_latency,
            events: Arc::new(events::Events::register()),
        }
    }
}

/// The public router: business routes (with fault injection), `/health`, `/metrics`,
/// HTTP metrics and JSON errors.
pub fn app(state: AppState, metrics: MetricsHandle) -> Router {
    let faults = state.faults.clone();
    let business = Router::new()
        .route(
            "/users",
            get(handlers::list_users).post(handlers::create_user),
        )
        .route("/users/{id}", get(handlers::get_user))
        .with_state(Arc::new(state));
    http::instrument_with_faults(business, SERVICE, metrics, faults)
}

/// Serves the public and admin listeners until `shutdown`.
///
/// Fails before binding anything if the admin address is not loopback.
pub async fn run(config: Config, metrics: MetricsHandle, shutdown: Shutdown) -> anyhow::Result<()> {
    server::run_with_admin(
        SERVICE,
        &config.common,
        &config.admin,
        &config.connections,
        shutdown,
        || {
            let state = AppState::new(&config);
            ServiceRouters {
                admin: state.faults.admin_router(),
                api: app(state, metrics),
            }
        },
    )
    .await
}
