//! How much memory a run uses, for `--max-memory`: [`Counting`] wraps the
//! binary's global allocator and keeps a running total of the bytes it
//! holds; the evaluator compares that total with the limit each time a
//! process yields or waits (`eval::machine::exec`), and fails the run with
//! a report rather than letting the machine's out-of-memory killer end it.
//!
//! The count is kept per thread and added to the shared total in steps of
//! [`BATCH`] bytes, so an allocation costs one thread-local add, not a
//! contended atomic; the total is exact to within `BATCH` per thread. Only
//! the `mpl` binary installs the wrapper (`main.rs`); in a library user or
//! a test, [`allocated`] stays 0 and no limit is ever reached.
//!
//! Also here: the sizes `--max-memory` accepts (`512M`, `2G`) and the
//! default limit. Nothing here knows about MPL values or processes.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// Bytes a thread may allocate or free before it updates the total.
const BATCH: isize = 256 * 1024;

/// Bytes held by the program, as of the last batch of every thread.
static TOTAL: AtomicIsize = AtomicIsize::new(0);
/// The limit in bytes; 0 means none.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's allocations not yet added to [`TOTAL`]. A `Cell`
    /// with a constant initialiser: reading it never allocates and is
    /// allowed while the thread is being torn down.
    static PENDING: Cell<isize> = const { Cell::new(0) };
    /// What this thread has added to [`TOTAL`] so far.
    static FLUSHED: Cell<isize> = const { Cell::new(0) };
}

/// A global allocator that counts the bytes `A` holds.
pub struct Counting<A>(pub A);

fn note(delta: isize) {
    let _ = PENDING.try_with(|pending| {
        let now = pending.get() + delta;
        if now.abs() >= BATCH {
            TOTAL.fetch_add(now, Ordering::Relaxed);
            let _ = FLUSHED.try_with(|f| f.set(f.get() + now));
            pending.set(0);
        } else {
            pending.set(now);
        }
    });
}

// SAFETY: every method forwards to `A` with the same arguments and only
// adds bookkeeping that neither allocates nor touches the memory.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            note(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe { self.0.dealloc(ptr, layout) };
        note(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            note(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// Bytes the program holds (0 unless [`Counting`] is the global allocator).
pub fn allocated() -> usize {
    TOTAL.load(Ordering::Relaxed).max(0) as usize
}

/// The bytes this thread has allocated less those it has freed, since it
/// started: the difference over a stretch of work is what that work
/// allocated (and kept) on this thread.
#[inline]
pub fn thread_net() -> isize {
    let pending = PENDING.try_with(Cell::get).unwrap_or(0);
    pending + FLUSHED.try_with(Cell::get).unwrap_or(0)
}

/// Sets the limit (`None`: no limit).
pub fn set_limit(bytes: Option<usize>) {
    LIMIT.store(bytes.unwrap_or(0), Ordering::Relaxed);
}

/// The limit in bytes, if one is set.
pub fn limit() -> Option<usize> {
    Some(LIMIT.load(Ordering::Relaxed)).filter(|l| *l > 0)
}

/// The program holds more than the limit.
#[inline]
pub fn exceeded() -> bool {
    let limit = LIMIT.load(Ordering::Relaxed);
    limit > 0 && allocated() > limit
}

/// A size as `--max-memory` takes it: bytes, or a number with `K`, `M`,
/// `G` or `T` (powers of 1024; `MB`, `GiB` and lower case are accepted).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let number: usize = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 512M or 2G)"))?;
    let unit = unit.trim().to_ascii_uppercase();
    let shift = match unit.trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("`{text}`: unknown unit (use K, M, G or T)")),
    };
    let bytes = number
        .checked_mul(1usize << shift)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes == 0 {
        return Err("the memory limit must be more than 0".into());
    }
    Ok(bytes)
}

/// A size in words: `512 MiB`, `1.5 GiB`.
pub fn show_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    if unit == "bytes" || value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// The default limit: three quarters of the machine's memory (read from
/// `/proc/meminfo`); `None` where that cannot be read.
pub fn default_limit() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024) / 4 * 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("2gib"), Ok(2 << 30));
        assert_eq!(parse_size("100MB"), Ok(100 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64k"), Ok(64 << 10));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5X").is_err());
        assert!(parse_size("99999999999999T").is_err());
    }

    #[test]
    fn sizes_are_shown_in_binary_units() {
        assert_eq!(show_size(512 << 20), "512 MiB");
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(100), "100 bytes");
    }

    #[test]
    fn without_the_counting_allocator_no_limit_is_reached() {
        // Tests run on the system allocator: nothing is counted.
        assert_eq!(allocated(), 0);
        assert!(!exceeded());
    }
}
