//! Route handlers of order-service, answering exactly as the exercise's Express app
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
use service_runtime::catalog::{self, OP_CREATE_ORDER, OP_GET_ORDER, OP_GET_ORDERS};
use service_runtime::errors::ApiError;
use service_runtime::fields::plain_decimal;
use service_runtime::pagination::PageRequest;

use crate::AppState;
use crate::input::parse_new_order;
use crate::store::LIST_KEY;

/// The exercise's simulated latency of `GET /orders`, in milliseconds.
const LIST_LATENCY_MS: RangeInclusive<u64> = 0..=100;
/// Id the exercise answers with a simulated database failure.
const FAILING_ID: u64 = 500;
/// Id the exercise always answers as not found.
const MISSING_ID: u64 = 999;

/// A JSON answer from bytes serialised by the store.
fn json(status: StatusCode, body: impl Into<Body>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.into(),
    )
        .into_response()
}

/// `GET /orders[?limit=L&offset=O]`: a page of orders (default the first 100), the
/// total and the number with status `active`; 400 for a bad `limit` or `offset`.
pub(crate) async fn list_orders(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let request = PageRequest::from_query(query.as_deref()).map_err(|message| {
        state.events.operation(OP_GET_ORDERS, catalog::STATUS_ERROR);
        ApiError::bad_request(message)
    })?;
    if state.simulated_latency {
        let millis = rand::rng().random_range(LIST_LATENCY_MS);
        tokio::time::sleep(Duration::from_millis(millis)).await;
    }
    let page = state.store.page(request);
    // The store's lock is released: the answer is written without it, from the
    // stored entries themselves.
    let body = page.into_body(LIST_KEY);
    state
        .events
        .operation(OP_GET_ORDERS, catalog::STATUS_SUCCESS);
    Ok(json(StatusCode::OK, body))
}

/// `GET /orders/{id}`: the order; 404 for unknown, non-numeric and 999 (and for any
/// id that is not a plain decimal, such as `+1` or `0500`); 500 for 500.
pub(crate) async fn get_order(
    State(state): State<Arc<AppState>>,
    // Any id that is not a plain decimal number, including one that is not even
    // valid UTF-8 once percent-decoded, is an unknown id: 404, as for any other.
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let order = match id
        .map_err(drop)
        .and_then(|Path(id)| plain_decimal(&id).ok_or(()))
    {
        Ok(FAILING_ID) => {
            tracing::warn!(id = FAILING_ID, "simulated database failure");
            state.events.operation(OP_GET_ORDER, catalog::STATUS_ERROR);
            return Err(ApiError::internal());
        }
        Ok(MISSING_ID) | Err(_) => None,
        Ok(id) => state.store.get_json(id),
    };
    if let Some(order) = order {
        state
            .events
            .operation(OP_GET_ORDER, catalog::STATUS_SUCCESS);
        return Ok(json(StatusCode::OK, order));
    }
    state
        .events
        .operation(OP_GET_ORDER, catalog::STATUS_NOT_FOUND);
    Err(ApiError::not_found("Order not found"))
}

/// `POST /orders`: 201 with the new order; 400 for a bad body, 507 when the store is
/// full; with `--user-service-url`, 422 for a user user-service does not know and
/// 503 when it cannot tell (see `users`).
pub(crate) async fn create_order(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let new_order = parse_new_order(&body).map_err(|message| {
        state
            .events
            .operation(OP_CREATE_ORDER, catalog::STATUS_ERROR);
        ApiError::bad_request(message)
    })?;
    if let Some(users) = &state.users {
        users.check(new_order.user_id).await.inspect_err(|_| {
            state
                .events
                .operation(OP_CREATE_ORDER, catalog::STATUS_ERROR);
        })?;
    }
    match state.store.create(new_order) {
        Ok(order) => {
            state
                .events
                .operation(OP_CREATE_ORDER, catalog::STATUS_SUCCESS);
            Ok(json(StatusCode::CREATED, order))
        }
        Err(full) => {
            tracing::warn!(max = full.max, "order store full");
            state
                .events
                .operation(OP_CREATE_ORDER, catalog::STATUS_ERROR);
            Err(ApiError::new(
                StatusCode::INSUFFICIENT_STORAGE,
                format!(
                    "Order store is full ({} orders, see --max-orders)",
                    full.max
                ),
            ))
        }
    }
}
