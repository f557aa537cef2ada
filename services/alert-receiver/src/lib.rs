//! The lookout alert receiver: the webhook that Alertmanager delivers notifications to.
//! It checks each notification, logs it as one line, keeps the last N in memory (and,
//! optionally, in a JSON-lines file), serves them on `GET /alerts` and counts them on
//! `/metrics`.

pub mod alert_filter;
pub mod label_cap;
pub mod payload;
pub mod ring;
pub mod store_file;
pub mod timestamp;
