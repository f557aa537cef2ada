//! The bounded in-memory order store, seeded with the exercise's three orders. The
//! `active_orders` gauge (status active or pending, as the exercise's gauge) is
//! updated under the store's lock, so it matches the store from start-up on.
//! Orders never change once created, so each one's JSON is serialised once, at
//! creation, and `GET /orders/{id}` answers with those bytes.

use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use serde_json::Number;
use service_runtime::catalog;

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
    /// Amount as the client sent it (kept as a JSON number so `300` stays `300`).
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
    /// Product name, never empty.
    pub product: String,
    /// Non-negative amount.
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
    list: Vec<Order>,
    /// `json[i]` is `list[i]` serialised.
    json: Vec<Bytes>,
    /// Orders counted by the `active_orders` gauge (active or pending).
    open: usize,
    /// Orders whose status is `active`, as `GET /orders` reports.
    active: usize,
}

/// Body of `GET /orders`.
#[derive(serde::Serialize)]
struct OrderList<'a> {
    orders: &'a [Order],
    total: usize,
    active: usize,
}

fn to_json(value: &impl serde::Serialize) -> Bytes {
    // Serialising plain structs of strings and numbers cannot fail.
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
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
        let json = list.iter().map(to_json).collect();
        publish_open(open);
        Self {
            orders: Mutex::new(Orders {
                list,
                json,
                open,
                active,
            }),
            max,
        }
    }

    /// The `GET /orders` body: every order, the total and the number whose status
    /// is `active`.
    pub fn list_json(&self) -> Bytes {
        let orders = self.lock();
        to_json(&OrderList {
            orders: &orders.list,
            total: orders.list.len(),
            active: orders.active,
        })
    }

    /// The JSON of the order with `id`.
    pub fn get_json(&self, id: u64) -> Option<Bytes> {
        let orders = self.lock();
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        orders.json.get(index).cloned()
    }

    /// Adds an `active` order with the next id and returns its JSON, or fails if
    /// the store is full.
    pub fn create(&self, new: NewOrder) -> Result<Bytes, StoreFull> {
        let mut orders = self.lock();
        if orders.list.len() >= self.max {
            return Err(StoreFull { max: self.max });
        }
        let order = Order {
            id: orders.list.len() as u64 + 1,
            user_id: new.user_id,
            product: new.product,
            amount: new.amount,
            status: STATUS_ACTIVE.to_owned(),
        };
        let json = to_json(&order);
        orders.list.push(order);
        orders.json.push(json.clone());
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
mod tests {
    use super::*;

    fn monitor() -> NewOrder {
        NewOrder {
            user_id: 1,
            product: "Monitor".to_owned(),
            amount: Number::from(300),
        }
    }

    fn json(bytes: &Bytes) -> serde_json::Value {
        serde_json::from_slice(bytes).expect("valid JSON")
    }

    #[test]
    fn seed_matches_the_exercise() {
        let store = OrderStore::seeded(10);
        let list = json(&store.list_json());
        assert_eq!(list["total"], 3);
        assert_eq!(list["active"], 1);
        assert_eq!(store.lock().open, 2);
        let mouse = store.get_json(2).map(|order| json(&order));
        assert_eq!(
            mouse.map(|order| order["status"].clone()),
            Some("pending".into())
        );
        assert_eq!(store.get_json(0), None);
    }

    #[test]
    fn created_orders_are_active_with_the_next_id() {
        let store = OrderStore::seeded(10);
        let order = store.create(monitor()).expect("room left");
        assert_eq!(
            std::str::from_utf8(&order).expect("UTF-8"),
            r#"{"id":4,"userId":1,"product":"Monitor","amount":300,"status":"active"}"#
        );
        assert_eq!(store.get_json(4), Some(order));
        assert_eq!(json(&store.list_json())["active"], 2);
        assert_eq!(store.lock().open, 3);
    }

    #[test]
    fn a_full_store_refuses_new_orders() {
        let store = OrderStore::seeded(3);
        assert_eq!(store.create(monitor()), Err(StoreFull { max: 3 }));
    }
}
