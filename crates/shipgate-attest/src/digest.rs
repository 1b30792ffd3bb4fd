//! Artifact digests for in-toto subjects and artifact signatures.
//!
//! An artifact is read once. Reading, SHA-256 and SHA-512 (when wanted)
//! each run on their own thread over the same buffers: with hardware SHA
//! extensions SHA-256 is about as fast as the kernel can copy file pages,
//! so overlapping the two nearly halves the wall time, and SHA-512, several
//! times slower, never holds up the others more than it must.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;

use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

/// Bytes read per chunk: large enough that channel hand-offs cost nothing
/// next to hashing, small enough to keep memory flat for huge artifacts.
const CHUNK_SIZE: usize = 256 << 10;

/// Chunks queued for each hashing thread before the reader waits for it.
const QUEUED_CHUNKS: usize = 4;

/// The digests of one artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArtifactDigests {
    /// SHA-256 of the whole artifact.
    pub sha256: [u8; 32],
    /// SHA-512 of the whole artifact, when it was asked for.
    pub sha512: Option<[u8; 64]>,
}

impl ArtifactDigests {
    /// Lowercase hex of the SHA-256 digest.
    pub fn sha256_hex(&self) -> String {
        to_hex(&self.sha256)
    }

    /// Lowercase hex of the SHA-512 digest, when there is one.
    pub fn sha512_hex(&self) -> Option<String> {
        self.sha512.as_ref().map(|digest| to_hex(digest))
    }

    /// {"sha256": hex, "sha512": hex} for in-toto subjects.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        map.insert("sha256".to_owned(), self.sha256_hex());
        if let Some(sha512) = self.sha512_hex() {
            map.insert("sha512".to_owned(), sha512);
        }
        map
    }
}

/// Streams `reader` once, never loading the whole input. The calling
/// thread only reads; SHA-256 and (when asked) SHA-512 each run on their
/// own thread, fed the same recycled buffers through bounded channels, so
/// reading (a kernel copy that costs about as much as SHA-256 itself) and
/// both hashes overlap.
pub fn digest_reader(mut reader: impl Read, with_sha512: bool) -> io::Result<ArtifactDigests> {
    std::thread::scope(|scope| {
        let (sha256_sender, sha256_chunks) = mpsc::sync_channel::<Arc<Vec<u8>>>(QUEUED_CHUNKS);
        let sha256_worker = scope.spawn(move || {
            let mut sha256 = Sha256::new();
            for chunk in sha256_chunks {
                sha256.update(chunk.as_slice());
            }
            <[u8; 32]>::from(sha256.finalize())
        });
        let mut senders = vec![sha256_sender];
        let sha512_worker = with_sha512.then(|| {
            let (sender, chunks) = mpsc::sync_channel::<Arc<Vec<u8>>>(QUEUED_CHUNKS);
            senders.push(sender);
            scope.spawn(move || {
                let mut sha512 = Sha512::new();
                for chunk in chunks {
                    sha512.update(chunk.as_slice());
                }
                <[u8; 64]>::from(sha512.finalize())
            })
        });

        let read = read_and_forward(&mut reader, &senders);
        // Closing the channels is what lets the workers finish, on success
        // and on a read error alike.
        drop(senders);
        let stopped = || io::Error::other("a digest worker thread stopped unexpectedly");
        let sha256 = sha256_worker.join().map_err(|_| stopped())?;
        let sha512 = sha512_worker
            .map(|worker| worker.join().map_err(|_| stopped()))
            .transpose()?;
        read?;
        Ok(ArtifactDigests { sha256, sha512 })
    })
}

/// Reads the artifact in chunks and hands each to every hashing thread,
/// recycling buffers all of them have finished with.
fn read_and_forward(
    reader: &mut impl Read,
    senders: &[mpsc::SyncSender<Arc<Vec<u8>>>],
) -> io::Result<()> {
    // Each channel holds at most QUEUED_CHUNKS buffers and each worker
    // hashes one more, so the pool stops growing at QUEUED_CHUNKS + 3.
    let mut pool: Vec<Arc<Vec<u8>>> = Vec::with_capacity(QUEUED_CHUNKS + 3);
    loop {
        let free = pool
            .iter_mut()
            .position(|chunk| Arc::get_mut(chunk).is_some());
        let index = match free {
            Some(index) => index,
            None => {
                pool.push(Arc::new(vec![0u8; CHUNK_SIZE]));
                pool.len() - 1
            }
        };
        let chunk = &mut pool[index];
        let Some(buffer) = Arc::get_mut(chunk) else {
            return Err(io::Error::other("a digest buffer was still in use"));
        };
        buffer.resize(CHUNK_SIZE, 0);
        let filled = fill_chunk(reader, buffer)?;
        if filled == 0 {
            return Ok(());
        }
        buffer.truncate(filled);
        for sender in senders {
            if sender.send(Arc::clone(chunk)).is_err() {
                return Err(io::Error::other(
                    "a digest worker thread stopped unexpectedly",
                ));
            }
        }
    }
}

/// Reads until `buffer` is full or the input ends; returns the bytes read.
fn fill_chunk(reader: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// Digests the file at `path`; see [`digest_reader`].
pub fn digest_file(path: &Path, with_sha512: bool) -> io::Result<ArtifactDigests> {
    digest_reader(std::fs::File::open(path)?, with_sha512)
}

/// Constant-time equality of two hex digests (case-insensitive), via `subtle`.
///
/// Empty strings and strings that are not hex never match, so a missing
/// digest can't be mistaken for a matching one.
pub fn digest_eq(a: &str, b: &str) -> bool {
    let is_hex = |text: &str| !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_hexdigit());
    if a.len() != b.len() || !is_hex(a) || !is_hex(b) {
        return false;
    }
    let a = a.to_ascii_lowercase();
    let b = b.to_ascii_lowercase();
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Lowercase hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC_SHA256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const ABC_SHA512: &str = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                              2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    /// Deterministic bytes that don't repeat on chunk boundaries.
    fn generated(len: usize) -> Vec<u8> {
        let mut state: u32 = 0x9e37_79b9;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state.to_le_bytes()[0]
            })
            .collect()
    }

    #[test]
    fn abc_known_answers() {
        let digests = digest_reader(&b"abc"[..], true).unwrap();
        assert_eq!(digests.sha256_hex(), ABC_SHA256);
        assert_eq!(digests.sha512_hex().as_deref(), Some(ABC_SHA512));
        let map = digests.to_map();
        assert_eq!(map.len(), 2);
        assert_eq!(map["sha256"], ABC_SHA256);
        assert_eq!(map["sha512"], ABC_SHA512);
    }

    #[test]
    fn sha256_only_leaves_sha512_out() {
        let digests = digest_reader(&b"abc"[..], false).unwrap();
        assert_eq!(digests.sha256_hex(), ABC_SHA256);
        assert_eq!(digests.sha512, None);
        assert_eq!(digests.to_map().keys().collect::<Vec<_>>(), ["sha256"]);
    }

    #[test]
    fn empty_input() {
        let digests = digest_reader(io::empty(), true).unwrap();
        assert_eq!(digests.sha256, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(digests.sha512, Some(<[u8; 64]>::from(Sha512::digest(b""))));
    }

    /// Hands out a few bytes at a time so chunks are filled by many reads.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let take = buf.len().min(self.0.len()).min(65_521);
            buf[..take].copy_from_slice(&self.0[..take]);
            self.0 = &self.0[take..];
            Ok(take)
        }
    }

    #[test]
    fn multi_chunk_input_matches_one_shot() {
        let data = generated(3 * CHUNK_SIZE + 12_345);
        let expected_sha256: [u8; 32] = Sha256::digest(&data).into();
        let expected_sha512: [u8; 64] = Sha512::digest(&data).into();
        for with_sha512 in [false, true] {
            let digests = digest_reader(Trickle(&data), with_sha512).unwrap();
            assert_eq!(digests.sha256, expected_sha256);
            assert_eq!(digests.sha512, with_sha512.then_some(expected_sha512));
        }
        let exact = &data[..3 * CHUNK_SIZE];
        let digests = digest_reader(exact, true).unwrap();
        assert_eq!(digests.sha256, <[u8; 32]>::from(Sha256::digest(exact)));
        assert_eq!(
            digests.sha512,
            Some(<[u8; 64]>::from(Sha512::digest(exact)))
        );
    }

    /// Yields some data, then fails.
    struct FailingReader {
        remaining: usize,
    }

    impl Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.remaining == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "source went away",
                ));
            }
            let take = buf.len().min(self.remaining);
            buf[..take].fill(7);
            self.remaining -= take;
            Ok(take)
        }
    }

    #[test]
    fn reader_errors_propagate() {
        for with_sha512 in [false, true] {
            let error = digest_reader(
                FailingReader {
                    remaining: 2 * CHUNK_SIZE + 10,
                },
                with_sha512,
            )
            .unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        }
    }

    #[test]
    fn interrupted_reads_are_retried() {
        struct InterruptOnce(bool, &'static [u8]);
        impl Read for InterruptOnce {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if !self.0 {
                    self.0 = true;
                    return Err(io::ErrorKind::Interrupted.into());
                }
                self.1.read(buf)
            }
        }
        let digests = digest_reader(InterruptOnce(false, b"abc"), true).unwrap();
        assert_eq!(digests.sha256_hex(), ABC_SHA256);
    }

    #[test]
    fn digest_file_reads_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("artifact.bin");
        std::fs::write(&path, b"abc").unwrap();
        let digests = digest_file(&path, true).unwrap();
        assert_eq!(digests.sha256_hex(), ABC_SHA256);
        let missing = digest_file(&dir.path().join("missing"), false).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn digest_equality() {
        assert!(digest_eq(ABC_SHA256, &ABC_SHA256.to_ascii_uppercase()));
        assert!(!digest_eq(ABC_SHA256, &ABC_SHA256.replace('b', "c")));
        assert!(!digest_eq(ABC_SHA256, &ABC_SHA256[..62]));
        assert!(!digest_eq("", ""));
        assert!(!digest_eq("zz", "zz"));
    }
}
