/* linked_list_allocator 0.10.5 (rust-osdev/linked-list-allocator; the 0.10.4+ behaviour, with
   the back-padding fix of PR #71), restated in C from the crate.
   README.md lists what is kept and what differs.

   Free memory is a list of holes sorted by address, each starting with a Hole header
   { size, next } (2 words, 8 bytes on 32-bit); used blocks carry no header at all, so free
   needs the layout back. Allocation is first fit with optional front and back padding; free
   inserts the hole at its place and merges it with both neighbours at once. */
#include <stddef.h>
#include <stdint.h>

#include "lock.h"
#include "sramlab.h"

typedef struct hole hole_t;
struct __attribute__((may_alias)) hole {
    uint32_t size; /* bytes of the hole, header included */
    hole_t *next;  /* the next hole up in memory, or NULL */
};

#define HOLE_SIZE ((uint32_t)sizeof(hole_t))   /* 8 */
#define HOLE_ALIGN ((uint32_t)_Alignof(hole_t)) /* 4 */
#define MIN_SIZE (2u * (uint32_t)sizeof(uintptr_t)) /* HoleList::min_size() = 2 usize = 8 */

/* Heap { used, holes: HoleList { first, bottom, top, pending_extend } }. `first` is a dummy
   hole of size 0 whose next is the lowest real hole. The tests read this by name. */
static struct {
    uint32_t used;          /* bytes handed out (normalised sizes) */
    hole_t first;           /* list head */
    uintptr_t bottom;       /* first usable byte, hole-aligned */
    uintptr_t top;          /* one past the last usable byte */
    uint8_t pending_extend; /* bytes below hole alignment at the top, kept for extend() */
} lla;

/* LockedHeap = spinning_top::Spinlock<Heap>. */
static sl_spinlock_t lla_lock;

static inline uintptr_t align_up(uintptr_t a, uint32_t align) { return (a + align - 1u) & ~(uintptr_t)(align - 1u); }
static inline hole_t *hole_at(uintptr_t a) { return (hole_t *)a; }

/* HoleList::align_layout: size at least min_size, rounded up to the hole alignment; the
   alignment unchanged. Returns 0 where Layout::from_size_align would refuse the result. */
static uint32_t normalised_size(uint32_t size, uint32_t align)
{
    if (size < MIN_SIZE) size = MIN_SIZE;
    size = (size + HOLE_ALIGN - 1u) & ~(HOLE_ALIGN - 1u);
    return sl_layout_ok(size, align) ? size : 0;
}

/* ---- allocation: first fit ---- */

/* Cursor::split_current for every hole in address order. A hole fits when, after optional
   front padding (a hole of its own, so at least min_size: the start moves to
   align_up(hole + min_size, align)), the allocation ends inside it, and the bytes left behind
   it are either none or enough for a Hole (0.10.4+: otherwise the hole is skipped, where
   0.10.3 handed the tail to the allocation and lost it on free, issue #66). */
static void *lla_allocate_first_fit(uint32_t size, uint32_t align)
{
    uint32_t sz = normalised_size(size, align);
    if (sz == 0) return NULL;
    hole_t *prev = &lla.first;
    for (hole_t *h = prev->next; h; prev = h, h = h->next) {
        uintptr_t addr = (uintptr_t)h;
        uint32_t hole_size = h->size;
        if (hole_size < sz) continue;
        uintptr_t start;
        int front;
        if ((addr & (align - 1u)) == 0) {
            start = addr;
            front = 0;
        } else {
            start = align_up(addr + MIN_SIZE, align);
            front = 1;
            if (start < addr) continue; /* wrapped past 2^32: cannot fit (upstream is 64-bit) */
        }
        uintptr_t hole_end = addr + hole_size;
        uintptr_t alloc_end = start + sz;
        if (alloc_end < start || alloc_end > hole_end) continue;
        uint32_t back = (uint32_t)(hole_end - alloc_end);
        uintptr_t back_start = align_up(alloc_end, HOLE_ALIGN);
        if (back != 0 && back_start + HOLE_SIZE > hole_end) continue;

        /* Pointer surgery: the hole is replaced by its paddings, in address order. */
        hole_t *next = h->next;
        hole_t *link = next;
        if (back != 0) {
            hole_t *b = hole_at(back_start);
            b->size = back;
            b->next = next;
            link = b;
        }
        if (front) {
            h->size = (uint32_t)(start - addr); /* the front padding is the old hole, shortened */
            h->next = link;
            link = h;
        }
        prev->next = link;
        lla.used += sz;
        return (void *)start;
    }
    return NULL;
}

/* ---- deallocation: insert in address order and merge both ways ---- */

/* A hole that would leave less than a Hole between the heap bottom and itself starts at the
   bottom instead (those bytes could never be used otherwise). */
static hole_t *check_merge_bottom(hole_t *node)
{
    if (lla.bottom + HOLE_SIZE > (uintptr_t)node) {
        uint32_t size = node->size + (uint32_t)((uintptr_t)node - lla.bottom);
        hole_t *b = hole_at(lla.bottom);
        b->size = size;
        b->next = NULL;
        return b;
    }
    return node;
}

/* The last hole swallows a gap to the top that could not hold a Hole. */
static void check_merge_top(hole_t *node)
{
    uintptr_t end = (uintptr_t)node + node->size;
    if (end < lla.top && align_up(end, HOLE_ALIGN) + HOLE_SIZE > lla.top) node->size += (uint32_t)(lla.top - end);
}

/* Cursor::try_merge_next_n: merge `hole` with its next while they touch, up to max times;
   when there is no next, the top check. */
static void try_merge_next_n(hole_t *hole, int max)
{
    for (int i = 0; i < max; i++) {
        hole_t *next = hole->next;
        if (!next) {
            check_merge_top(hole);
            return;
        }
        if ((uintptr_t)hole + hole->size == (uintptr_t)next) {
            hole->next = next->next;
            hole->size += next->size;
        } else {
            hole = next;
        }
    }
}

static void lla_deallocate(void *ptr, uint32_t size, uint32_t align)
{
    uint32_t sz = normalised_size(size, align);
    if (sz == 0) SL_PANIC(); /* align_layout(layout).unwrap() */
    hole_t *node = hole_at((uintptr_t)ptr);
    node->size = sz;
    node->next = NULL;

    hole_t *first = lla.first.next;
    if (!first) {
        /* No real hole at all: this one becomes the only hole. */
        node = check_merge_bottom(node);
        check_merge_top(node);
        lla.first.next = node;
        return;
    }
    if (node < first) {
        /* Before the first hole (try_insert_back): it must end at or before it. */
        if ((uintptr_t)node + sz > (uintptr_t)first) SL_PANIC(); /* "Freed node aliases existing hole! Bad free?" */
        node = check_merge_bottom(node);
        lla.first.next = node;
        node->next = first;
        try_merge_next_n(node, 1);
        return;
    }
    /* Walk to the hole after which it belongs (try_insert_after). */
    hole_t *cur = first;
    for (;;) {
        hole_t *next = cur->next;
        if (next == NULL || node < next) {
            if (next && (uintptr_t)node + sz > (uintptr_t)next) SL_PANIC(); /* aliases the next hole */
            if ((uintptr_t)cur + cur->size > (uintptr_t)node) SL_PANIC();   /* aliases this hole */
            cur->next = node;
            node->next = next;
            break;
        }
        cur = next; /* upstream panics "Reached end of holes" here only if next were NULL */
    }
    try_merge_next_n(cur, 2);
}

/* ---- init ---- */

/* Heap::init → HoleList::new: bottom aligned up to the hole alignment, the size aligned
   down; panics when less than a Hole remains (RUSTSEC-2022-0063). Re-initialising simply
   starts over, as upstream's init does. */
static void lla_init(void *heap, uint32_t heap_size)
{
    if (heap_size < HOLE_SIZE) SL_PANIC();
    uintptr_t addr = (uintptr_t)heap;
    uintptr_t aligned = align_up(addr, HOLE_ALIGN);
    uint32_t requested = heap_size - (uint32_t)(aligned - addr);
    uint32_t size = requested & ~(HOLE_ALIGN - 1u);
    if (size < HOLE_SIZE) SL_PANIC();
    hole_t *h = hole_at(aligned);
    h->size = size;
    h->next = NULL;
    lla.used = 0;
    lla.first.size = 0;
    lla.first.next = h;
    lla.bottom = aligned;
    lla.top = aligned + size;
    lla.pending_extend = (uint8_t)(requested - size);
}

/* ---- the sramlab ABI: LockedHeap's GlobalAlloc ---- */

void sl_init(void *heap, uint32_t heap_size)
{
    sl_spin_lock(&lla_lock);
    lla_init(heap, heap_size);
    sl_spin_unlock(&lla_lock);
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return NULL;
    sl_spin_lock(&lla_lock);
    void *p = lla_allocate_first_fit(size, align);
    sl_spin_unlock(&lla_lock);
    return p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    sl_spin_lock(&lla_lock);
    lla_deallocate(ptr, size, align);
    lla.used -= normalised_size(size, align);
    sl_spin_unlock(&lla_lock);
}

/* copy_nonoverlapping: words while both ends are 4-aligned, then bytes (no memcpy here). */
static void copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if ((((uintptr_t)dst | (uintptr_t)src) & 3u) == 0) {
        for (; n >= 4; n -= 4, dst += 4, src += 4) *(uint32_t *)(void *)dst = *(const uint32_t *)(const void *)src;
    }
    while (n--) *dst++ = *src++;
}

/* No realloc upstream (issue #87): Rust's default, alloc + copy + dealloc, each call locking
   on its own. */
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    void *p = sl_alloc(new_size, align);
    if (!p) return NULL;
    copy_bytes(p, ptr, size < new_size ? size : new_size);
    sl_dealloc(ptr, size, align);
    return p;
}
