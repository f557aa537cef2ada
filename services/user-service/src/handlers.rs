//! Route handlers of user-service, answering exactly as the exercise's Flask app
//! (same status codes and JSON shapes), with lookout's stricter input handling.

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use service_runtime::catalog::{self, OP_CREATE_USER, OP_GET_USER, OP_GET_USERS};
use service_runtime::errors::{self, ApiError};
use service_runtime::fields::plain_decimal;
use service_runtime::pagination::PageRequest;

use crate::AppState;
use crate::input::parse_new_user;
use crate::store::LIST_KEY;

/// The exercise's simulated latency of `GET /users`, in milliseconds.
const LIST_LATENCY_MS: RangeInclusive<u64> = 10..=100;
/// The exercise's simulated latency of `POST /users`, in milliseconds.
const CREATE_LATENCY_MS: RangeInclusive<u64> = 50..=200;
/// Id the exercise answers with a simulated database failure.
const FAILING_ID: u64 = 500;
/// Id the exercise always answers as not found.
const MISSING_ID: u64 = 999;

async fn simulate_latency(state: &AppState, range: RangeInclusive<u64>) {
    if state.simulated_latency {
        let millis = rand::rng().random_range(range);
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
}

/// A JSON answer from bytes serialised by the store.
fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

/// `GET /users[?limit=L&offset=O]`: a page of users (default the first 100), the
/// total and the number of active users; 400 for a bad `limit` or `offset`.
pub(crate) async fn list_users(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let request = PageRequest::from_query(query.as_deref()).map_err(|message| {
        state.events.application_error(catalog::ERROR_VALIDATION);
        state.events.operation(OP_GET_USERS, catalog::STATUS_ERROR);
        ApiError::bad_request(message)
    })?;
    simulate_latency(&state, LIST_LATENCY_MS).await;
    let page = state.store.page(request);
    // The store's lock is released: the answer is written without it, from the
    // stored entries themselves.
    let body = page.into_body(LIST_KEY);
    state
        .events
        .operation(OP_GET_USERS, catalog::STATUS_SUCCESS);
    Ok(json(StatusCode::OK, body))
}

/// `GET /users/{id}`: the user; 404 for unknown, non-numeric and 999 (and for any
/// id that is not a plain decimal, such as `+1` or `0500`); 500 for 500.
pub(crate) async fn get_user(
    State(state): State<Arc<AppState>>,
    // Any id that is not a plain decimal number, including one that is not even
    // valid UTF-8 once percent-decoded, is an unknown id: 404, as for any other.
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let user = match id
        .map_err(drop)
        .and_then(|Path(id)| plain_decimal(&id).ok_or(()))
    {
        Ok(FAILING_ID) => {
            tracing::warn!(id = FAILING_ID, "simulated database failure");
            state.events.application_error(catalog::ERROR_SERVER_ERROR);
            state.events.operation(OP_GET_USER, catalog::STATUS_ERROR);
            return Err(ApiError::internal());
        }
        Ok(MISSING_ID) | Err(_) => None,
        Ok(id) => state.store.get_json(id),
    };
    if let Some(user) = user {
        state.events.operation(OP_GET_USER, catalog::STATUS_SUCCESS);
        return Ok(json(StatusCode::OK, user));
    }
    state.events.application_error(catalog::ERROR_NOT_FOUND);
    state
        .events
        .operation(OP_GET_USER, catalog::STATUS_NOT_FOUND);
    Err(ApiError::not_found(errors::USER_NOT_FOUND))
}

/// `POST /users`: 201 with the new user; 400 for a bad body, 507 when the store is full.
pub(crate) async fn create_user(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    simulate_latency(&state, CREATE_LATENCY_MS).await;
    let new_user = parse_new_user(&body).map_err(|message| {
        state.events.application_error(catalog::ERROR_VALIDATION);
        state
            .events
            .operation(OP_CREATE_USER, catalog::STATUS_ERROR);
        ApiError::bad_request(message)
    })?;
    match state.store.create(new_user) {
        Ok(user) => {
            state
                .events
                .operation(OP_CREATE_USER, catalog::STATUS_SUCCESS);
            Ok(json(StatusCode::CREATED, user))
        }
        Err(full) => {
            tracing::warn!(max = full.max, "user store full");
            state
                .events
                .application_error(catalog::ERROR_CAPACITY_EXCEEDED);
            state
                .events
                .operation(OP_CREATE_USER, catalog::STATUS_ERROR);
            Err(ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                format!("User store is full ({} users, see --max-users)", full.max),
            ))
        }
    }
}
