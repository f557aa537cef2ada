//! The bounded in-memory user store, seeded with the exercise's three users. The
//! `active_users` gauge is updated under the store's lock, so it always matches the
//! store (from start-up, and whatever the interleaving of concurrent creates).
//! Users never change once created, so each one is serialised once, at creation,
//! and only its JSON is kept: `GET /users/{id}` answers with those bytes and
//! `GET /users` copies a page of them (reference counts) under the lock and joins
//! them after it (see `service_runtime::pagination`).

use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use service_runtime::catalog;
use service_runtime::fields::{MAX_TEXT_JSON_BYTES, MAX_U64_DIGITS};
use service_runtime::pagination::{self, Entry, Page, PageRequest};

/// Key of the user array in `GET /users`.
pub(crate) const LIST_KEY: &str = "users";

/// Largest JSON of one user: `{"id":N,"name":"…","email":"…","active":false}`
/// with the longest id and the longest accepted name and e-mail.
pub const MAX_USER_JSON_BYTES: usize =
    r#"{"id":,"name":,"email":,"active":false}"#.len() + MAX_U64_DIGITS + 2 * MAX_TEXT_JSON_BYTES;

// A page of the largest users at the largest limit stays within the 1 MiB bound.
const _: () = assert!(
    pagination::page_bytes_bound(LIST_KEY, MAX_USER_JSON_BYTES) <= pagination::MAX_BODY_BYTES
);

/// A user, serialised exactly as the exercise's Flask app does.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Unique id, 1-based, assigned in creation order.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Whether the user counts in `active_users`.
    pub active: bool,
}

/// Fields a client may set when creating a user; `None` takes the exercise's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewUser {
    /// Name, default `User<id>`.
    pub name: Option<String>,
    /// E-mail, default `user<id>@test.com`.
    pub email: Option<String>,
    /// Active flag, default true.
    pub active: Option<bool>,
}

/// Returned when the store holds `max` users already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreFull {
    /// The configured bound.
    pub max: usize,
}

#[derive(Debug)]
struct Users {
    /// `json[i]` is the user with id `i + 1`, serialised.
    json: Vec<Entry>,
    active: usize,
}

fn to_json(user: &User) -> Bytes {
    // Serialising a plain struct of strings, numbers and booleans cannot fail.
    Bytes::from(serde_json::to_vec(user).unwrap_or_default())
}

/// Users in creation order, at most `max` (the seed users always fit).
#[derive(Debug)]
pub struct UserStore {
    users: Mutex<Users>,
    max: usize,
}

impl UserStore {
    /// A store holding Alice, Bob and Charlie (inactive), as in the exercise.
    pub fn seeded(max: usize) -> Self {
        let seed = [
            ("Alice", "alice@test.com", true),
            ("Bob", "bob@test.com", true),
            ("Charlie", "charlie@test.com", false),
        ];
        let list: Vec<User> = seed
            .iter()
            .zip(1..)
            .map(|((name, email, active), id)| User {
                id,
                name: (*name).to_owned(),
                email: (*email).to_owned(),
                active: *active,
            })
            .collect();
        let active = list.iter().filter(|user| user.active).count();
        let json = list.iter().map(|item| Entry::new(&to_json(item))).collect();
        publish_active(active);
        Self {
            users: Mutex::new(Users { json, active }),
            max,
        }
    }

    /// The users `request` selects, the total and the number of active users,
    /// copied so the caller writes the JSON without holding the lock.
    pub fn page(&self, request: PageRequest) -> Page {
        let users = self.lock();
        Page {
            entries: request.select(&users.json),
            total: users.json.len(),
            active: users.active,
        }
    }

    /// The JSON of the user with `id`.
    pub fn get_json(&self, id: u64) -> Option<Bytes> {
        let users = self.lock();
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        users.json.get(index).map(Entry::json)
    }

    /// Adds a user with the next id and returns its JSON, or fails if the store is full.
    pub fn create(&self, new: NewUser) -> Result<Bytes, StoreFull> {
        let mut users = self.lock();
        if users.json.len() >= self.max {
            return Err(StoreFull { max: self.max });
        }
        let id = users.json.len() as u64 + 1;
        let user = User {
            id,
            name: new.name.unwrap_or_else(|| format!("User{id}")),
            email: new.email.unwrap_or_else(|| format!("user{id}@test.com")),
            active: new.active.unwrap_or(true),
        };
        let json = to_json(&user);
        if user.active {
            users.active += 1;
            publish_active(users.active);
        }
        users.json.push(Entry::new(&json));
        Ok(json)
    }

    /// A poisoned lock only means a panic elsewhere; the data is still consistent
    /// because every mutation is a single push.
    fn lock(&self) -> std::sync::MutexGuard<'_, Users> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn publish_active(active: usize) {
    metrics::gauge!(catalog::ACTIVE_USERS).set(active as f64);
}

#[cfg(test)]
mod tests;
