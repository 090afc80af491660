/* emballoc v0.3.0 (jfrimmel/emballoc), restated in C from the crate's algorithm.
   README.md lists what is kept and what differs.

   The whole heap is a sequence of blocks, each a 4-byte header followed by its payload:
       header = size << 1 | used        (size = payload bytes, a multiple of 4)
   walked from offset 0; the next header is at offset + 4 + size, and the walk goes on while
   offset + 4 < N (strictly: a header in the last 4 bytes is never visited). Allocation is
   best fit over every block; free merges with the following block only. Both faithfully,
   including the two upstream behaviours sramlab's checks are meant to find: no backward
   merge (blocks freed in address order never coalesce) and the 4 bytes lost when a split
   leaves a zero-size header exactly at N - 4. */
#include <stddef.h>
#include <stdint.h>

#include "lock.h"
#include "sramlab.h"

#define HEADER 4u

static inline uint32_t entry_free(uint32_t size) { return size << 1; }
static inline uint32_t entry_used(uint32_t size) { return size << 1 | 1u; }
static inline uint32_t entry_size(uint32_t e) { return e >> 1; }
static inline int entry_is_used(uint32_t e) { return e & 1u; }

/* Allocator<N>: the buffer's place and size (a const generic upstream), behind a
   spin::Mutex. The tests read it by name. */
static struct {
    uint8_t *buf; /* 4-aligned; NULL until sl_init */
    uint32_t n;   /* N: bytes, >= 8, a multiple of 4 */
} emballoc;

static sl_spinlock_t emballoc_lock;

static inline uint32_t *header_at(uint32_t offset) { return (uint32_t *)(void *)(emballoc.buf + offset); }

/* The entry iteration rule of upstream's EntryIter: a header exists at `offset` only while
   offset + 4 < N. */
static inline int entry_exists(uint32_t offset) { return offset + HEADER < emballoc.n; }

/* Lazy initialisation (v0.3.0, issue #30): new() only zeroes the first header so the heap
   can live in .bss; the first alloc or free that finds it zero writes free(N - 4). */
static void ensure_init(void)
{
    uint32_t *first = header_at(0);
    if (*first == 0) *first = entry_free(emballoc.n - HEADER);
}

/* RawAllocator::alloc(n): best fit (smallest free block that holds n; the first of equals),
   with no early exit, then split when at least a header's worth is left. The split may
   write a zero-size free block. Returns the payload, or NULL. */
static uint8_t *raw_alloc(uint32_t n)
{
    ensure_init();
    n = (n + HEADER - 1u) & ~(HEADER - 1u);
    uint32_t best = 0, best_size = 0;
    int found = 0;
    for (uint32_t off = 0; entry_exists(off); off += HEADER + entry_size(*header_at(off))) {
        uint32_t e = *header_at(off);
        if (entry_is_used(e) || entry_size(e) < n) continue;
        if (!found || entry_size(e) < best_size) {
            found = 1;
            best = off;
            best_size = entry_size(e);
        }
    }
    if (!found) return NULL;
    *header_at(best) = entry_used(n);
    if (best_size - n >= HEADER) *header_at(best + HEADER + n) = entry_free(best_size - n - HEADER);
    return emballoc.buf + best + HEADER;
}

/* RawAllocator::free(ptr): the block whose payload [start, start + size) contains ptr
   (interior pointers too: aligned allocations hand out a pointer inside their block). Not
   found (AllocationNotFound) and already free (DoubleFreeDetected) are errors upstream that
   the GlobalAlloc wrapper ignores: nothing is written. Merges with the next block only. */
static void raw_free(const uint8_t *ptr)
{
    ensure_init();
    uintptr_t p = (uintptr_t)ptr;
    for (uint32_t off = 0; entry_exists(off); off += HEADER + entry_size(*header_at(off))) {
        uint32_t e = *header_at(off);
        uintptr_t start = (uintptr_t)emballoc.buf + off + HEADER;
        if (!(start <= p && p < start + entry_size(e))) continue;
        if (!entry_is_used(e)) return; /* double free: ignored */
        uint32_t size = entry_size(e);
        uint32_t next = off + HEADER + size;
        if (entry_exists(next) && !entry_is_used(*header_at(next))) size += HEADER + entry_size(*header_at(next));
        *header_at(off) = entry_free(size);
        return;
    }
    /* not found: ignored */
}

/* Allocator::alloc: alignments above 4 over-allocate by `align` and round the payload
   pointer up inside the block. */
static void *emballoc_alloc(uint32_t size, uint32_t align)
{
    uint32_t req = align > HEADER ? size + align : size; /* <= 2^31: sl_layout_ok */
    sl_spin_lock(&emballoc_lock);
    uint8_t *mem = raw_alloc(req);
    sl_spin_unlock(&emballoc_lock);
    if (!mem) return NULL;
    return (void *)(((uintptr_t)mem + align - 1u) & ~(uintptr_t)(align - 1u));
}

static void emballoc_dealloc(void *ptr)
{
    sl_spin_lock(&emballoc_lock);
    raw_free(ptr);
    sl_spin_unlock(&emballoc_lock);
}

/* ---- the sramlab ABI ---- */

/* Allocator::new(): upstream asserts N >= 8 and N % 4 == 0 at compile time and aligns the
   buffer to 4 by its type; a heap the C ABI hands over must meet the same, or it panics. */
void sl_init(void *heap, uint32_t heap_size)
{
    if (heap_size < 8u || heap_size % HEADER != 0 || (uintptr_t)heap % HEADER != 0) SL_PANIC();
    emballoc.buf = heap;
    emballoc.n = heap_size;
    *header_at(0) = 0; /* the one word new() initialises: "not yet set up" */
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align) || emballoc.buf == NULL) return NULL;
    return emballoc_alloc(size, align);
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size; /* headers: the layout is not needed */
    (void)align;
    if (emballoc.buf == NULL) return;
    emballoc_dealloc(ptr);
}

/* copy_nonoverlapping: words while both ends are 4-aligned (payloads are), then bytes. The
   build's -fno-tree-loop-distribute-patterns keeps this a loop (there is no memcpy). */
static void copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if ((((uintptr_t)dst | (uintptr_t)src) & 3u) == 0) {
        for (; n >= 4; n -= 4, dst += 4, src += 4) *(uint32_t *)(void *)dst = *(const uint32_t *)(const void *)src;
    }
    while (n--) *dst++ = *src++;
}

/* No realloc upstream: Rust's default GlobalAlloc::realloc, each step taking the lock on
   its own as the default's alloc/dealloc calls do. */
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    if (!sl_layout_ok(new_size, align) || emballoc.buf == NULL) return NULL;
    uint8_t *p = emballoc_alloc(new_size, align);
    if (!p) return NULL;
    copy_bytes(p, ptr, size < new_size ? size : new_size);
    emballoc_dealloc(ptr);
    return p;
}
