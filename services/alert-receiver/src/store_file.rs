//! The optional JSON-lines store file: one accepted notification per line, appended
//! and synced to disk before the webhook answers 200, and read back at start-up so a
//! restart loses nothing. Alertmanager retries a notification that did not get a 2xx,
//! so writing first and answering after is what makes delivery durable end to end.
//!
//! A crash can leave the last line torn. Reading skips any line that does not parse
//! (with a warning) instead of refusing to start, and the next append starts on a fresh
//! line so a torn tail never corrupts the record written after it.
//!
//! The file keeps everything; memory does not. Reading goes through the same bounded
//! ring as live traffic, and a line longer than [`MAX_LINE_BYTES`] (more than the
//! receiver ever writes) is stepped over in chunks without being kept, so a huge or
//! newline-free file cannot blow up the receiver's memory at start-up. Only lines of
//! payload version "4", the one the webhook accepts, are loaded; a line of another
//! version is skipped with a warning, like a torn one. The path must be a regular file
//! (or not exist yet): a device or a FIFO would never end or never open.

use std::fs::OpenOptions;
use std::io::{self, BufReader, Write};
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::bounded_lines::read_line_bounded;
use crate::payload::SUPPORTED_VERSION;
use crate::ring::{HistoryBounds, NotificationRing, Pushed, StoredNotification};

/// The longest store file line read at start-up (4 MiB). A line holds one accepted body
/// (at most 1 MiB) written back out, which the defaults a sender left out and the
/// `receivedAt` wrapper make at most about 1.8 times longer; anything longer was not
/// written by this receiver.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// The store file, open for appending.
#[derive(Debug)]
pub struct StoreFile {
    path: PathBuf,
    file: tokio::fs::File,
    /// Set when the last write may have left a partial line behind.
    needs_newline: bool,
}

/// What reading the store file at start-up found.
#[derive(Debug)]
pub struct Loaded {
    /// The file, ready for appending.
    pub store: StoreFile,
    /// The newest readable notifications within the bounds, oldest first.
    pub ring: NotificationRing,
    /// Readable lines found (including those older than the ring keeps).
    pub lines_read: usize,
    /// Lines that did not parse, or were longer than the byte bound, and were skipped.
    pub lines_skipped: usize,
}

/// Opening, reading or writing the store file failed. The message names the path and
/// the cause once (the I/O error is part of the message, not a separate source, so
/// `{:#}` does not repeat it).
#[derive(Debug, thiserror::Error)]
pub enum StoreFileError {
    /// An I/O error.
    #[error("store file {path}: {cause}")]
    Io {
        /// The store file.
        path: PathBuf,
        /// What the system said.
        cause: io::Error,
    },
    /// The path exists but is not a regular file (a directory, device, FIFO, ...).
    #[error("store file {path}: not a regular file")]
    NotARegularFile {
        /// The store file.
        path: PathBuf,
    },
}

impl StoreFile {
    /// Opens `path` (creating it if missing), reads every line, and keeps the newest
    /// notifications within `bounds`. Unreadable lines are skipped with a warning.
    pub fn open(path: &Path, bounds: HistoryBounds) -> Result<Loaded, StoreFileError> {
        let error = |cause| StoreFileError::Io {
            path: path.to_owned(),
            cause,
        };
        let not_regular = || StoreFileError::NotARegularFile {
            path: path.to_owned(),
        };
        // Checked before opening: opening a FIFO would wait for a writer.
        match std::fs::metadata(path) {
            Ok(metadata) if !metadata.is_file() => return Err(not_regular()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(error(e)),
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(error)?;
        // Checked again on what was opened, in case the path changed in between.
        if !file.metadata().map_err(error)?.is_file() {
            return Err(not_regular());
        }
        let mut ring = NotificationRing::new(bounds);
        let (mut lines_read, mut lines_skipped, mut ends_with_newline) = (0, 0, true);
        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        for line_number in 1.. {
            let Some(read) =
                read_line_bounded(&mut reader, &mut line, MAX_LINE_BYTES).map_err(error)?
            else {
                break;
            };
            ends_with_newline = read.ends_with_newline;
            if read.too_long {
                lines_skipped += 1;
                tracing::warn!(path = %path.display(), line = line_number,
                    max_line_bytes = MAX_LINE_BYTES,
                    "skipping an over-long store file line (it stays in the file)");
                continue;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<StoredNotification>(&line) {
                Ok(stored) if stored.notification.version != SUPPORTED_VERSION => {
                    lines_skipped += 1;
                    tracing::warn!(path = %path.display(), line = line_number,
                        version = %stored.notification.version, expected = SUPPORTED_VERSION,
                        "skipping a store file line of an unsupported payload version");
                }
                Ok(mut stored) => {
                    lines_read += 1;
                    stored.notification.alerts.shrink_to_fit();
                    if let Pushed::TooLarge { size } = ring.push(stored) {
                        tracing::warn!(path = %path.display(), line = line_number, size,
                            "a stored notification is larger than the memory bound; not kept in memory");
                    }
                }
                Err(e) => {
                    lines_skipped += 1;
                    tracing::warn!(path = %path.display(), line = line_number, error = %e,
                        "skipping an unreadable line of the store file");
                }
            }
        }
        if !ends_with_newline {
            // A torn last line: end it so the next record starts on its own line.
            file.write_all(b"\n").map_err(error)?;
            file.sync_data().map_err(error)?;
        }
        let store = StoreFile {
            path: path.to_owned(),
            file: tokio::fs::File::from_std(file),
            needs_newline: false,
        };
        Ok(Loaded {
            store,
            ring,
            lines_read,
            lines_skipped,
        })
    }

    /// Appends one notification as a JSON line and waits until it is on disk.
    pub async fn append(&mut self, stored: &StoredNotification) -> Result<(), StoreFileError> {
        let mut line = Vec::with_capacity(1024);
        if self.needs_newline {
            line.push(b'\n');
        }
        serde_json::to_writer(&mut line, stored).map_err(|e| self.error(e.into()))?;
        line.push(b'\n');
        // Until the write is known complete, assume a partial line may be on disk.
        self.needs_newline = true;
        self.file
            .write_all(&line)
            .await
            .map_err(|e| self.error(e))?;
        self.file.flush().await.map_err(|e| self.error(e))?;
        self.file.sync_data().await.map_err(|e| self.error(e))?;
        self.needs_newline = false;
        Ok(())
    }

    /// The file's path, for log lines.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn error(&self, cause: io::Error) -> StoreFileError {
        StoreFileError::Io {
            path: self.path.clone(),
            cause,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::tests::{bounds, stored};

    fn capacity(n: usize) -> HistoryBounds {
        bounds(n, usize::MAX)
    }

    fn line(key: &str) -> String {
        serde_json::to_string(&stored(key)).expect("serializes") + "\n"
    }

    fn keys(ring: &NotificationRing) -> Vec<String> {
        ring.iter()
            .map(|s| s.notification.group_key.clone())
            .collect()
    }

    #[test]
    fn creates_a_missing_file_and_starts_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let loaded = StoreFile::open(&path, capacity(5)).expect("opens");
        assert!(loaded.ring.is_empty());
        assert!(path.exists());
    }

    #[test]
    fn keeps_the_last_capacity_notifications() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let content: String = ["a", "b", "c", "d"].into_iter().map(line).collect();
        std::fs::write(&path, content).expect("writes");
        let loaded = StoreFile::open(&path, capacity(3)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["b", "c", "d"]);
        assert_eq!((loaded.lines_read, loaded.lines_skipped), (4, 0));
    }

    #[test]
    fn skips_corrupt_and_torn_lines_without_failing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let torn = line("torn");
        let content = line("a") + "not json\n\n" + &line("b") + &torn[..torn.len() / 2];
        std::fs::write(&path, content).expect("writes");
        let loaded = StoreFile::open(&path, capacity(10)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["a", "b"]);
        assert_eq!((loaded.lines_read, loaded.lines_skipped), (2, 2));
    }

    #[test]
    fn skips_lines_that_are_not_utf8() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let mut content = line("a").into_bytes();
        content.extend_from_slice(b"\xff\xfe\n");
        std::fs::write(&path, content).expect("writes");
        let loaded = StoreFile::open(&path, capacity(10)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["a"]);
        assert_eq!(loaded.lines_skipped, 1);
    }

    #[tokio::test]
    async fn an_append_after_a_torn_tail_is_read_back_intact() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let torn = line("torn");
        std::fs::write(&path, line("a") + &torn[..torn.len() / 2]).expect("writes");
        let mut loaded = StoreFile::open(&path, capacity(10)).expect("opens");
        loaded.store.append(&stored("b")).await.expect("appends");
        drop(loaded);
        let reloaded = StoreFile::open(&path, capacity(10)).expect("reopens");
        assert_eq!(keys(&reloaded.ring), ["a", "b"]);
        assert_eq!(reloaded.lines_skipped, 1);
    }

    #[tokio::test]
    async fn appended_notifications_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let mut loaded = StoreFile::open(&path, capacity(10)).expect("opens");
        for key in ["a", "b", "c"] {
            loaded.store.append(&stored(key)).await.expect("appends");
        }
        drop(loaded);
        let reloaded = StoreFile::open(&path, capacity(10)).expect("reopens");
        assert_eq!(reloaded.ring.iter().next(), Some(&stored("a")));
        assert_eq!(keys(&reloaded.ring), ["a", "b", "c"]);
    }

    #[test]
    fn an_unopenable_path_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing-dir").join("alerts.jsonl");
        let err = StoreFile::open(&path, capacity(1)).expect_err("parent is missing");
        assert!(err.to_string().contains("missing-dir"), "{err}");
    }

    #[test]
    fn keeps_only_the_newest_lines_that_fit_the_byte_bound() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let content: String = ["a", "b", "c", "d"].into_iter().map(line).collect();
        std::fs::write(&path, content).expect("writes");
        let size = stored("a").heap_bytes();
        let loaded = StoreFile::open(&path, bounds(100, size * 2)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["c", "d"]);
        assert_eq!(loaded.ring.bytes(), size * 2);
        assert_eq!((loaded.lines_read, loaded.lines_skipped), (4, 0));
    }

    #[test]
    fn steps_over_an_over_long_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        // Spread over many buffer fills, with no newline until the end.
        let long = "x".repeat(MAX_LINE_BYTES + 10) + "\n";
        std::fs::write(&path, line("a") + &long + &line("b")).expect("writes");
        let loaded = StoreFile::open(&path, capacity(100)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["a", "b"]);
        assert_eq!((loaded.lines_read, loaded.lines_skipped), (2, 1));
    }

    #[test]
    fn skips_lines_of_another_payload_version() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("alerts.jsonl");
        let other = line("v3").replace("\"version\":\"4\"", "\"version\":\"3\"");
        assert_ne!(other, line("v3"));
        std::fs::write(&path, line("a") + &other + &line("b")).expect("writes");
        let loaded = StoreFile::open(&path, capacity(100)).expect("opens");
        assert_eq!(keys(&loaded.ring), ["a", "b"]);
        assert_eq!((loaded.lines_read, loaded.lines_skipped), (2, 1));
    }

    #[test]
    fn refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        // `/dev/zero` is checked against the binary, under a deadline
        // (tests/persistence.rs): here a regression would hang the test run.
        let path = dir.path();
        let err = StoreFile::open(path, capacity(1)).expect_err("not a regular file");
        assert_eq!(
            err.to_string(),
            format!("store file {}: not a regular file", path.display())
        );
    }
}
