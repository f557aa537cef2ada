//! The bounded in-memory order store, seeded with the exercise's three orders. The
//! `active_orders` gauge (status active or pending, as the exercise's gauge) is
//! updated under the store's lock, so it matches the store from start-up on.
//! Orders never change once created, so each one is serialised once, at creation,
//! and only its JSON is kept: `GET /orders/{id}` answers with those bytes and
//! `GET /orders` copies a page of them (reference counts) under the lock and joins
//! them after it (see `service_runtime::pagination`).

use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use serde_json::Number;
use service_runtime::catalog;
use service_runtime::fields::{MAX_TEXT_JSON_BYTES, MAX_U64_DIGITS};
use service_runtime::pagination::{self, Entry, Page, PageRequest};

/// Largest accepted `amount`: one billion (`input` refuses more).
pub const MAX_AMOUNT: u64 = 1_000_000_000;
/// Longest JSON form of an accepted amount: an integer up to [`MAX_AMOUNT`] has
/// at most 10 digits; a decimal is written in the shortest form that reads back
/// as the same 64-bit float, at most 17 significant digits, a point, and either
/// `e-` with 3 exponent digits or `0.0000` before the digits (23 bytes).
pub(crate) const MAX_AMOUNT_JSON_BYTES: usize = 23;

/// Key of the order array in `GET /orders`.
pub(crate) const LIST_KEY: &str = "orders";

/// Largest JSON of one order:
/// `{"id":N,"userId":N,"product":"…","amount":A,"status":"completed"}` with the
/// longest ids, product and amount.
pub const MAX_ORDER_JSON_BYTES: usize =
    r#"{"id":,"userId":,"product":,"amount":,"status":"completed"}"#.len()
        + 2 * MAX_U64_DIGITS
        + MAX_TEXT_JSON_BYTES
        + MAX_AMOUNT_JSON_BYTES;

// A page of the largest orders at the largest limit stays within the 1 MiB bound.
const _: () = assert!(
    pagination::page_bytes_bound(LIST_KEY, MAX_ORDER_JSON_BYTES) <= pagination::MAX_BODY_BYTES
);

/// An order, serialised exactly as the exercise's Express app does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Order {
    /// Unique id, 1-based, assigned in creation order.
    pub id: u64,
    /// Id of the ordering user.
    #[serde(rename = "userId")]
    pub user_id: u64,
    /// Product name.
    pub product: String,
    /// Amount as stored and echoed: an integer stays an integer (`300`), a
    /// decimal is the nearest 64-bit float, written in its shortest form.
    pub amount: Number,
    /// `active`, `pending` or `completed`; new orders are `active`.
    pub status: String,
}

impl Order {
    /// Counted by the `active_orders` gauge.
    fn is_open(&self) -> bool {
        self.status == STATUS_ACTIVE || self.status == STATUS_PENDING
    }
}

// Status of new orders, and the one `GET /orders` counts as `active`.
const STATUS_ACTIVE: &str = "active";
const STATUS_PENDING: &str = "pending";

/// Validated fields of a new order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// Id of the ordering user.
    pub user_id: u64,
    /// Product name, never blank, at most 256 bytes, no control characters.
    pub product: String,
    /// Amount, 0 (the exercise's default) or in (0, `MAX_AMOUNT`].
    pub amount: Number,
}

/// Returned when the store holds `max` orders already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFull {
    /// The configured bound.
    pub max: usize,
}

#[derive(Debug)]
struct Orders {
    /// `json[i]` is the order with id `i + 1`, serialised.
    json: Vec<Entry>,
    /// Orders counted by the `active_orders` gauge (active or pending).
    open: usize,
    /// Orders whose status is `active`, as `GET /orders` reports.
    active: usize,
}

fn to_json(order: &Order) -> Bytes {
    // Serialising a plain struct of strings and numbers cannot fail.
    Bytes::from(serde_json::to_vec(order).unwrap_or_default())
}

/// Orders in creation order, at most `max` (the seed orders always fit).
#[derive(Debug)]
pub struct OrderStore {
    orders: Mutex<Orders>,
    max: usize,
}

impl OrderStore {
    /// A store holding the exercise's Laptop (completed), Mouse (pending) and
    /// Keyboard (active) orders.
    pub fn seeded(max: usize) -> Self {
        let seed = [
            (1, "Laptop", 1200, "completed"),
            (2, "Mouse", 25, "pending"),
            (1, "Keyboard", 75, STATUS_ACTIVE),
        ];
        let list: Vec<Order> = seed
            .iter()
            .zip(1..)
            .map(|((user_id, product, amount, status), id)| Order {
                id,
                user_id: *user_id,
                product: (*product).to_owned(),
                amount: Number::from(*amount),
                status: (*status).to_owned(),
            })
            .collect();
        let open = list.iter().filter(|order| order.is_open()).count();
        let active = list
            .iter()
            .filter(|order| order.status == STATUS_ACTIVE)
            .count();
        let json = list.iter().map(|item| Entry::new(&to_json(item))).collect();
        publish_open(open);
        Self {
            orders: Mutex::new(Orders { json, open, active }),
            max,
        }
    }

    /// The orders `request` selects, the total and the number whose status is
    /// `active`, copied so the caller writes the JSON without holding the lock.
    pub fn page(&self, request: PageRequest) -> Page {
        let orders = self.lock();
        Page {
            entries: request.select(&orders.json),
            total: orders.json.len(),
            active: orders.active,
        }
    }

    /// The JSON of the order with `id`.
    pub fn get_json(&self, id: u64) -> Option<Bytes> {
        let orders = self.lock();
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        orders.json.get(index).map(Entry::json)
    }

    /// Adds an `active` order with the next id and returns its JSON, or fails if
    /// the store is full.
    pub fn create(&self, new: NewOrder) -> Result<Bytes, StoreFull> {
        let mut orders = self.lock();
        if orders.json.len() >= self.max {
            return Err(StoreFull { max: self.max });
        }
        let order = Order {
            id: orders.json.len() as u64 + 1,
            user_id: new.user_id,
            product: new.product,
            amount: new.amount,
            status: STATUS_ACTIVE.to_owned(),
        };
        let json = to_json(&order);
        orders.json.push(Entry::new(&json));
        orders.open += 1;
        orders.active += 1;
        publish_open(orders.open);
        Ok(json)
    }

    /// A poisoned lock only means a panic elsewhere; the data is still consistent
    /// because every mutation is a single push.
    fn lock(&self) -> std::sync::MutexGuard<'_, Orders> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn publish_open(open: usize) {
    metrics::gauge!(catalog::ACTIVE_ORDERS).set(open as f64);
}

#[cfg(test)]
mod tests;
