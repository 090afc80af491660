/* basic: basic_allocator v0.1.6 (wackywendell), restated in C from docs/seed-algorithms.md §3.
   An address-sorted list of free blocks, each starting with a 16-byte header; first fit,
   carving the request from the end of the block; frees coalesce with both neighbours. When
   no block fits, the heap grows through ToyHeap, the crate's test grower: a bump pointer
   handing out 64-byte pages, here from the array given to sl_init. README.md lists the
   deviations and the upstream behaviours kept (the misalignment above 16 among them). */
#include "sramlab.h"
#include "lock.h"

/* FreeHeader is align(16), so it is 16 bytes on every target: 4 + 4 and 8 of padding here. */
struct free_header {
    struct free_header *next; /* next free block by address, NULL at the end */
    uint32_t size;            /* bytes of the block, header included */
} __attribute__((aligned(16)));

#define HEADER_SIZE 16u
_Static_assert(sizeof(struct free_header) == HEADER_SIZE, "FreeHeader is 16 bytes");
#define PAGE 64u /* ToyHeap's page */

/* State, in .alloc_bss. The names are read by tests (tests/allocators/basic.test.ts). */
static struct free_header *basic_free_list; /* BlockList.first */
static uint8_t *basic_arena;                /* ToyHeap: the array ... */
static uint32_t basic_arena_size;
static uint32_t basic_grown;                /* ... and its bump pointer: bytes handed out */
static sl_spinlock_t basic_lock;            /* the spin::Mutex around RawAlloc */

static uint32_t round_up(uint32_t n, uint32_t to) { return (n + to - 1) & ~(to - 1); }

/* Layout::align_to(16).pad_to_align(): the size rounded up to max(align, 16). Only the size
   carries the alignment; where the block lands is another matter (see pop_size). */
static uint32_t block_size(uint32_t size, uint32_t align) { return round_up(size, align > 16 ? align : 16); }

static uint8_t *end_of(struct free_header *b) { return (uint8_t *)b + b->size; }

/* First fit in address order. A block of exactly `need` is unlinked whole; a block of at
   least need + 16 gives up its last `need` bytes, so its header and links stay put. The
   result is only as aligned as block start + size - need is: 16 bytes, not `align`. */
static void *pop_size(uint32_t need)
{
    struct free_header *b = basic_free_list;
    if (!b) return 0;
    if (b->size == need) {
        basic_free_list = b->next;
        return b;
    }
    if (b->size >= need + HEADER_SIZE) {
        b->size -= need;
        return end_of(b);
    }
    for (struct free_header *prev = b, *next; (next = prev->next) != 0; prev = next) {
        if (next->size == need) {
            prev->next = next->next;
            return next;
        }
        if (next->size >= need + HEADER_SIZE) {
            next->size -= need;
            return end_of(next);
        }
    }
    return 0;
}

/* Absorbs b's successor when it starts where b ends (the list keeps no adjacent blocks). */
static void merge_next(struct free_header *b)
{
    struct free_header *n = b->next;
    if (n && end_of(b) == (uint8_t *)n) {
        b->size += n->size;
        b->next = n->next;
    }
}

/* add_block: sorted insert with coalescing on both sides. Overlaps (double free) are only a
   debug_assert upstream; the release build, ported here, walks on and corrupts the list. */
static void add_block(uint8_t *ptr, uint32_t size)
{
    struct free_header *h = (struct free_header *)ptr;
    h->next = 0;
    h->size = size;
    struct free_header *first = basic_free_list;
    if (!first) {
        basic_free_list = h;
        return;
    }
    if (ptr + size < (uint8_t *)first) { /* before first, with a gap */
        h->next = first;
        basic_free_list = h;
        return;
    }
    if (ptr + size == (uint8_t *)first) { /* ends where first starts: absorb first */
        h->next = first->next;
        h->size += first->size;
        basic_free_list = h;
        return;
    }
    if (end_of(first) == ptr) { /* starts where first ends: grow first */
        first->size += size;
        merge_next(first);
        return;
    }
    for (struct free_header *prev = first;; prev = prev->next) {
        struct free_header *next = prev->next;
        if (next == 0 || (uint8_t *)next >= ptr) {
            struct free_header *b = prev;
            if (end_of(prev) == ptr) {
                prev->size += size;
            } else {
                h->next = next;
                prev->next = h;
                b = h;
            }
            merge_next(b);
            return;
        }
    }
}

/* ToyHeap::grow_heap: the next round_up(request, 64) bytes of the array. v0.1.6 checks the
   request before rounding it (fixed upstream in 2026), so the last page may run past the end
   of an array whose size is not a multiple of 64: kept, sramlab's containment check sees it. */
static uint8_t *grow_heap(uint32_t request, uint32_t *got)
{
    if (basic_grown + request > basic_arena_size) return 0;
    uint8_t *p = basic_arena + basic_grown;
    *got = round_up(request, PAGE);
    basic_grown += *got;
    return p;
}

static void *raw_alloc(uint32_t size, uint32_t align)
{
    uint32_t need = block_size(size, align);
    void *p = pop_size(need);
    if (p) return p;
    uint32_t got;
    uint8_t *q = grow_heap(need, &got);
    if (!q) return 0;
    /* The grown tail beyond the request becomes a free block (a tail under 16 bytes would be
       leaked upstream; with 64-byte pages and 16-byte sizes there never is one). */
    if (got >= need + HEADER_SIZE) add_block(q + need, got - need);
    return q;
}

void sl_init(void *heap, uint32_t heap_size)
{
    basic_free_list = 0;
    basic_arena = heap;
    basic_arena_size = heap_size;
    basic_grown = 0;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    sl_spin_lock(&basic_lock);
    void *p = raw_alloc(size, align);
    sl_spin_unlock(&basic_lock);
    return p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    sl_spin_lock(&basic_lock);
    add_block(ptr, block_size(size, align));
    sl_spin_unlock(&basic_lock);
}

/* No realloc upstream: Rust's default GlobalAlloc::realloc, which goes through the public
   alloc and dealloc and so takes the lock twice. */
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *out = sl_alloc(new_size, align);
    if (out) {
        const uint8_t *src = ptr;
        uint32_t n = size < new_size ? size : new_size;
        uint8_t *dst = out;
        if ((((uint32_t)dst | (uint32_t)src) & 3u) == 0) {
            for (; n >= 4; n -= 4, dst += 4, src += 4) *(uint32_t *)dst = *(const uint32_t *)src;
        }
        while (n--) *dst++ = *src++;
        sl_dealloc(ptr, size, align);
    }
    return out;
}
