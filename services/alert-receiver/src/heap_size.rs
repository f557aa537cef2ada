//! What the kept notifications really occupy on the heap, estimated from their data
//! structures: every heap block's length rounded the way the allocator rounds it,
//! plus the fixed-size parts. The in-memory history is bounded by this figure rather
//! than by the JSON size, which says little about the heap (a JSON byte can cost
//! anywhere from under one to twenty heap bytes depending on the shape of the payload).
//! Each type adds up its own parts with these primitives (`Notification::heap_bytes`,
//! `StoredNotification::heap_bytes`), so this module depends on none of them.

/// Bytes glibc's allocator takes for a block of `len` bytes: an 8-byte header, 16-byte
/// granularity and a 32-byte minimum; blocks from 128 KiB on are whole mapped pages.
/// An empty `String`, `Box<str>` or `Vec` allocates nothing.
pub fn allocation(len: usize) -> usize {
    const MMAP_THRESHOLD: usize = 128 * 1024;
    match len {
        0 => 0,
        len if len >= MMAP_THRESHOLD => (len + 16).next_multiple_of(4096),
        len => (len + 8).next_multiple_of(16).max(32),
    }
}

/// Heap bytes of a string's buffer.
pub fn string(text: &String) -> usize {
    allocation(text.capacity())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_the_allocator() {
        assert_eq!(allocation(0), 0);
        assert_eq!(allocation(1), 32);
        assert_eq!(allocation(24), 32);
        assert_eq!(allocation(25), 48);
        assert_eq!(allocation(1000), 1008);
        assert_eq!(allocation(200 * 1024), 200 * 1024 + 4096);
    }
}
