/* chunk: simple-chunk-allocator v0.1.6 (phip1611), restated in C from docs/seed-algorithms.md §2.
   Fixed 256-byte chunks, one bit per chunk in a bitmap outside the heap, next-fit search
   from a one-entry hint, a realloc that keeps the pointer whenever the new size fits the
   chunks already occupied. README.md lists the deviations and the upstream behaviours kept. */
#include "sramlab.h"
#include "lock.h"

#define CHUNK_SIZE 256u
/* The bitmap is sized for the whole heap region of the image; sl_init may use less. */
#define MAX_CHUNKS (SL_HEAP_REGION_SIZE / CHUNK_SIZE)
_Static_assert(MAX_CHUNKS % 8 == 0, "the chunk count must be a multiple of 8");

/* "maybe_next_free_chunk": where the next search starts. Only `index` steers the search;
   `alignment` and `chunk_count` only decide whether a free may replace the hint (§2.3). */
struct hint {
    uint32_t index;
    uint32_t alignment;
    uint32_t chunk_count;
};

/* Allocator state, in .alloc_bss. The names are read by tests (tests/allocators/chunk.test.ts). */
static uint8_t chunk_bitmap[MAX_CHUNKS / 8]; /* chunk i: byte i/8, bit i%8; 1 = used */
static uint8_t *chunk_heap;
static uint32_t chunk_count;    /* C; 0 while sl_init has refused the heap */
static uint32_t chunk_in_use;   /* chunks_in_use, the usage statistic's numerator */
static uint8_t chunk_first_alloc;
static struct hint chunk_hint;
static sl_spinlock_t chunk_lock; /* GlobalChunkAllocator's spin::Mutex */

static int is_used(uint32_t i) { return (chunk_bitmap[i / 8] >> (i % 8)) & 1u; }

/* Both bitmap writes assert the old state, as upstream does: marking a used chunk is an
   allocator bug, clearing a free one is a double free. Either panics. */
static void mark_used(uint32_t i)
{
    if (is_used(i)) SL_PANIC();
    chunk_bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void mark_free(uint32_t i)
{
    if (!is_used(i)) SL_PANIC();
    chunk_bitmap[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* ceil(max(size, 1) / 256): size 0 counts as 1 byte, so it takes (and frees) one chunk, as
   upstream's allocate, deallocate and realloc all do. */
static uint32_t chunks_for(uint32_t size) { return size == 0 ? 1 : (size + CHUNK_SIZE - 1) / CHUNK_SIZE; }

/* Next fit: the first chunk i, counting from the hint and wrapping, that is free, whose run
   of n chunks ends before the heap does (runs never wrap), whose address is a multiple of
   align, and whose n-1 followers are free. Returns C when there is none. The wrap is an
   increment and a compare; upstream writes (hint + k) mod C, which gives the same order. */
static uint32_t find_region(uint32_t n, uint32_t align)
{
    const uint32_t c = chunk_count;
    uint32_t i = chunk_hint.index;
    for (uint32_t k = 0; k < c; k++, i = (i + 1 == c) ? 0 : i + 1) {
        if (is_used(i)) continue;
        if (i + n > c) continue;
        if (((uint32_t)chunk_heap + i * CHUNK_SIZE) & (align - 1)) continue;
        uint32_t j = 1;
        while (j < n && !is_used(i + j)) j++;
        if (j == n) return i;
    }
    return c;
}

static void *allocate(uint32_t size, uint32_t align)
{
    if (chunk_count == 0) return 0;
    if (chunk_first_alloc) {
        /* Lazy init: the constructor leaves the bitmap alone, the first allocation zeroes it
           and only then learns whether the heap is aligned (BadHeapMemory). */
        for (uint32_t b = 0; b < chunk_count / 8; b++) chunk_bitmap[b] = 0;
        if ((uint32_t)chunk_heap % CHUNK_SIZE) return 0;
        chunk_hint.alignment = CHUNK_SIZE;
        chunk_first_alloc = 0;
    }
    uint32_t n = chunks_for(size);
    if (n > chunk_count) return 0;
    uint32_t i = find_region(n, align);
    if (i == chunk_count) return 0; /* upstream's GlobalAlloc panics here: NULL instead */
    for (uint32_t j = i; j < i + n; j++) mark_used(j);
    chunk_in_use += n;
    /* The hint moves only when the chunk it names was just taken, and then to i + 1: into
       the run just allocated when n > 1, not past it. */
    if (is_used(chunk_hint.index)) {
        chunk_hint.index = (i + 1 == chunk_count) ? 0 : i + 1;
        chunk_hint.alignment = CHUNK_SIZE;
        chunk_hint.chunk_count = 1;
    }
    return chunk_heap + i * CHUNK_SIZE;
}

static void deallocate(uint8_t *ptr, uint32_t size, uint32_t align)
{
    if (ptr == 0) SL_PANIC();
    uint32_t n = chunks_for(size);
    uint32_t i = (uint32_t)(ptr - chunk_heap) / CHUNK_SIZE;
    /* Out of the bitmap: Rust's bounds check panics. */
    if (i >= chunk_count || n > chunk_count - i) SL_PANIC();
    for (uint32_t j = i; j < i + n; j++) mark_free(j);
    chunk_in_use -= n;
    /* "Prefer small regions with low alignment". Once an allocation has set the hint to
       {_, CHUNK_SIZE, 1}, neither condition can hold again (§2.3): pure next fit. */
    if (n < chunk_hint.chunk_count ||
        (n == chunk_hint.chunk_count && align > CHUNK_SIZE && align < chunk_hint.alignment)) {
        chunk_hint.index = i;
        chunk_hint.alignment = align;
        chunk_hint.chunk_count = n;
    }
}

/* Rust's copy_nonoverlapping: words while both ends allow it (chunks are 256-aligned), then bytes. */
static void copy(uint8_t *dst, const uint8_t *src, uint32_t len)
{
    if ((((uint32_t)dst | (uint32_t)src) & 3u) == 0) {
        for (; len >= 4; len -= 4, dst += 4, src += 4) *(uint32_t *)dst = *(const uint32_t *)src;
    }
    while (len--) *dst++ = *src++;
}

/* The constructor: a heap of C chunks with C a non-zero multiple of 8 (upstream rejects any
   other bitmap length) that this image's bitmap can cover. A refused heap leaves the
   allocator empty, every allocation NULL. */
void sl_init(void *heap, uint32_t heap_size)
{
    uint32_t c = heap_size / CHUNK_SIZE;
    int ok = heap != 0 && heap_size != 0 && heap_size % (CHUNK_SIZE * 8) == 0 && c <= MAX_CHUNKS;
    chunk_heap = heap;
    chunk_count = ok ? c : 0;
    chunk_in_use = 0;
    chunk_first_alloc = 1;
    chunk_hint.index = 0;
    chunk_hint.alignment = CHUNK_SIZE;
    chunk_hint.chunk_count = chunk_count;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    sl_spin_lock(&chunk_lock);
    void *p = allocate(size, align);
    sl_spin_unlock(&chunk_lock);
    return p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    sl_spin_lock(&chunk_lock);
    deallocate(ptr, size, align);
    sl_spin_unlock(&chunk_lock);
}

/* The "fast realloc" (§2.5): any new size within the chunks the old size occupies keeps the
   pointer and touches nothing, so a shrink frees no chunk and the later free with the new
   size leaks the difference (kept: upstream behaviour). Otherwise allocate, copy, free. */
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    if (!sl_layout_ok(new_size, align)) return 0;
    sl_spin_lock(&chunk_lock);
    void *out = ptr;
    if (new_size > chunks_for(size) * CHUNK_SIZE) {
        out = allocate(new_size, align);
        if (out) {
            copy(out, ptr, size < new_size ? size : new_size);
            deallocate(ptr, size, align);
        }
    }
    sl_spin_unlock(&chunk_lock);
    return out;
}
