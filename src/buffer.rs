//! The buffer a thread reads JSON answers into, kept between its calls.
//!
//! Each answer used to get a fresh `Vec` sized from `Content-Length`: an allocation big enough
//! to make the allocator sort its free lists on every call, and a free after it. A thread now
//! reads into the same buffer every time; a buffer grown past [`KEEP`] by a large answer (a
//! page of 1,000 clusters is about 6 MB) is freed after that call instead of being kept. The
//! bytes of an answer (which may hold a token or a secret's value) are overwritten with zeros
//! once it is decoded, so the buffer never keeps one answer into the next call.

use std::cell::Cell;

/// Largest buffer a thread keeps between calls: 256 KiB (a small answer is a few KB).
const KEEP: usize = 256 * 1024;

thread_local! {
    static ANSWER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `f` with this thread's answer buffer, empty. A nested use gets a buffer of its own.
pub(crate) fn with<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buffer = ANSWER.take();
    buffer.clear();
    let out = f(&mut buffer);
    if buffer.capacity() <= KEEP {
        buffer.fill(0);
        buffer.clear();
        ANSWER.set(buffer);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_is_reused_empty_and_a_large_one_is_not_kept() {
        let first = with(|b| {
            b.extend_from_slice(b"{\"token_value\":\"dapi123\"}");
            b.as_ptr()
        });
        let again = with(|b| {
            assert!(b.is_empty(), "each use starts empty");
            b.as_ptr()
        });
        assert_eq!(first, again, "the same allocation is reused");
        let nested = with(|outer| {
            outer.push(1);
            with(|inner| inner.is_empty() && inner.capacity() == 0)
        });
        assert!(nested, "a nested use gets a buffer of its own");
        with(|b| b.resize(KEEP + 1, 1));
        with(|b| assert_eq!(b.capacity(), 0, "a buffer grown past KEEP is not kept"));
    }
}
