//! The image `sramlab check` runs: the sramlab ABI's four entry points as `extern "C"` shims
//! over the crate's `GlobalAlloc`, and nothing else (no vector table, no startup: sramlab
//! calls `sl_init` first). sramlab.x places every section and defines the ABI symbols.
#![no_std]
#![no_main]

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;
use sramlab_rust_allocator::BumpFreeList;

/// The allocator a firmware would use for `alloc::` types; the shims call it directly.
#[global_allocator]
static ALLOCATOR: BumpFreeList = BumpFreeList::new();

/// `void sl_init(void *heap, uint32_t heap_size)`
///
/// # Safety
/// `heap` is `heap_size` bytes the allocator owns from now on; no block is live.
#[no_mangle]
pub unsafe extern "C" fn sl_init(heap: *mut u8, heap_size: u32) {
    ALLOCATOR.init(heap, heap_size as usize);
}

/// `void *sl_alloc(uint32_t size, uint32_t align)`: NULL when it cannot, and for a layout
/// Rust would never form (align not a power of two, size too large once rounded).
///
/// # Safety
/// `sl_init` ran first.
#[no_mangle]
pub unsafe extern "C" fn sl_alloc(size: u32, align: u32) -> *mut u8 {
    match Layout::from_size_align(size as usize, align as usize) {
        Ok(layout) => ALLOCATOR.alloc(layout),
        Err(_) => ptr::null_mut(),
    }
}

/// `void sl_dealloc(void *ptr, uint32_t size, uint32_t align)`: the layout the block was
/// allocated with, as `GlobalAlloc::dealloc` is given it.
///
/// # Safety
/// `ptr` is a live block from this allocator, allocated with `size` and `align`.
#[no_mangle]
pub unsafe extern "C" fn sl_dealloc(ptr: *mut u8, size: u32, align: u32) {
    ALLOCATOR.dealloc(ptr, Layout::from_size_align_unchecked(size as usize, align as usize));
}

/// `void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)`: NULL
/// (the old block kept) when it cannot, or when new_size is too large for a Layout.
///
/// # Safety
/// As `sl_dealloc`: `ptr` is a live block allocated with `size` and `align`.
#[no_mangle]
pub unsafe extern "C" fn sl_realloc(ptr: *mut u8, size: u32, align: u32, new_size: u32) -> *mut u8 {
    if Layout::from_size_align(new_size as usize, align as usize).is_err() {
        return ptr::null_mut();
    }
    ALLOCATOR.realloc(ptr, Layout::from_size_align_unchecked(size as usize, align as usize), new_size as usize)
}

/// A panic is a permanently UNDEFINED instruction: a HardFault on silicon, and a fault with
/// the PC, symbol and source line in sramlab's report.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(target_arch = "arm")]
    unsafe {
        core::arch::asm!("udf #0", options(noreturn))
    }
    #[cfg(not(target_arch = "arm"))]
    loop {}
}
