//! The binary's allocator: mimalloc, called through `libmimalloc-sys` so
//! that small allocations take its fast path. `main.rs` installs it inside
//! `memory::Counting`. Nothing here counts, limits or knows about MPL.

use std::alloc::{GlobalAlloc, Layout};

/// mimalloc, asked so that its fast path answers. The `mimalloc` crate
/// asks `mi_malloc_aligned(size, align)` for every allocation, and for a
/// size whose blocks mimalloc does not keep naturally aligned (24, 40, 48
/// bytes: a `Value` tuple's `Arc<[Value]>`, a list cell) that call
/// over-allocates from a larger class whenever the thread's page for the
/// size has no free block at hand. Pluto met that path 22 times a request,
/// at about 205 machine instructions each. Every mimalloc block is aligned
/// to 8 bytes (its sizes are whole words), so an alignment up to 8 asks
/// plain `mi_malloc`; a larger one asks the aligned call as before.
pub struct Mimalloc;

/// The alignment every mimalloc block has.
const WORD: usize = 8;

type Plain = unsafe extern "C" fn(usize) -> *mut std::ffi::c_void;
type Aligned = unsafe extern "C" fn(usize, usize) -> *mut std::ffi::c_void;

/// A fresh block for `layout` from `plain(size)` when mimalloc's own
/// alignment is enough, else from `aligned(size, align)`.
///
/// # Safety
/// `plain` and `aligned` are mimalloc's allocation calls of one kind
/// (`mi_malloc` and `mi_malloc_aligned`, or the zeroing pair).
#[inline(always)]
unsafe fn fresh(layout: Layout, plain: Plain, aligned: Aligned) -> *mut u8 {
    // SAFETY: plain C calls with a size (and a power-of-two alignment).
    unsafe {
        match layout.align() <= WORD {
            true => plain(layout.size()).cast(),
            false => aligned(layout.size(), layout.align()).cast(),
        }
    }
}

// SAFETY: each method calls the mimalloc function with the contract of the
// `GlobalAlloc` method (fresh memory of `layout.size()` bytes, aligned to
// `layout.align()`: by `WORD` for plain calls, by the aligned calls
// otherwise); `mi_free` and `mi_realloc` accept any block mimalloc made,
// aligned or not.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_malloc, mi_malloc_aligned};
        // SAFETY: both are mimalloc's allocation calls; see above.
        unsafe { fresh(layout, mi_malloc, mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        use libmimalloc_sys::{mi_zalloc, mi_zalloc_aligned};
        // SAFETY: as for `alloc`.
        unsafe { fresh(layout, mi_zalloc, mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from mimalloc.
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        use libmimalloc_sys::{mi_realloc, mi_realloc_aligned};
        // SAFETY: `ptr` came from mimalloc; the new block keeps the alignment.
        unsafe {
            match layout.align() <= WORD {
                true => mi_realloc(ptr.cast(), new_size).cast(),
                false => mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast(),
            }
        }
    }
}
