//! Request bodies of any size with bounded memory: a body is kept in memory up to
//! [`SPOOL_THRESHOLD`] bytes and spooled to a file of the emulator's [`ScratchDir`] beyond
//! it, as it arrives, through a fixed-size buffer.
//!
//! Handlers that want parsed JSON get it from [`crate::api::params::Params`] (bodies over the
//! service's JSON limit are refused before they are read); handlers that store bytes (file
//! uploads) read the body with [`Body::reader`] or keep its file with [`Body::into_file`].

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use tempfile::{NamedTempFile, TempPath};

use crate::scratch::ScratchDir;

/// Bodies up to this size stay in memory; larger ones go to a file.
pub(crate) const SPOOL_THRESHOLD: usize = 64 * 1024;

/// A request body, de-chunked: in memory when small, in a file of the scratch directory
/// (deleted when the body is dropped) when large.
#[derive(Debug, Default)]
pub(crate) struct Body {
    repr: Repr,
}

enum Repr {
    Memory(Vec<u8>),
    File { file: NamedTempFile, len: u64 },
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Memory(Vec::new())
    }
}

impl fmt::Debug for Repr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repr::Memory(bytes) => write!(f, "Memory({} bytes)", bytes.len()),
            Repr::File { file, len } => write!(f, "File({len} bytes at {:?})", file.path()),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self {
            repr: Repr::Memory(bytes),
        }
    }
}

impl Body {
    /// Its length in bytes.
    pub(crate) fn len(&self) -> u64 {
        match &self.repr {
            Repr::Memory(bytes) => bytes.len() as u64,
            Repr::File { len, .. } => *len,
        }
    }

    /// The bytes, when the body is small enough to be in memory.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "a building block of the file services (DBFS, Files, Workspace)"
        )
    )]
    pub(crate) fn in_memory(&self) -> Option<&[u8]> {
        match &self.repr {
            Repr::Memory(bytes) => Some(bytes),
            Repr::File { .. } => None,
        }
    }

    /// The file the body was spooled to, when it was too large for memory.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "a building block of the file services (DBFS, Files, Workspace)"
        )
    )]
    pub(crate) fn path(&self) -> Option<&Path> {
        match &self.repr {
            Repr::Memory(_) => None,
            Repr::File { file, .. } => Some(file.path()),
        }
    }

    /// A reader of the whole body, from its first byte.
    ///
    /// # Errors
    ///
    /// When a spooled body's file cannot be opened again.
    pub(crate) fn reader(&self) -> io::Result<BodyReader<'_>> {
        Ok(match &self.repr {
            Repr::Memory(bytes) => BodyReader::Memory(bytes),
            Repr::File { file, len } => BodyReader::File(file.reopen()?.take(*len)),
        })
    }

    /// The whole body in memory: borrowed when it is there, read from its file otherwise.
    /// Only for bodies whose size is already bounded (JSON and form bodies, under the
    /// service's request limit).
    ///
    /// # Errors
    ///
    /// When a spooled body's file cannot be read back completely.
    pub(crate) fn to_bytes(&self) -> io::Result<Cow<'_, [u8]>> {
        match &self.repr {
            Repr::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
            Repr::File { len, .. } => {
                let mut bytes = Vec::with_capacity(usize::try_from(*len).unwrap_or(0));
                self.reader()?.read_to_end(&mut bytes)?;
                if bytes.len() as u64 != *len {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the spooled request body is shorter than what was received",
                    ));
                }
                Ok(Cow::Owned(bytes))
            }
        }
    }

    /// The body as a file of the scratch directory, to keep it (rename it into a service's
    /// store with [`NamedTempFile::persist`]) without copying a spooled body; a body in memory
    /// is written to a new file first.
    ///
    /// # Errors
    ///
    /// When the file cannot be created or written.
    #[cfg_attr(
        not(test),
        expect(
            dead_code,
            reason = "a building block of the file services (DBFS, Files, Workspace)"
        )
    )]
    pub(crate) fn into_file(self, scratch: &ScratchDir) -> io::Result<NamedTempFile> {
        match self.repr {
            Repr::File { file, .. } => Ok(file),
            Repr::Memory(bytes) => {
                let mut file = scratch.file("body-")?;
                file.write_all(&bytes)?;
                Ok(file)
            }
        }
    }
}

impl Body {
    /// A copy of the body as a file of the scratch directory that outlives the request (a
    /// file a service stores), deleted when the returned path is dropped. A spooled body is
    /// not copied: the new file is a second link to its spool file (copied only where links
    /// cannot be made).
    ///
    /// # Errors
    ///
    /// When the file cannot be created or written.
    pub(crate) fn keep_in(&self, scratch: &ScratchDir) -> io::Result<TempPath> {
        match &self.repr {
            Repr::Memory(bytes) => {
                let mut file = scratch.file("file-")?;
                file.write_all(bytes)?;
                file.flush()?;
                Ok(file.into_temp_path())
            }
            Repr::File { file, .. } => {
                let kept =
                    tempfile::Builder::new()
                        .prefix("file-")
                        .make_in(scratch.path()?, |path| {
                            std::fs::hard_link(file.path(), path)
                                .or_else(|_| std::fs::copy(file.path(), path).map(drop))
                        })?;
                Ok(kept.into_temp_path())
            }
        }
    }
}

/// A reader of a [`Body`].
#[derive(Debug)]
pub(crate) enum BodyReader<'a> {
    /// Over the bytes in memory.
    Memory(&'a [u8]),
    /// Over the spooled file, reopened at its start and limited to the received length.
    File(io::Take<File>),
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            BodyReader::Memory(bytes) => bytes.read(buf),
            BodyReader::File(file) => file.read(buf),
        }
    }
}

/// Writing a spooled body failed (disk full, directory removed): the request cannot be
/// carried out, and must not be carried out with a partial body.
#[derive(Debug)]
pub(crate) struct StorageError(pub(crate) io::Error);

/// A body being received: bytes go to memory until [`SPOOL_THRESHOLD`] is passed, then the
/// memory is written out to a new file of the scratch directory and freed, and every further
/// byte goes to the file.
#[derive(Debug)]
pub(crate) struct Spool<'a> {
    scratch: &'a ScratchDir,
    memory: Vec<u8>,
    file: Option<NamedTempFile>,
    len: u64,
}

impl<'a> Spool<'a> {
    /// An empty body that spools to `scratch`.
    pub(crate) fn new(scratch: &'a ScratchDir) -> Self {
        Self {
            scratch,
            memory: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Appends `bytes`.
    ///
    /// # Errors
    ///
    /// When the spool file cannot be created or written.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        if self.file.is_none() && self.memory.len() + bytes.len() > SPOOL_THRESHOLD {
            let mut file = self.scratch.file("body-").map_err(StorageError)?;
            file.write_all(&self.memory).map_err(StorageError)?;
            self.memory = Vec::new();
            self.file = Some(file);
        }
        match &mut self.file {
            Some(file) => file.write_all(bytes).map_err(StorageError)?,
            None => {
                // Grow by doubling, but never past the threshold.
                let needed = self.memory.len() + bytes.len();
                if needed > self.memory.capacity() {
                    let target = (self.memory.capacity() * 2).clamp(needed, SPOOL_THRESHOLD);
                    self.memory.reserve_exact(target - self.memory.len());
                }
                self.memory.extend_from_slice(bytes);
            }
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// The bytes held in memory now (at most [`SPOOL_THRESHOLD`]).
    #[cfg(test)]
    pub(crate) fn memory_held(&self) -> usize {
        self.memory.capacity()
    }

    /// The received body.
    ///
    /// # Errors
    ///
    /// When the spool file cannot be flushed.
    pub(crate) fn finish(self) -> Result<Body, StorageError> {
        let repr = match self.file {
            None => Repr::Memory(self.memory),
            Some(mut file) => {
                file.flush().map_err(StorageError)?;
                Repr::File {
                    file,
                    len: self.len,
                }
            }
        };
        Ok(Body { repr })
    }
}

/// Helpers for tests of large bodies: a reproducible stream of bytes and a streaming hash.
#[cfg(test)]
pub(crate) mod testing {
    use std::io::{self, Read};

    /// `len` pseudo-random bytes (xorshift), the same for the same `seed`, made as they are
    /// read: a test can send gigabytes without holding them.
    #[derive(Debug, Clone)]
    pub(crate) struct Pattern {
        state: u64,
        left: u64,
    }

    impl Pattern {
        pub(crate) fn new(seed: u64, len: u64) -> Self {
            Self {
                state: seed | 1,
                left: len,
            }
        }
    }

    impl Read for Pattern {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf
                .len()
                .min(usize::try_from(self.left).unwrap_or(usize::MAX));
            for byte in &mut buf[..n] {
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                *byte = (self.state >> 24) as u8;
            }
            self.left -= n as u64;
            Ok(n)
        }
    }

    /// FNV-1a (64 bits) of everything `reader` gives, and its length; the same whatever the
    /// sizes of the reads.
    pub(crate) fn fnv1a(mut reader: impl Read) -> io::Result<(u64, u64)> {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut len = 0u64;
        let mut chunk = [0u8; 16 * 1024];
        loop {
            let n = reader.read(&mut chunk)?;
            if n == 0 {
                return Ok((hash, len));
            }
            for &byte in &chunk[..n] {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            len += n as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{Pattern, fnv1a};
    use super::*;

    fn spool(scratch: &ScratchDir, data: &[u8], piece: usize) -> Body {
        let mut spool = Spool::new(scratch);
        for part in data.chunks(piece.max(1)) {
            spool.write(part).unwrap();
            assert!(spool.memory_held() <= SPOOL_THRESHOLD);
        }
        spool.finish().unwrap()
    }

    #[test]
    fn small_bodies_stay_in_memory_and_large_ones_go_to_a_file() {
        let scratch = ScratchDir::new();
        let small = spool(&scratch, &[7u8; SPOOL_THRESHOLD], 1000);
        assert_eq!(small.in_memory().map(<[u8]>::len), Some(SPOOL_THRESHOLD));
        assert!(small.path().is_none());

        let mut data = Vec::new();
        Pattern::new(1, 3 * SPOOL_THRESHOLD as u64 + 5)
            .read_to_end(&mut data)
            .unwrap();
        let large = spool(&scratch, &data, 10_000);
        assert_eq!(large.len(), data.len() as u64);
        assert!(large.in_memory().is_none());
        let path = large.path().unwrap().to_path_buf();
        assert!(path.starts_with(scratch.path().unwrap()));
        assert_eq!(std::fs::read(&path).unwrap(), data);
        assert_eq!(large.to_bytes().unwrap().as_ref(), data.as_slice());
        assert_eq!(
            fnv1a(large.reader().unwrap()).unwrap(),
            fnv1a(data.as_slice()).unwrap()
        );
        drop(large);
        assert!(!path.exists(), "a spooled body's file goes with it");
    }

    #[test]
    fn a_body_can_be_kept_as_a_file_of_the_scratch_directory() {
        let scratch = ScratchDir::new();
        let kept = Body::from(b"small".to_vec()).into_file(&scratch).unwrap();
        assert_eq!(std::fs::read(kept.path()).unwrap(), b"small");
        let large = spool(&scratch, &[1u8; 2 * SPOOL_THRESHOLD], 4096);
        let path = large.path().unwrap().to_path_buf();
        let file = large.into_file(&scratch).unwrap();
        assert_eq!(file.path(), path, "a spooled body is not copied");
    }

    #[test]
    fn the_test_hash_does_not_depend_on_read_sizes() {
        let mut data = Vec::new();
        Pattern::new(9, 100_003).read_to_end(&mut data).unwrap();
        /// Gives at most 7 bytes per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(7).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let whole = fnv1a(data.as_slice()).unwrap();
        let trickled = fnv1a(Trickle(&data)).unwrap();
        assert_eq!(whole, trickled);
        assert_eq!(whole.1, 100_003);
        assert_ne!(whole, fnv1a(&data[1..]).unwrap());
    }
}
