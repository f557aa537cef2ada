//! Pages of a collection (`GET /users`, `GET /orders`), shared by both services.
//!
//! The stores are append-only (ids are 1-based and gap-free, nothing is ever
//! deleted), so the item at a given offset never changes: an `offset` is as stable
//! as a cursor, and lets a client jump to any page. A page is taken in two steps so
//! that the store's lock is never held while JSON is written: the store copies the
//! page's entries (each an already-serialised, reference-counted [`Entry`], so a
//! copy is a counter increment) and its counts into a [`Page`]; the handler then
//! answers [`Page::into_body`] after the lock is released. That body sends the
//! stored bytes themselves, one frame per item, so an answer costs no copy of its
//! items: a client that never reads holds on to shared entries, not to a page of
//! its own.
//!
//! The answer is bounded without cutting pages by bytes: every field of an item
//! has a byte bound ([`crate::fields`]), so each service checks at compile time
//! that [`page_bytes_bound`] of its largest item is at most [`MAX_BODY_BYTES`].

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use http_body::{Frame, SizeHint};

use crate::fields::MAX_U64_DIGITS;

/// Items in a page when the request gives no `limit`.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest accepted `limit`.
pub const MAX_LIMIT: usize = 500;
/// No list answer is larger than this (1 MiB).
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Which items of a collection to answer: `offset` items skipped, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Items skipped from the start (creation order).
    pub offset: usize,
    /// Most items answered, 1 to [`MAX_LIMIT`].
    pub limit: usize,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

impl PageRequest {
    /// Reads `limit` and `offset` from a raw query string; other parameters are
    /// ignored, as the exercise's apps ignore them. Values are plain decimals (no
    /// sign, no leading zero, no percent-encoding); the error names the parameter.
    pub fn from_query(query: Option<&str>) -> Result<Self, String> {
        let (mut limit, mut offset) = (None, None);
        for pair in query.unwrap_or("").split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match name {
                "limit" => &mut limit,
                "offset" => &mut offset,
                _ => continue,
            };
            if slot.replace(value).is_some() {
                return Err(format!("parameter '{name}' is given more than once"));
            }
        }
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(text) => crate::fields::plain_decimal(text)
                .and_then(|limit| usize::try_from(limit).ok())
                .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                .ok_or_else(|| {
                    format!("parameter 'limit' must be a whole number from 1 to {MAX_LIMIT}")
                })?,
        };
        let offset = match offset {
            None => 0,
            Some(text) => crate::fields::plain_decimal(text)
                // Past the end is an empty page, however far.
                .map(|offset| usize::try_from(offset).unwrap_or(usize::MAX))
                .ok_or("parameter 'offset' must be a whole number, 0 or more")?,
        };
        Ok(Self { offset, limit })
    }

    /// The requested entries of `entries`, copied (reference counts only).
    pub fn select(self, entries: &[Entry]) -> Vec<Entry> {
        let start = self.offset.min(entries.len());
        let end = start.saturating_add(self.limit).min(entries.len());
        entries[start..end].to_vec()
    }
}

/// One stored item: its JSON object, kept after a comma so that every item but a
/// page's first is sent exactly as stored, separator included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry(Bytes);

impl Entry {
    /// Stores `json`, one item's JSON object.
    pub fn new(json: &[u8]) -> Self {
        let mut stored = Vec::with_capacity(json.len() + 1);
        stored.push(b',');
        stored.extend_from_slice(json);
        Self(Bytes::from(stored))
    }

    /// The item's JSON object (shares the stored bytes).
    pub fn json(&self) -> Bytes {
        self.0.slice(1..)
    }

    /// The item as it follows another one in a list: `,` then its JSON.
    fn after_another(&self) -> Bytes {
        self.0.clone()
    }
}

/// A page taken from a store: its entries and the collection's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The items of the page.
    pub entries: Vec<Entry>,
    /// Items in the whole collection.
    pub total: usize,
    /// The collection's `active` count.
    pub active: usize,
}

impl Page {
    /// `{"<key>":[…],"total":N,"active":M}`, the exercise's list shape, as the
    /// pieces [`Page::into_body`] sends: the stored entries between the opening
    /// and the closing.
    fn pieces(self, key: &'static str) -> impl Iterator<Item = Bytes> {
        let opening = Bytes::from(format!("{{\"{key}\":["));
        let closing = Bytes::from(format!(
            "],\"total\":{},\"active\":{}}}",
            self.total, self.active
        ));
        let items = self.entries.into_iter().enumerate().map(|(index, entry)| {
            if index == 0 {
                entry.json()
            } else {
                entry.after_another()
            }
        });
        std::iter::once(opening)
            .chain(items)
            .chain(std::iter::once(closing))
    }

    /// The answer's body: one frame per piece, with an exact length (so the
    /// answer has a `Content-Length`), holding only references to the entries.
    pub fn into_body(self, key: &'static str) -> Body {
        let pieces: Vec<Bytes> = self.pieces(key).collect();
        let remaining = pieces.iter().map(|piece| piece.len() as u64).sum();
        Body::new(PageBody {
            pieces: pieces.into_iter(),
            remaining,
        })
    }

    /// The whole answer in one buffer (for tests and small answers).
    pub fn to_json(&self, key: &'static str) -> Bytes {
        let pieces: Vec<Bytes> = self.clone().pieces(key).collect();
        Bytes::from(pieces.concat())
    }
}

/// The frames of a page, sent as hyper asks for them.
struct PageBody {
    pieces: std::vec::IntoIter<Bytes>,
    remaining: u64,
}

impl HttpBody for PageBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let body = self.get_mut();
        let piece = body.pieces.next();
        if let Some(piece) = &piece {
            body.remaining -= piece.len() as u64;
        }
        Poll::Ready(piece.map(|piece| Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.pieces.as_slice().is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Longest `{"<key>":[` + `],"total":N,"active":M}` around a page's entries.
pub const fn envelope_bytes(key: &str) -> usize {
    let opening = "{\"\":[".len() + key.len();
    let closing = "],\"total\":,\"active\":}".len() + 2 * MAX_U64_DIGITS;
    opening + closing
}

/// Largest answer of a page of [`MAX_LIMIT`] items of at most `max_entry_bytes`
/// each (plus a separating comma), under `key`.
pub const fn page_bytes_bound(key: &str, max_entry_bytes: usize) -> usize {
    envelope_bytes(key) + MAX_LIMIT * (max_entry_bytes + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(count: usize) -> Vec<Entry> {
        (1..=count)
            .map(|id| Entry::new(format!("{{\"id\":{id}}}").as_bytes()))
            .collect()
    }

    #[test]
    fn no_query_is_the_first_default_page() {
        assert_eq!(PageRequest::from_query(None), Ok(PageRequest::default()));
        assert_eq!(
            PageRequest::from_query(Some("")),
            Ok(PageRequest::default())
        );
        assert_eq!(
            PageRequest::from_query(Some("verbose=1&x")),
            Ok(PageRequest::default())
        );
        assert_eq!(PageRequest::default().limit, DEFAULT_LIMIT);
    }

    #[test]
    fn limit_and_offset_are_read() {
        assert_eq!(
            PageRequest::from_query(Some("offset=20&limit=500")),
            Ok(PageRequest {
                offset: 20,
                limit: MAX_LIMIT
            })
        );
        assert_eq!(
            PageRequest::from_query(Some("limit=1&offset=18446744073709551615")),
            Ok(PageRequest {
                offset: usize::MAX,
                limit: 1
            })
        );
    }

    #[test]
    fn bad_parameters_name_the_problem() {
        let cases = [
            ("limit=0", "'limit' must be a whole number from 1 to 500"),
            ("limit=501", "'limit'"),
            ("limit=", "'limit'"),
            ("limit", "'limit'"),
            ("limit=+5", "'limit'"),
            ("limit=05", "'limit'"),
            ("limit=1e2", "'limit'"),
            ("limit=%31", "'limit'"),
            ("limit=99999999999999999999999", "'limit'"),
            ("offset=-1", "'offset' must be a whole number"),
            ("offset=1.5", "'offset'"),
            ("limit=5&limit=6", "'limit' is given more than once"),
            ("offset=1&offset=1", "'offset' is given more than once"),
        ];
        for (query, expected) in cases {
            let error = PageRequest::from_query(Some(query)).expect_err(query);
            assert!(error.contains(expected), "{query}: {error}");
        }
    }

    #[test]
    fn select_takes_the_window_and_never_overruns() {
        let all = entries(10);
        let page = |offset, limit| PageRequest { offset, limit }.select(&all);
        assert_eq!(page(0, 3), all[..3].to_vec());
        assert_eq!(page(8, 5), all[8..].to_vec());
        assert_eq!(page(10, 5), Vec::<Entry>::new());
        assert_eq!(page(usize::MAX, usize::MAX), Vec::<Entry>::new());
    }

    #[test]
    fn the_page_has_the_exercise_shape() {
        let page = Page {
            entries: entries(2),
            total: 7,
            active: 3,
        };
        let json: serde_json::Value =
            serde_json::from_slice(&page.to_json("users")).expect("valid JSON");
        assert_eq!(
            json,
            serde_json::json!({"users": [{"id": 1}, {"id": 2}], "total": 7, "active": 3})
        );
        let empty = Page {
            entries: Vec::new(),
            total: 0,
            active: 0,
        };
        assert_eq!(
            &empty.to_json("orders")[..],
            br#"{"orders":[],"total":0,"active":0}"#
        );
    }

    #[test]
    fn the_body_streams_the_stored_entries_with_an_exact_length() {
        let stored = entries(3);
        let page = Page {
            entries: stored.clone(),
            total: 3,
            active: 1,
        };
        let whole = page.to_json("users");
        let mut body = page.into_body("users");
        assert_eq!(body.size_hint().exact(), Some(whole.len() as u64));
        // The body never waits: every poll is ready.
        let mut context = Context::from_waker(std::task::Waker::noop());
        let mut frames = Vec::new();
        while let Poll::Ready(Some(frame)) = Pin::new(&mut body).poll_frame(&mut context) {
            let data = frame.expect("infallible").into_data().expect("data");
            frames.push(data);
        }
        assert!(body.is_end_stream());
        assert_eq!(frames.concat(), whole.to_vec());
        // Items after the first are the stored bytes, not copies.
        assert_eq!(frames[2].as_ptr(), stored[1].0.as_ptr());
        assert_eq!(frames.len(), 5);
    }

    #[test]
    fn the_envelope_bound_covers_the_largest_counts() {
        let page = Page {
            entries: Vec::new(),
            total: usize::MAX,
            active: usize::MAX,
        };
        assert_eq!(page.to_json("orders").len(), envelope_bytes("orders"));
    }
}
