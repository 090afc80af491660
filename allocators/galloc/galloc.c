/* galloc — good_memory_allocator v0.1.7 (MaderNoob/galloc), restated in C from
   the crate's algorithm for a 32-bit Cortex-M. README.md says what is kept and
   what had to change; the short version:

   - Boundary tags: every chunk starts with one 32-bit header `size | prev_in_use | is_free`
     (size = content bytes, excluding the header). A free chunk also holds two list links
     after its header (`fd`, `pprev`) and a copy of its size in its last word (the postfix),
     so the chunk after it can find it: that is what makes free O(1).
   - Free chunks live in 20 exact-size smallbins, each split into 8 sub-bins by the alignment
     of the chunk's content address, or in one circular "other" list for larger chunks.
   - 32-bit adaptation (§4.9, dlmalloc style): header 4 bytes, minimum alignment 8, and
     header + content always a multiple of 8, so every content address is 8-aligned and every
     content size is 12 + 8k. That is the only way the upstream bin table (12 + 8·i, i < 20,
     lookahead 2) stays exact on a 4-byte usize.

   GALLOC_UPSTREAM_32BIT=1 (the galloc-upstream allocator) switches the adaptation off and
   gives the crate as published on a 32-bit target: the first header 8-aligned (so content
   = 4 mod 8), sizes rounded to a multiple of 8 (content sizes = 0 and = 4 mod 8 share a
   smallbin), and ctz - 3 wrapping to sub-bin 7 for content that is only 4-aligned. */
#include <stddef.h>
#include <stdint.h>

#include "lock.h"
#include "sramlab.h"

#ifndef GALLOC_UPSTREAM_32BIT
#define GALLOC_UPSTREAM_32BIT 0
#endif

/* ---- constants (docs/seed-algorithms.md §4.1, 32-bit column, after §4.9's adaptation) ---- */

#define HEADER 4u                     /* one usize of overhead per chunk */
#define MIN_ALIGN 8u                  /* max(align_of usize, 8) */
#define MIN_FREE 16u                  /* header + fd + pprev + postfix */
#define SMALLEST (MIN_FREE - HEADER)  /* 12: smallest content a chunk can have */
#define NBINS 20u                     /* SMALLBINS_AMOUNT */
#define NSUB 8u                       /* ALIGNMENT_SUB_BINS_AMOUNT */
#define LARGEST (SMALLEST + (NBINS - 1u) * MIN_ALIGN) /* 164 */
#define LOOKAHEAD (MIN_FREE / MIN_ALIGN)               /* 2: bins p, p+1 never need a split */
#define MAX_AI (NSUB - 1u)            /* sub-bin 7: content aligned to 1024 or more */
#define MAX_SPECIFIC_ALIGN 512u       /* 1 << (NSUB - 2 + log2 MIN_ALIGN) */

#define F_FREE 1u        /* bit 0: this chunk is free */
#define F_PREV_IN_USE 2u /* bit 1: the chunk physically before this one is used */
#define FLAGS 3u

/* A chunk as it sits in the heap. Only a free chunk has meaningful fd/pprev. may_alias: the
   heap is raw memory, and the other bin's sentinel (below) is read through this type too. */
typedef struct chunk chunk_t;
struct __attribute__((may_alias)) chunk {
    uint32_t hdr;     /* size | F_PREV_IN_USE | F_FREE */
    chunk_t *fd;      /* next free chunk in the same list */
    chunk_t **pprev;  /* the fd field (or bin head) that points at this chunk, Linux-hlist style,
                         so a chunk unlinks itself without knowing which list holds it */
};

struct smallbin {
    chunk_t *heads[NSUB]; /* NULL-terminated LIFO lists, one per content-alignment index */
    uint8_t bitmap;       /* bit j set <=> heads[j] != NULL */
};

/* The allocator (outside the heap; the heap holds pointers into it, so it never moves).
   `heap_end` doubles as the sentinel's header word: the sentinel's "chunk" address is
   &heap_end, so sentinel->fd / ->pprev are other_fd / other_pprev, exactly the upstream trick
   of an embedded fake chunk whose chunk pointer is one usize before its fd. The sentinel's
   header is never read as a size (see bin_insert). The layout is read by the tests
   (tests/allocators/galloc.test.ts): keep it. */
static struct {
    struct smallbin small[NBINS]; /* 20 x 36 bytes */
    uint32_t heap_end;            /* one past the last chunk; 0 until sl_init */
    chunk_t *other_fd;            /* first chunk of the other bin (or the sentinel) */
    chunk_t **other_pprev;        /* fd field of its last chunk (or &other_fd) */
} galloc;

/* spin::Mutex around the whole allocator, as SpinLockedAllocator. */
static sl_spinlock_t galloc_lock;

#define OTHER ((chunk_t *)(void *)&galloc.heap_end)

/* ---- chunk accessors ---- */

static inline uint32_t csize(const chunk_t *c) { return c->hdr & ~FLAGS; }
static inline uintptr_t content(const chunk_t *c) { return (uintptr_t)c + HEADER; }
/* The chunk after c, or heap_end when c is the last one (there is no end sentinel). */
static inline uintptr_t chunk_end(const chunk_t *c) { return content(c) + csize(c); }
static inline chunk_t *at(uintptr_t a) { return (chunk_t *)a; }
static inline void set_size(chunk_t *c, uint32_t size) { c->hdr = size | (c->hdr & FLAGS); }
/* The last word of a free chunk's content repeats its size: the next chunk reads it to find
   this one when its own prev_in_use bit is 0. */
static inline void write_postfix(chunk_t *c) { ((uint32_t *)chunk_end(c))[-1] = csize(c); }

static inline int is_small(uint32_t size) { return size <= LARGEST; }
static inline struct smallbin *bin_of(uint32_t size) { return &galloc.small[(size - SMALLEST) >> 3]; }

/* Alignment index of a content address: min(ctz(addr) - 3, 7). Content is always 8-aligned
   here, so this never underflows (it does on upstream's own 32-bit build, §4.9). A loop, not
   __builtin_ctz: ARMv6-M has no CLZ/RBIT and the builtin would be a libgcc call. */
static uint32_t align_index_of_addr(uintptr_t addr)
{
#if GALLOC_UPSTREAM_32BIT
    /* Content only 4-aligned: ctz = 2, and 2 - 3 wraps in a release build; min(huge, 7) = 7. */
    if (addr & (MIN_ALIGN - 1u)) return MAX_AI;
#endif
    uint32_t i = 0;
    while (i < MAX_AI && (addr & (MIN_ALIGN << i)) == 0) i++;
    return i;
}

/* Alignment index of a request: log2(align) - 3 for 8..512, 7 above. */
static uint32_t align_index_of_request(uint32_t align)
{
    if (align > MAX_SPECIFIC_ALIGN) return MAX_AI;
    uint32_t i = 0;
    while ((MIN_ALIGN << i) < align) i++;
    return i;
}

/* size' = align_up(max(size, 12) + 4, 8) - 4: content sizes 12, 20, 28, … (§4.9). The
   caller has checked sl_layout_ok, so size < 2^31 and nothing overflows. */
static inline uint32_t prepare_size(uint32_t size)
{
    if (size < SMALLEST) size = SMALLEST;
#if GALLOC_UPSTREAM_32BIT
    return (size + MIN_ALIGN - 1u) & ~(MIN_ALIGN - 1u); /* upstream: align_up(max(size, 12), 8) */
#else
    return ((size + HEADER + MIN_ALIGN - 1u) & ~(MIN_ALIGN - 1u)) - HEADER;
#endif
}

/* ---- bins ---- */

static void bin_insert(chunk_t *c)
{
    uint32_t size = csize(c);
    if (is_small(size)) {
        /* Smallbin: head of the sub-bin for this content alignment (LIFO). */
        struct smallbin *b = bin_of(size);
        uint32_t ai = align_index_of_addr(content(c));
        chunk_t **head = &b->heads[ai];
        c->fd = *head;
        c->pprev = head;
        if (*head) (*head)->pprev = &c->fd;
        *head = c;
        b->bitmap |= (uint8_t)(1u << ai);
        return;
    }
    /* Other bin: at the head when larger than the current first chunk (big chunks first,
       galloc issue #6), else at the tail. On an empty list both are the same place; the
       sentinel's size is never compared. */
    chunk_t *first = galloc.other_fd;
    if (first == OTHER || size > csize(first)) {
        c->fd = first;
        c->pprev = &OTHER->fd;
        first->pprev = &c->fd;
        OTHER->fd = c;
    } else {
        chunk_t **last_fd = OTHER->pprev;
        c->fd = OTHER;
        c->pprev = last_fd;
        *last_fd = c;
        OTHER->pprev = &c->fd;
    }
}

/* Unlinks c, which is in the bin for its current size. A smallbin node that was a list tail
   may have left its sub-bin empty: then its bitmap bit goes. */
static void bin_unlink(chunk_t *c)
{
    *c->pprev = c->fd;
    if (c->fd) c->fd->pprev = c->pprev;
    uint32_t size = csize(c);
    if (is_small(size) && c->fd == NULL) {
        struct smallbin *b = bin_of(size);
        uint32_t ai = align_index_of_addr(content(c));
        if (b->heads[ai] == NULL) b->bitmap &= (uint8_t)~(1u << ai);
    }
}

/* A free chunk changes size without moving its header (its content address, hence its
   sub-bin, stays): a smallbin is exact-size, so it is re-binned when the old or the new size
   is small; a chunk that stays in the other bin keeps its place in the list. */
static void resize_free(chunk_t *c, uint32_t size)
{
    if (is_small(csize(c)) || is_small(size)) {
        bin_unlink(c);
        set_size(c, size);
        bin_insert(c);
    } else {
        set_size(c, size);
    }
    write_postfix(c);
}

/* A free chunk's header moves to `to` (it keeps its end): the realloc paths that give a
   neighbour's space to a used chunk or take it back. A chunk that is large before and after
   keeps its place in the other bin (its links move with it); otherwise it is re-binned. The
   old fd/pprev may lie under the new header, so they are read before anything is written. */
static chunk_t *move_free(chunk_t *n, uintptr_t to, uint32_t size)
{
    chunk_t *m = at(to);
    if (is_small(csize(n)) || is_small(size)) {
        bin_unlink(n);
        m->hdr = size | F_FREE | F_PREV_IN_USE;
        bin_insert(m);
    } else {
        chunk_t *fd = n->fd;
        chunk_t **pprev = n->pprev;
        m->hdr = size | F_FREE | F_PREV_IN_USE;
        m->fd = fd;
        m->pprev = pprev;
        *pprev = m;
        fd->pprev = &m->fd;
    }
    write_postfix(m);
    return m;
}

/* ---- allocation ---- */

/* The first chunk in smallbins [from, to) whose content is aligned to `align` (§4.5): for a
   specific alignment, the least-aligned sufficient sub-bin's head (highly aligned chunks are
   kept for requests that need them); for alignment index 7, a walk of sub-bin 7. */
static chunk_t *first_aligned_chunk(uint32_t from, uint32_t to, uint32_t align, uint32_t ai)
{
    for (uint32_t i = from; i < to; i++) {
        struct smallbin *b = &galloc.small[i];
        if (ai < MAX_AI) {
            /* bit j <-> alignment 8·2^j, so "a chunk aligned >= align" is bitmap >= align/8 */
            if (b->bitmap < (align >> 3)) continue;
            for (uint32_t j = ai; j < NSUB; j++)
                if (b->heads[j]) return b->heads[j];
        } else {
            for (chunk_t *c = b->heads[MAX_AI]; c; c = c->fd)
                if ((content(c) & (align - 1u)) == 0) return c;
        }
    }
    return NULL;
}

/* Optimal fit: the chunk is at most 8 bytes too big, which can hold no chunk: take it all. */
static uintptr_t take_whole(chunk_t *c)
{
    bin_unlink(c);
    c->hdr &= ~F_FREE;
    uintptr_t end = chunk_end(c);
    if (end != galloc.heap_end) at(end)->hdr |= F_PREV_IN_USE;
    return content(c);
}

/* c's content is already aligned: use its start, split the end off when it can be a chunk. */
static uintptr_t alloc_aligned(chunk_t *c, uint32_t size)
{
    uint32_t pad = csize(c) - size;
    if (pad < MIN_FREE) return take_whole(c);
    bin_unlink(c);
    c->hdr &= ~F_FREE;
    /* The end padding: free, its predecessor (c) used; its successor already has
       prev_in_use = 0 because c was free. */
    chunk_t *e = at(content(c) + size);
    e->hdr = (pad - HEADER) | F_FREE | F_PREV_IN_USE;
    write_postfix(e);
    bin_insert(e);
    set_size(c, size);
    return content(c);
}

/* Where an allocation placed at the end of c (galloc issue #6: end placement fragments less)
   would start, or 0 when the start padding left in front could not be a free chunk. */
static uintptr_t unaligned_spot(const chunk_t *c, uint32_t size, uint32_t align)
{
    uintptr_t start = (chunk_end(c) - size) & ~(uintptr_t)(align - 1u);
    if (start < (uintptr_t)c + MIN_FREE + HEADER) return 0; /* also catches align_down below c */
    return start;
}

/* c stays free as the start padding, shrunk in place; the allocation's chunk begins at
   start - HEADER with prev_in_use = 0; the tail after it becomes a free chunk if it can. */
static uintptr_t alloc_unaligned(chunk_t *c, uint32_t size, uintptr_t start)
{
    uintptr_t end = chunk_end(c);
    uint32_t left = end - start;
    chunk_t *u = at(start - HEADER);
    resize_free(c, (uint32_t)((uintptr_t)u - content(c)));
    if (left - size >= MIN_FREE) {
        u->hdr = size; /* used, prev free */
        chunk_t *e = at(start + size);
        e->hdr = (left - size - HEADER) | F_FREE | F_PREV_IN_USE;
        write_postfix(e);
        bin_insert(e);
    } else {
        u->hdr = left; /* used, prev free, keeps the unsplittable tail */
        if (end != galloc.heap_end) at(end)->hdr |= F_PREV_IN_USE;
    }
    return start;
}

static void *galloc_alloc(uint32_t size, uint32_t align)
{
    if (galloc.heap_end == 0) return NULL; /* not initialised */
    uint32_t s = prepare_size(size);
    uint32_t a = align < MIN_ALIGN ? MIN_ALIGN : align;
    uint32_t ai = align_index_of_request(a);
    int small = is_small(s);
    uint32_t p = small ? (s - SMALLEST) >> 3 : 0;

    /* 1. optimal: bins for s and s+8, whole chunk */
    if (small) {
        uint32_t to = p + LOOKAHEAD < NBINS ? p + LOOKAHEAD : NBINS;
        chunk_t *c = first_aligned_chunk(p, to, a, ai);
        if (c) return (void *)take_whole(c);
    }

    /* 2. the other bin, first fit */
    for (chunk_t *c = galloc.other_fd; c != OTHER; c = c->fd) {
        if (csize(c) < s) continue;
        if ((content(c) & (a - 1u)) == 0) return (void *)alloc_aligned(c, s);
        uintptr_t start = unaligned_spot(c, s, a);
        if (start) return (void *)alloc_unaligned(c, s, start);
    }

    if (small && p + LOOKAHEAD < NBINS) {
        /* 3. aligned suboptimal: a bigger smallbin chunk, end split off */
        chunk_t *c = first_aligned_chunk(p + LOOKAHEAD, NBINS, a, ai);
        if (c) return (void *)alloc_aligned(c, s);

        /* 4. unaligned suboptimal: the heads of the less-aligned sub-bins (or, for
           alignment index 7, the chunks of sub-bin 7 that are not aligned enough) */
        for (uint32_t i = p + LOOKAHEAD; i < NBINS; i++) {
            struct smallbin *b = &galloc.small[i];
            if (ai < MAX_AI) {
                for (uint32_t j = 0; j < ai; j++) {
                    chunk_t *h = b->heads[j];
                    if (!h) continue;
                    uintptr_t start = unaligned_spot(h, s, a);
                    if (start) return (void *)alloc_unaligned(h, s, start);
                }
            } else {
                for (chunk_t *h = b->heads[MAX_AI]; h; h = h->fd) {
                    if ((content(h) & (a - 1u)) == 0) continue;
                    uintptr_t start = unaligned_spot(h, s, a);
                    if (start) return (void *)alloc_unaligned(h, s, start);
                }
            }
        }
    }
    return NULL;
}

/* ---- deallocation: O(1), the layout is not needed ---- */

static void galloc_dealloc(void *ptr)
{
    chunk_t *c = at((uintptr_t)ptr - HEADER);
    uintptr_t end = chunk_end(c);
    chunk_t *n = end != galloc.heap_end ? at(end) : NULL;
    int next_free = n && (n->hdr & F_FREE);

    if (!(c->hdr & F_PREV_IN_USE)) {
        /* The previous chunk is free: its postfix, just before c, gives its size. */
        uint32_t prev_size = ((uint32_t *)c)[-1];
        chunk_t *p = at((uintptr_t)c - prev_size - HEADER);
        if (next_free) {
            bin_unlink(n);
            resize_free(p, csize(p) + 2u * HEADER + csize(c) + csize(n));
        } else {
            resize_free(p, csize(p) + HEADER + csize(c));
            if (n) n->hdr &= ~F_PREV_IN_USE;
        }
    } else if (next_free) {
        uint32_t size = csize(c) + HEADER + csize(n);
        bin_unlink(n);
        c->hdr = size | F_FREE | F_PREV_IN_USE;
        write_postfix(c);
        bin_insert(c);
    } else {
        c->hdr |= F_FREE;
        write_postfix(c);
        bin_insert(c);
        if (n) n->hdr &= ~F_PREV_IN_USE;
    }
}

/* ---- realloc: in place when it can, alignment kept ---- */

/* The copy of the fallback path; the build's -fno-tree-loop-distribute-patterns keeps this a
   loop (there is no memcpy). Word copies when both ends allow, since blocks are 8-aligned. */
static void copy_bytes(uint8_t *dst, const uint8_t *src, uint32_t n)
{
    if ((((uintptr_t)dst | (uintptr_t)src) & 3u) == 0) {
        for (; n >= 4; n -= 4, dst += 4, src += 4) *(uint32_t *)(void *)dst = *(const uint32_t *)(const void *)src;
    }
    while (n--) *dst++ = *src++;
}

/* Shrink or equal (new' <= old'): always in place. A free next chunk takes the freed space
   by moving its header back; otherwise a large enough tail becomes a free chunk. */
static void shrink_in_place(chunk_t *c, uint32_t s)
{
    uintptr_t end = chunk_end(c);
    chunk_t *n = end != galloc.heap_end ? at(end) : NULL;
    if (n && (n->hdr & F_FREE)) {
        uintptr_t to = content(c) + s;
        move_free(n, to, (uint32_t)(chunk_end(n) - to - HEADER));
        set_size(c, s);
    } else if (csize(c) - s >= MIN_FREE) {
        chunk_t *f = at(content(c) + s);
        f->hdr = (csize(c) - s - HEADER) | F_FREE | F_PREV_IN_USE;
        write_postfix(f);
        bin_insert(f);
        if (n) n->hdr &= ~F_PREV_IN_USE;
        set_size(c, s);
    }
}

/* Grow into a free next chunk: move its header forward when more than MIN_FREE would be
   left (strictly, as upstream), else absorb it whole. 0 when it cannot. */
static int grow_in_place(chunk_t *c, uint32_t s)
{
    uintptr_t end = chunk_end(c);
    if (end == galloc.heap_end) return 0;
    chunk_t *n = at(end);
    if (!(n->hdr & F_FREE)) return 0;
    uintptr_t n_end = chunk_end(n);
    uintptr_t to = content(c) + s;
    if (to > n_end) return 0;
    uint32_t remaining = n_end - to;
    if (remaining > MIN_FREE) {
        move_free(n, to, remaining - HEADER);
        set_size(c, s);
    } else {
        bin_unlink(n);
        set_size(c, (uint32_t)(n_end - content(c)));
        if (n_end != galloc.heap_end) at(n_end)->hdr |= F_PREV_IN_USE;
    }
    return 1;
}

static void *galloc_realloc(void *ptr, uint32_t old_size, uint32_t align, uint32_t new_size)
{
    chunk_t *c = at((uintptr_t)ptr - HEADER);
    uint32_t old_s = prepare_size(old_size);
    uint32_t new_s = prepare_size(new_size);
    if (new_s <= old_s) {
        shrink_in_place(c, new_s);
        return ptr;
    }
    if (csize(c) >= new_s) return ptr; /* the slack already holds it */
    if (grow_in_place(c, new_s)) return ptr;
    void *p = galloc_alloc(new_size, align);
    if (!p) return NULL; /* the old block stays */
    copy_bytes(p, ptr, old_size < new_size ? old_size : new_size);
    galloc_dealloc(ptr);
    return p;
}

/* ---- init ---- */

/* The first header goes at an address = 4 (mod 8) so that content is 8-aligned, and the last
   chunk ends at an address = 4 (mod 8) so that content sizes are 12 + 8k (§4.9); with
   GALLOC_UPSTREAM_32BIT both are 8-aligned, as the crate places them. Upstream
   panics on a second init and on an empty heap; here also on a heap that cannot hold one
   minimum free chunk (upstream would write the free chunk's links past its end). */
static void galloc_init(void *heap, uint32_t heap_size)
{
    if (galloc.heap_end != 0) SL_PANIC(); /* already initialised */
    uintptr_t start = (uintptr_t)heap;
    uintptr_t top = start + heap_size;
    if (heap_size < MIN_FREE || top < start) SL_PANIC(); /* too small, or past 2^32 */
#if GALLOC_UPSTREAM_32BIT
    /* Upstream: align_up(start, 8) and align_down(end, 8), so the first content is 4 mod 8. */
    uintptr_t first = (start + MIN_ALIGN - 1u) & ~(uintptr_t)(MIN_ALIGN - 1u);
    uintptr_t end = top & ~(uintptr_t)(MIN_ALIGN - 1u);
#else
    uintptr_t first = ((start + HEADER + MIN_ALIGN - 1u) & ~(uintptr_t)(MIN_ALIGN - 1u)) - HEADER;
    uintptr_t end = ((top - HEADER) & ~(uintptr_t)(MIN_ALIGN - 1u)) + HEADER;
#endif
    if (end <= first || end - first < MIN_FREE) SL_PANIC();

    OTHER->fd = OTHER; /* empty circular list: the sentinel points at itself */
    OTHER->pprev = &OTHER->fd;
    galloc.heap_end = end;
    chunk_t *c = at(first);
    c->hdr = (uint32_t)(end - first - HEADER) | F_FREE | F_PREV_IN_USE;
    write_postfix(c);
    bin_insert(c);
}

/* ---- the sramlab ABI: SpinLockedAllocator's GlobalAlloc ---- */

void sl_init(void *heap, uint32_t heap_size)
{
    sl_spin_lock(&galloc_lock);
    galloc_init(heap, heap_size);
    sl_spin_unlock(&galloc_lock);
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return NULL;
    sl_spin_lock(&galloc_lock);
    void *p = galloc_alloc(size, align);
    sl_spin_unlock(&galloc_lock);
    return p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size; /* boundary tags: the layout is not needed */
    (void)align;
    sl_spin_lock(&galloc_lock);
    galloc_dealloc(ptr);
    sl_spin_unlock(&galloc_lock);
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    if (!sl_layout_ok(new_size, align)) return NULL;
    sl_spin_lock(&galloc_lock);
    void *p = galloc_realloc(ptr, size, align, new_size);
    sl_spin_unlock(&galloc_lock);
    return p;
}
