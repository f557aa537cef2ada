//! Sending a `GET /alerts` answer in small chunks, with a deadline.
//!
//! The answer is built in memory (under the history lock, bounded by its share of the
//! answer budget), then handed to a task that feeds it to the connection one chunk at
//! a time, freeing each entry once sent. The task holds the answer slot and the
//! answer; if the client does not read it all within `--alerts-send-timeout`, the task
//! drops both and the connection is aborted. A client that never reads thus holds at
//! most a chunk or two, and only until the deadline, however large the answer.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body::Frame;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// Bytes per chunk handed to the connection (an entry longer than this goes whole).
pub const CHUNK_BYTES: usize = 16 * 1024;

/// A built answer: its serialized entries, newest first, and the closing part.
#[derive(Debug)]
pub struct Answer {
    /// Serialized entries, newest first (sent from the back: oldest first).
    pub entries: Vec<Box<[u8]>>,
    /// Everything after the `alerts` array: `],"total":...}`.
    pub tail: String,
    /// Whether the opening `{"alerts":[` is still to be sent.
    started: bool,
}

impl Answer {
    /// An answer of `entries` (newest first) closed by `tail`.
    pub fn new(entries: Vec<Box<[u8]>>, tail: String) -> Self {
        Self {
            entries,
            tail,
            started: false,
        }
    }

    /// The next chunk of the body, or `None` once it was all returned. Entries are
    /// freed as they are copied out.
    pub fn next_chunk(&mut self) -> Option<Bytes> {
        if self.started && self.entries.is_empty() && self.tail.is_empty() {
            return None;
        }
        let mut chunk = Vec::with_capacity(CHUNK_BYTES);
        if !self.started {
            self.started = true;
            chunk.extend_from_slice(b"{\"alerts\":[");
        }
        while chunk.len() < CHUNK_BYTES {
            let Some(entry) = self.entries.pop() else {
                chunk.extend_from_slice(std::mem::take(&mut self.tail).as_bytes());
                break;
            };
            chunk.extend_from_slice(&entry);
            if !self.entries.is_empty() {
                chunk.push(b',');
            }
        }
        Some(Bytes::from(chunk))
    }
}

/// What the sending task passes to the body.
enum Piece {
    Data(Bytes),
    End,
}

/// Starts sending `answer` and returns the response body. `slot` is held until the
/// answer is sent or abandoned.
pub fn send(mut answer: Answer, slot: OwnedSemaphorePermit, deadline: Duration) -> Body {
    let (sender, receiver) = mpsc::channel(1);
    tokio::spawn(async move {
        let _slot = slot;
        let feed = async {
            while let Some(chunk) = answer.next_chunk() {
                if sender.send(Piece::Data(chunk)).await.is_err() {
                    return;
                }
            }
            let _ = sender.send(Piece::End).await;
        };
        if tokio::time::timeout(deadline, feed).await.is_err() {
            tracing::warn!(
                ?deadline,
                "a GET /alerts client did not read its answer in time; connection aborted"
            );
        }
        // Dropping the answer, the sender and the slot here frees everything.
    });
    Body::new(ChunkBody { receiver })
}

/// The response body: chunks from the sending task; an error if it gave up.
struct ChunkBody {
    receiver: mpsc::Receiver<Piece>,
}

/// The answer was abandoned before the client read it all.
#[derive(Debug, thiserror::Error)]
#[error("the answer was not read within the send timeout")]
struct Abandoned;

impl http_body::Body for ChunkBody {
    type Data = Bytes;
    type Error = Abandoned;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Abandoned>>> {
        match self.receiver.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Piece::Data(chunk))) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            Poll::Ready(Some(Piece::End)) => Poll::Ready(None),
            // Ended without `End`: a truncated body must not look complete.
            Poll::Ready(None) => Poll::Ready(Some(Err(Abandoned))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_chunks(mut answer: Answer) -> Vec<Bytes> {
        std::iter::from_fn(|| answer.next_chunk()).collect()
    }

    #[test]
    fn chunks_join_into_the_whole_answer_oldest_first() {
        let entries: Vec<Box<[u8]>> = (0..3000)
            .rev()
            .map(|i| format!("{{\"n\":{i}}}").into_bytes().into_boxed_slice())
            .collect();
        let chunks = all_chunks(Answer::new(entries, "],\"total\":3000}".to_owned()));
        assert!(chunks.len() > 1, "split into chunks");
        assert!(chunks.iter().all(|c| c.len() <= CHUNK_BYTES + 100));
        let body: Vec<u8> = chunks.concat();
        let value: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        let numbers: Vec<u64> = value["alerts"]
            .as_array()
            .expect("array")
            .iter()
            .map(|entry| entry["n"].as_u64().expect("n"))
            .collect();
        assert_eq!(numbers, (0..3000).collect::<Vec<u64>>());
    }

    #[test]
    fn an_empty_answer_is_one_chunk() {
        let chunks = all_chunks(Answer::new(Vec::new(), "],\"total\":0}".to_owned()));
        assert_eq!(chunks.concat(), b"{\"alerts\":[],\"total\":0}");
    }
}
