//! The two file operations the `fileSystem` service tries on the worker
//! before it hands them to its I/O threads: the ones the kernel can answer
//! without waiting, which it is asked to refuse otherwise.
//!
//! * Opening a file for reading whose every path component is in the
//!   kernel's lookup cache: `openat2` with `RESOLVE_CACHED` added to what
//!   cap-std asks (`RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`), so the open
//!   stays inside the root exactly as cap-std's does. `O_NONBLOCK` keeps
//!   the open of a FIFO from waiting for a writer; only a regular file is
//!   kept (its flag cleared), anything else is closed and left to the pool.
//! * A read the page cache holds: `preadv2` with `RWF_NOWAIT`, from the
//!   file's position.
//!
//! Each answers `None` (or a partial read) whenever the kernel would have
//! to wait, or fails in any way: the pool then does the operation as
//! before and gives the authoritative answer, error and all. Handing a
//! request to the pool costs two thread wake-ups; Pluto under `wrk` made
//! 120k context switches in 4 s with every open and read on the pool and
//! 40k with them here, and served 42.0k requests a second against 35.2k
//! (bench/RESULTS.md, "2026-12-04 (evening): issue 16, what cannot wait
//! is done in place").
//!
//! Linux only: elsewhere nothing is tried here.

use cap_std::fs::Dir;
use std::fs::File;
use std::path::Path;

/// The most bytes one read in place asks for: a larger `ReadChunk` is a
/// copy long enough to belong on an I/O thread anyway.
pub(super) const MAX_IN_PLACE: usize = 256 * 1024;

/// `rel` beneath `dir`, opened for reading, if it is a regular file and
/// the kernel could open it without waiting.
#[cfg(target_os = "linux")]
pub(super) fn open_cached(dir: &Dir, rel: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags, ResolveFlags, fcntl_setfl, openat2};
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY | OFlags::NONBLOCK;
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS | ResolveFlags::CACHED;
    let file = File::from(openat2(dir, rel, flags, Mode::empty(), resolve).ok()?);
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    fcntl_setfl(&file, OFlags::empty()).ok()?;
    Some(file)
}

#[cfg(not(target_os = "linux"))]
pub(super) fn open_cached(_: &Dir, _: &Path) -> Option<File> {
    None
}

/// What a read in place got.
pub(super) enum Cached {
    /// The whole answer: `n` bytes, or fewer because the file ended.
    All(Vec<u8>),
    /// The first bytes of the answer (maybe none); the rest would wait.
    Part(Vec<u8>),
}

/// Up to `n` bytes from the file's position, as far as the page cache
/// holds them (and at most [`MAX_IN_PLACE`]).
#[cfg(target_os = "linux")]
pub(super) fn read_cached(file: &File, n: usize) -> Cached {
    use rustix::io::{Errno, ReadWriteFlags, preadv2};
    let mut buf = vec![0u8; n.min(MAX_IN_PLACE)];
    let mut got = 0;
    let whole = loop {
        if got == buf.len() {
            break got == n;
        }
        let rest = [std::io::IoSliceMut::new(&mut buf[got..])];
        // `u64::MAX`: from the file's position, which moves on.
        match preadv2(file, &mut { rest }, u64::MAX, ReadWriteFlags::NOWAIT) {
            // The end of the file.
            Ok(0) => break true,
            Ok(k) => got += k,
            Err(Errno::INTR) => {}
            // It would wait (`EAGAIN`), or failed: the pool reads on.
            Err(_) => break false,
        }
    };
    buf.truncate(got);
    match whole {
        true => Cached::All(buf),
        false => Cached::Part(buf),
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn read_cached(_: &File, _: usize) -> Cached {
    Cached::Part(Vec::new())
}
