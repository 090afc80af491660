//! A bump allocator with a free list, as a `GlobalAlloc`: the algorithm of
//! `examples/c-allocator/bump.c`, in Rust. `src/main.rs` exports it with the sramlab ABI.
//!
//! The heap is cut into chunks, each `[start, end)`. The bump pointer `top` hands out fresh
//! chunks from the bottom up, so the chunks below `top` tile the heap with no gap. A chunk
//! holds alignment padding, a two-word [`Header`] just below the pointer it returns, and the
//! user's bytes. A freed chunk goes on a free list (its [`FreeChunk`] node lives in the chunk)
//! and is reused whole, first fit. A freed chunk that ends at `top` lowers `top` instead, and
//! so does every free chunk that then ends at `top`: with every block freed, the whole heap
//! is one block again (sramlab's leak and fill-and-drain checks ask exactly that).
//!
//! Single-core and not interrupt-safe: nothing here takes a lock (see [`BumpFreeList`]).
#![cfg_attr(not(test), no_std)]

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::mem::size_of;
use core::ptr;

/// Sits just below every pointer handed out.
#[repr(C)]
struct Header {
    start: usize,
    end: usize,
}

/// Sits at the start of every free chunk.
#[repr(C)]
struct FreeChunk {
    next: *mut FreeChunk,
    end: usize,
}

const HEADER: usize = size_of::<Header>();
/// Headers and nodes are words; ARMv6-M faults on an unaligned word access.
const WORD: usize = size_of::<usize>();

struct State {
    heap_end: usize,
    top: usize,
    free_list: *mut FreeChunk,
}

/// The allocator. `const`-constructible, so it can be a `static` in `.bss`.
pub struct BumpFreeList {
    state: UnsafeCell<State>,
}

// SAFETY: single core, and every entry point runs with interrupts masked (with_interrupts_masked),
// so an interrupt handler that allocates waits for the call it interrupted (sramlab's
// isr-reentrancy raises one in the middle of a call). Not sound on two cores.
unsafe impl Sync for BumpFreeList {}

/// Runs `f` with interrupts masked and puts PRIMASK back as it was. Masking is the lock a
/// single-core Cortex-M needs: ARMv6-M has no CAS, and a spin lock would deadlock against an
/// interrupt that allocates. On the host (`cargo test`) there is nothing to mask.
#[inline(always)]
fn with_interrupts_masked<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "arm")]
    {
        let primask: u32;
        // No `nomem`: each asm is a compiler barrier, so no access to State moves out of the section.
        unsafe { core::arch::asm!("mrs {0}, PRIMASK", "cpsid i", out(reg) primask, options(nostack, preserves_flags)) };
        let r = f();
        if primask & 1 == 0 {
            unsafe { core::arch::asm!("cpsie i", options(nostack, preserves_flags)) };
        }
        r
    }
    #[cfg(not(target_arch = "arm"))]
    f()
}

impl Default for BumpFreeList {
    fn default() -> Self {
        Self::new()
    }
}

const fn align_up(x: usize, align: usize) -> usize {
    (x + align - 1) & !(align - 1)
}

/// Where a block of `size` bytes aligned to `align` would start inside `[start, end)`.
/// Written so that no sum can wrap.
fn place(start: usize, end: usize, size: usize, align: usize) -> Option<usize> {
    if end - start < HEADER || align > end - start - HEADER {
        return None;
    }
    let ptr = align_up(start + HEADER, align);
    (ptr <= end && size <= end - ptr).then_some(ptr)
}

impl BumpFreeList {
    pub const fn new() -> Self {
        Self { state: UnsafeCell::new(State { heap_end: 0, top: 0, free_list: ptr::null_mut() }) }
    }

    /// Gives the allocator `size` bytes at `heap`.
    ///
    /// # Safety
    /// The memory is the allocator's from now on; no allocation may be live.
    pub unsafe fn init(&self, heap: *mut u8, size: usize) {
        let s = &mut *self.state.get();
        s.top = align_up(heap as usize, WORD);
        s.heap_end = (heap as usize + size) & !(WORD - 1);
        s.free_list = ptr::null_mut();
    }

    unsafe fn take(ptr: usize, start: usize, end: usize) -> *mut u8 {
        (ptr as *mut Header).sub(1).write(Header { start, end });
        ptr as *mut u8
    }

    unsafe fn from_free_list(s: &mut State, size: usize, align: usize) -> *mut u8 {
        let mut link: *mut *mut FreeChunk = &mut s.free_list;
        while !(*link).is_null() {
            let chunk = *link;
            let (start, end) = (chunk as usize, (*chunk).end);
            if let Some(ptr) = place(start, end, size, align) {
                *link = (*chunk).next;
                return Self::take(ptr, start, end);
            }
            link = &mut (*chunk).next;
        }
        ptr::null_mut()
    }

    unsafe fn from_top(s: &mut State, size: usize, align: usize) -> *mut u8 {
        let ptr = match place(s.top, s.heap_end, size, align) {
            Some(ptr) => ptr,
            None => return ptr::null_mut(),
        };
        let start = s.top;
        // heap_end is a word boundary and ptr + size <= heap_end: this never passes it.
        s.top = align_up(ptr + size, WORD);
        Self::take(ptr, start, s.top)
    }

    /// Lowers `top` over every free chunk that ends at it, unlinking each.
    unsafe fn absorb_into_top(s: &mut State) {
        'again: loop {
            let mut link: *mut *mut FreeChunk = &mut s.free_list;
            while !(*link).is_null() {
                let chunk = *link;
                if (*chunk).end == s.top {
                    s.top = chunk as usize;
                    *link = (*chunk).next;
                    continue 'again;
                }
                link = &mut (*chunk).next;
            }
            return;
        }
    }
}

unsafe impl GlobalAlloc for BumpFreeList {
    /// Also serves size 0 (the sramlab ABI allows it; `GlobalAlloc` callers never ask).
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        with_interrupts_masked(|| {
            let s = &mut *self.state.get();
            let align = layout.align().max(WORD);
            let p = Self::from_free_list(s, layout.size(), align);
            if p.is_null() { Self::from_top(s, layout.size(), align) } else { p }
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        with_interrupts_masked(|| {
            let s = &mut *self.state.get();
            let Header { start, end } = (ptr as *const Header).sub(1).read();
            if end == s.top {
                s.top = start;
                Self::absorb_into_top(s);
                return;
            }
            let chunk = start as *mut FreeChunk;
            chunk.write(FreeChunk { next: s.free_list, end });
            s.free_list = chunk;
        })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        with_interrupts_masked(|| self.realloc_masked(ptr, layout, new_size))
    }
}

impl BumpFreeList {
    /// realloc's body, run with interrupts masked (alloc and dealloc nest their own masking).
    unsafe fn realloc_masked(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let s = &mut *self.state.get();
        let header = (ptr as *mut Header).sub(1);
        let p = ptr as usize;
        // Shrinking, or growing within the chunk's slack: stay.
        if new_size <= (*header).end - p {
            return ptr;
        }
        // The last chunk grows in place while the heap has room.
        if (*header).end == s.top && new_size <= s.heap_end - p {
            s.top = align_up(p + new_size, WORD);
            (*header).end = s.top;
            return ptr;
        }
        let moved = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
        if !moved.is_null() {
            ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A heap on the host, page-aligned like sramlab's.
    #[repr(C, align(4096))]
    struct Heap([u8; 16384]);

    fn fresh(heap: &mut Heap) -> BumpFreeList {
        let a = BumpFreeList::new();
        unsafe { a.init(heap.0.as_mut_ptr(), heap.0.len()) };
        a
    }

    fn largest(a: &BumpFreeList) -> usize {
        let (mut lo, mut hi) = (0usize, 16384);
        while lo < hi {
            let mid = hi - (hi - lo) / 2; // rounds up
            let l = Layout::from_size_align(mid, 4).unwrap();
            let p = unsafe { a.alloc(l) };
            if p.is_null() { hi = mid - 1 } else { unsafe { a.dealloc(p, l) }; lo = mid }
        }
        lo
    }

    #[test]
    fn blocks_are_aligned_disjoint_and_come_back_whole() {
        let mut heap = Heap([0; 16384]);
        let a = fresh(&mut heap);
        let initial = largest(&a);
        let mut live: Vec<(*mut u8, Layout)> = Vec::new();
        for k in 0..200usize {
            let l = Layout::from_size_align(8 + (k * 37) % 120, 1 << (k % 7)).unwrap();
            let p = unsafe { a.alloc(l) };
            if p.is_null() { break; }
            assert_eq!(p as usize % l.align(), 0);
            for &(q, m) in &live {
                assert!(p as usize + l.size() <= q as usize || q as usize + m.size() <= p as usize);
            }
            live.push((p, l));
            if k % 3 == 0 {
                let (q, m) = live.remove(k % live.len());
                unsafe { a.dealloc(q, m) };
            }
        }
        for (q, m) in live.drain(..) {
            unsafe { a.dealloc(q, m) };
        }
        assert_eq!(largest(&a), initial);
    }

    #[test]
    fn realloc_keeps_the_contents() {
        let mut heap = Heap([0; 16384]);
        let a = fresh(&mut heap);
        let l = Layout::from_size_align(8, 4).unwrap();
        let p = unsafe { a.alloc(l) };
        unsafe { p.copy_from([1u8, 2, 3, 4, 5, 6, 7, 8].as_ptr(), 8) };
        let other = unsafe { a.alloc(l) }; // p is no longer the last chunk: realloc moves it
        let q = unsafe { a.realloc(p, l, 100) };
        assert_ne!(q, p);
        assert_eq!(unsafe { core::slice::from_raw_parts(q, 8) }, &[1, 2, 3, 4, 5, 6, 7, 8]);
        unsafe { a.dealloc(other, l) };
    }

    #[test]
    fn requests_beyond_the_heap_get_null() {
        let mut heap = Heap([0; 16384]);
        let a = fresh(&mut heap);
        for size in [16385, isize::MAX as usize - 7] {
            assert!(unsafe { a.alloc(Layout::from_size_align(size, 8).unwrap()) }.is_null());
        }
        assert!(unsafe { a.alloc(Layout::from_size_align(24, 1 << 20).unwrap()) }.is_null());
    }
}
