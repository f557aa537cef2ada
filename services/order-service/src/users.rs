//! The order's user, checked against user-service before the order is created
//! (`--user-service-url`): one `GET /users/{id}` through the edge client, so the
//! call is an instrumented edge (client span, `traceparent`, edge metrics).
//! Unknown user: 422; user-service failing, unreachable, too slow or answering
//! nonsense: 503, and the order is not created.

use std::time::Duration;

use axum::http::StatusCode;
use service_runtime::errors::{self, ApiError};
use service_runtime::outbound::{BaseUrl, EdgeClient, EdgeError, EdgeResponse, Peer};

/// The callee's service name: the `peer` label of the edge metrics.
pub const USER_SERVICE: &str = "user-service";

/// The route template of the check, the client span's name.
const USER_ROUTE: &str = "/users/{id}";

/// user-service as order-service sees it.
#[derive(Debug)]
pub(crate) struct UserDirectory {
    client: EdgeClient,
    timeout: Duration,
}

impl UserDirectory {
    /// A directory at `base`, each check bounded by `timeout`.
    pub(crate) fn new(base: BaseUrl, timeout: Duration) -> anyhow::Result<Self> {
        let peer = Peer::new(USER_SERVICE).map_err(anyhow::Error::msg)?;
        Ok(Self {
            client: EdgeClient::new(peer, base, timeout)?,
            timeout,
        })
    }

    /// `Ok` when user-service knows user `id`; otherwise the error to answer.
    pub(crate) async fn check(&self, id: u64) -> Result<(), ApiError> {
        let answer = self.client.get(USER_ROUTE, &format!("/users/{id}")).await;
        match answer {
            Ok(response) if response.status == StatusCode::OK => {
                if names_user(&response, id) {
                    Ok(())
                } else {
                    tracing::warn!(user_id = id, "user-service answered 200 without that user");
                    Err(unavailable("gave an invalid answer"))
                }
            }
            Ok(response)
                if response.status == StatusCode::NOT_FOUND && is_unknown_user(&response) =>
            {
                Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("Unknown user: user-service has no user with id {id}"),
                ))
            }
            Ok(response) if response.status == StatusCode::NOT_FOUND => {
                tracing::warn!(
                    user_id = id,
                    "user-service answered 404 without its unknown-user error: is --user-service-url its base URL?"
                );
                Err(unavailable(
                    "answered 404 without its unknown-user error (is --user-service-url its base URL?)",
                ))
            }
            Ok(response) => {
                let status = response.status.as_u16();
                tracing::warn!(user_id = id, status, "user-service failed the user check");
                Err(unavailable(&format!("answered {status}")))
            }
            Err(EdgeError::TimedOut(_)) => {
                tracing::warn!(user_id = id, timeout = ?self.timeout, "user-service timed out");
                Err(unavailable(&format!(
                    "did not answer within {:?}",
                    self.timeout
                )))
            }
            Err(EdgeError::BodyTooLarge(limit)) => {
                tracing::warn!(
                    user_id = id,
                    limit,
                    "user-service answered more than the bound"
                );
                Err(unavailable("gave an invalid answer (too long)"))
            }
            Err(EdgeError::Unreachable(causes)) => {
                tracing::warn!(user_id = id, error = %causes, "user-service unreachable");
                Err(unavailable("is unreachable"))
            }
        }
    }
}

/// Whether a 200 answer is the JSON of user `id`: anything else means the URL
/// points at something that is not user-service.
fn names_user(response: &EdgeResponse, id: u64) -> bool {
    serde_json::from_slice::<serde_json::Value>(&response.body)
        .ok()
        .and_then(|user| user.get("id").and_then(serde_json::Value::as_u64))
        == Some(id)
}

/// Whether a 404 is user-service's own answer for an unknown id, not a 404 for
/// the path (a URL with a wrong prefix would make every user "unknown").
fn is_unknown_user(response: &EdgeResponse) -> bool {
    serde_json::from_slice::<serde_json::Value>(&response.body)
        .is_ok_and(|body| body["error"] == errors::USER_NOT_FOUND)
}

/// 503: the order cannot be checked, so it is not created; the client may retry.
fn unavailable(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("Cannot check the user: user-service {what}; the order was not created"),
    )
}
