//! The optional JSON-lines store file: one accepted notification per line, appended
//! and synced to disk before the webhook answers 200, and read back at start-up so a
//! restart loses nothing. Alertmanager retries a notification that did not get a 2xx,
//! so writing first and answering after is what makes delivery durable end to end.
//!
//! A crash can leave the last line torn. Reading skips any line that does not parse
//! (with a warning) instead of refusing to start, and the next append starts on a fresh
//! line so a torn tail never corrupts the record written after it.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use crate::ring::{NotificationRing, StoredNotification};

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
    /// The last `capacity` readable notifications, oldest first.
    pub ring: NotificationRing,
    /// Readable lines found (including those older than the ring keeps).
    pub lines_read: usize,
    /// Lines that did not parse and were skipped.
    pub lines_skipped: usize,
}

/// Opening or reading the store file failed.
#[derive(Debug, thiserror::Error)]
#[error("store file {path}: {source}")]
pub struct StoreFileError {
    path: PathBuf,
    source: std::io::Error,
}

impl StoreFile {
    /// Opens `path` (creating it if missing), reads every line, and keeps the last
    /// `capacity` notifications. Unreadable lines are skipped with a warning.
    pub fn open(path: &Path, capacity: NonZeroUsize) -> Result<Loaded, StoreFileError> {
        let error = |source| StoreFileError {
            path: path.to_owned(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(error)?;
        let mut ring = NotificationRing::new(capacity);
        let (mut lines_read, mut lines_skipped, mut ends_with_newline) = (0, 0, true);
        let mut reader = BufReader::new(&file);
        let mut line = Vec::new();
        for line_number in 1.. {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(error)? == 0 {
                break;
            }
            ends_with_newline = line.last() == Some(&b'\n');
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<StoredNotification>(&line) {
                Ok(stored) => {
                    lines_read += 1;
                    ring.push(stored);
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

    fn error(&self, source: std::io::Error) -> StoreFileError {
        StoreFileError {
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ring::tests::stored;

    fn capacity(n: usize) -> NonZeroUsize {
        NonZeroUsize::new(n).expect("non-zero")
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
}
