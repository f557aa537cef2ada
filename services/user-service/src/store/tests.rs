use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use service_runtime::fields::{self, MAX_TEXT_BYTES};
use service_runtime::pagination::MAX_LIMIT;

use super::*;

fn json(bytes: &Bytes) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn list(store: &UserStore, request: PageRequest) -> serde_json::Value {
    json(&store.page(request).to_json(LIST_KEY))
}

#[test]
fn seed_matches_the_exercise() {
    let store = UserStore::seeded(10);
    let list = list(&store, PageRequest::default());
    assert_eq!(list["total"], 3);
    assert_eq!(list["active"], 2);
    assert_eq!(list["users"][2]["name"], "Charlie");
    let charlie = store.get_json(3).map(|user| json(&user));
    assert_eq!(
        charlie.map(|user| user["active"].clone()),
        Some(false.into())
    );
    assert_eq!(store.get_json(0), None);
    assert_eq!(store.get_json(4), None);
}

#[test]
fn created_users_get_the_exercise_defaults_and_the_next_id() {
    let store = UserStore::seeded(10);
    let user = store.create(NewUser::default()).expect("room left");
    assert_eq!(
        json(&user),
        serde_json::json!({"id": 4, "name": "User4", "email": "user4@test.com", "active": true})
    );
    assert_eq!(store.get_json(4), Some(user));
    assert_eq!(list(&store, PageRequest::default())["active"], 3);
}

#[test]
fn a_full_store_refuses_new_users() {
    let store = UserStore::seeded(4);
    assert!(store.create(NewUser::default()).is_ok());
    assert_eq!(store.create(NewUser::default()), Err(StoreFull { max: 4 }));
    assert_eq!(list(&store, PageRequest::default())["total"], 4);
}

#[test]
fn pages_window_the_users_and_count_them_all() {
    let store = UserStore::seeded(10);
    let page = list(
        &store,
        PageRequest {
            offset: 1,
            limit: 1,
        },
    );
    assert_eq!(
        page,
        serde_json::json!({
            "users": [{"id": 2, "name": "Bob", "email": "bob@test.com", "active": true}],
            "total": 3,
            "active": 2,
        })
    );
    let past_the_end = list(
        &store,
        PageRequest {
            offset: 3,
            limit: 5,
        },
    );
    assert_eq!(past_the_end["users"], serde_json::json!([]));
    assert_eq!(past_the_end["total"], 3);
}

/// The largest user the API accepts: the longest id and the longest name and
/// e-mail of the character JSON escapes into the most bytes.
fn largest_accepted_user() -> User {
    let text = "\"".repeat(MAX_TEXT_BYTES);
    assert_eq!(fields::check_text("name", &text), Ok(()));
    User {
        id: u64::MAX,
        name: text.clone(),
        email: text,
        active: false,
    }
}

#[test]
fn the_largest_user_fits_its_bound() {
    assert_eq!(to_json(&largest_accepted_user()).len(), MAX_USER_JSON_BYTES);
}

#[test]
fn a_page_of_the_largest_users_stays_within_one_mebibyte() {
    let entries = vec![Entry::new(&to_json(&largest_accepted_user())); MAX_LIMIT];
    let page = Page {
        entries,
        total: usize::MAX,
        active: usize::MAX,
    };
    assert!(page.to_json(LIST_KEY).len() <= pagination::MAX_BODY_BYTES);
}

#[test]
fn a_taken_page_holds_no_lock_and_keeps_its_snapshot() {
    let store = Arc::new(UserStore::seeded(10));
    let page = store.page(PageRequest::default());
    // Another thread creates a user while the page is alive and not yet written:
    // it would block forever if the page kept the store locked.
    let (sender, receiver) = mpsc::channel();
    let creator = Arc::clone(&store);
    std::thread::spawn(move || {
        let _ = sender.send(creator.create(NewUser::default()));
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
    assert_eq!(written["users"].as_array().map(Vec::len), Some(3));
}
