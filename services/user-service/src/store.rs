//! The bounded in-memory user store, seeded with the exercise's three users. The
//! `active_users` gauge is updated under the store's lock, so it always matches the
//! store (from start-up, and whatever the interleaving of concurrent creates).
//! Users never change once created, so each one's JSON is serialised once, at
//! creation, and `GET /users/{id}` answers with those bytes.

use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use service_runtime::catalog;

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
    list: Vec<User>,
    /// `json[i]` is `list[i]` serialised.
    json: Vec<Bytes>,
    active: usize,
}

/// Body of `GET /users`.
#[derive(serde::Serialize)]
struct UserList<'a> {
    users: &'a [User],
    total: usize,
    active: usize,
}

fn to_json(value: &impl serde::Serialize) -> Bytes {
    // Serialising plain structs of strings, numbers and booleans cannot fail.
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
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
        let json = list.iter().map(to_json).collect();
        publish_active(active);
        Self {
            users: Mutex::new(Users { list, json, active }),
            max,
        }
    }

    /// The `GET /users` body: every user, the total and the number of active ones.
    pub fn list_json(&self) -> Bytes {
        let users = self.lock();
        to_json(&UserList {
            users: &users.list,
            total: users.list.len(),
            active: users.active,
        })
    }

    /// The JSON of the user with `id`.
    pub fn get_json(&self, id: u64) -> Option<Bytes> {
        let users = self.lock();
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        users.json.get(index).cloned()
    }

    /// Adds a user with the next id and returns its JSON, or fails if the store is full.
    pub fn create(&self, new: NewUser) -> Result<Bytes, StoreFull> {
        let mut users = self.lock();
        if users.list.len() >= self.max {
            return Err(StoreFull { max: self.max });
        }
        let id = users.list.len() as u64 + 1;
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
        users.list.push(user);
        users.json.push(json.clone());
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
mod tests {
    use super::*;

    fn json(bytes: &Bytes) -> serde_json::Value {
        serde_json::from_slice(bytes).expect("valid JSON")
    }

    #[test]
    fn seed_matches_the_exercise() {
        let store = UserStore::seeded(10);
        let list = json(&store.list_json());
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
        assert_eq!(json(&store.list_json())["active"], 3);
    }

    #[test]
    fn a_full_store_refuses_new_users() {
        let store = UserStore::seeded(4);
        assert!(store.create(NewUser::default()).is_ok());
        assert_eq!(store.create(NewUser::default()), Err(StoreFull { max: 4 }));
        assert_eq!(json(&store.list_json())["total"], 4);
    }
}
