use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use service_runtime::fields::{self, MAX_TEXT_BYTES};
use service_runtime::pagination::MAX_LIMIT;

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

fn list(store: &OrderStore, request: PageRequest) -> serde_json::Value {
    json(&store.page(request).to_json(LIST_KEY))
}

#[test]
fn seed_matches_the_exercise() {
    let store = OrderStore::seeded(10);
    let list = list(&store, PageRequest::default());
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
    assert_eq!(list(&store, PageRequest::default())["active"], 2);
    assert_eq!(store.lock().open, 3);
}

#[test]
fn a_full_store_refuses_new_orders() {
    let store = OrderStore::seeded(3);
    assert_eq!(store.create(monitor()), Err(StoreFull { max: 3 }));
}

#[test]
fn pages_window_the_orders_and_count_them_all() {
    let store = OrderStore::seeded(10);
    let page = list(
        &store,
        PageRequest {
            offset: 2,
            limit: 5,
        },
    );
    assert_eq!(
        page,
        serde_json::json!({
            "orders": [{"id": 3, "userId": 1, "product": "Keyboard", "amount": 75, "status": "active"}],
            "total": 3,
            "active": 1,
        })
    );
}

/// The largest order the API accepts: the longest ids, the longest product of
/// the character JSON escapes into the most bytes, the longest amount.
fn largest_accepted_order() -> Order {
    let product = "\\".repeat(MAX_TEXT_BYTES);
    assert_eq!(fields::check_text("product", &product), Ok(()));
    Order {
        id: u64::MAX,
        user_id: u64::MAX,
        product,
        // 17 significant digits and a three-digit negative exponent: the longest
        // shortest form of a positive 64-bit float.
        amount: Number::from_f64(1.2345678901234567e-300).expect("finite"),
        status: "completed".to_owned(),
    }
}

#[test]
fn the_largest_order_fits_its_bound() {
    assert_eq!(
        to_json(&largest_accepted_order()).len(),
        MAX_ORDER_JSON_BYTES
    );
}

#[test]
fn a_page_of_the_largest_orders_stays_within_one_mebibyte() {
    let entries = vec![Entry::new(&to_json(&largest_accepted_order())); MAX_LIMIT];
    let page = Page {
        entries,
        total: usize::MAX,
        active: usize::MAX,
    };
    assert!(page.to_json(LIST_KEY).len() <= pagination::MAX_BODY_BYTES);
}

#[test]
fn a_taken_page_holds_no_lock_and_keeps_its_snapshot() {
    let store = Arc::new(OrderStore::seeded(10));
    let page = store.page(PageRequest::default());
    // Another thread creates an order while the page is alive and not yet
    // written: it would block forever if the page kept the store locked.
    let (sender, receiver) = mpsc::channel();
    let creator = Arc::clone(&store);
    std::thread::spawn(move || {
        let _ = sender.send(creator.create(monitor()));
    });
    let created = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("the create completes while the page is held");
    assert!(created.is_ok());
    let written = json(&page.to_json(LIST_KEY));
    assert_eq!(
        written["total"], 3,
        "the page is the state when it was taken"
    );
}
