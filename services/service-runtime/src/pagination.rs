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
mod tests;
