/* A bump allocator with a free list, written the way a team outside sramlab would write
   its own: one C file, no sramlab headers, built by build.sh and checked with
   `sramlab check`. It is small on purpose; what it shows is the ABI, not the algorithm.

   The heap is cut into chunks, each [start, end): the bump pointer `top` hands out fresh
   chunks from the bottom of the heap upwards, so the chunks below `top` tile the heap with
   no gap. A chunk holds alignment padding, an 8-byte header {start, end} just below the
   pointer it returns, and the user's bytes. A freed chunk goes on a free list (the node
   lives in the chunk itself) and is reused whole, first fit. A freed chunk that ends at
   `top` lowers `top` instead, and so do free chunks that end at the new `top`: when every
   block is freed, `top` is back at the heap's start and the whole heap is one block again.

   Safe to call from an interrupt on one core: each entry point masks interrupts (PRIMASK)
   while it touches the heap and restores the mask it found, so an ISR that allocates waits
   until the interrupted call is done (sramlab's isr-reentrancy scenario checks this). It is
   not a lock: a second core would need one.

   Deliberate bugs, for the examples of failures in examples/README.md:
     -DBROKEN_OVERLAP  reusing a free chunk forgets to unlink it, so it is handed out twice
     -DBROKEN_BOUNDS   every fresh chunk marks the free space above it with a word at `top`,
                       even when `top` is the end of the heap: one word past the array */
#include <stdint.h>

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

/* Sits just below every pointer handed out. */
struct header {
    uint32_t start;
    uint32_t end;
};

/* Sits at the start of every free chunk. */
struct free_chunk {
    struct free_chunk *next;
    uint32_t end;
};

#define HEADER ((uint32_t)sizeof(struct header))

/* Masks interrupts and returns the previous mask; the restore puts that back, so nested
   calls (sl_realloc's) stay masked until the outermost one ends. */
static inline uint32_t irq_mask(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

static uint32_t heap_start, heap_end, top;
static struct free_chunk *free_list;

/* Headers and free-list nodes are words: on ARMv6-M an unaligned word access faults, so
   every chunk boundary and every pointer is at least 4-aligned. */
static uint32_t align_up(uint32_t x, uint32_t align)
{
    return (x + align - 1) & ~(align - 1);
}

void sl_init(void *heap, uint32_t heap_size)
{
    heap_start = align_up((uint32_t)heap, 4);
    heap_end = ((uint32_t)heap + heap_size) & ~3u;
    top = heap_start;
    free_list = 0;
}

/* Where a block of `size` bytes aligned to `align` would start inside [start, end), or 0
   when it does not fit. Written so that no sum can wrap past 2^32. */
static uint32_t place(uint32_t start, uint32_t end, uint32_t size, uint32_t align)
{
    if (end - start < HEADER || align > end - start - HEADER) return 0;
    uint32_t ptr = align_up(start + HEADER, align);
    if (ptr > end || size > end - ptr) return 0;
    return ptr;
}

static void *take(uint32_t ptr, uint32_t start, uint32_t end)
{
    struct header *h = (struct header *)(ptr - HEADER);
    h->start = start;
    h->end = end;
    return (void *)ptr;
}

static void *from_free_list(uint32_t size, uint32_t align)
{
    for (struct free_chunk **link = &free_list; *link; link = &(*link)->next) {
        uint32_t start = (uint32_t)*link, end = (*link)->end;
        uint32_t ptr = place(start, end, size, align);
        if (!ptr) continue;
#ifndef BROKEN_OVERLAP
        *link = (*link)->next;
#endif
        return take(ptr, start, end);
    }
    return 0;
}

static void *from_top(uint32_t size, uint32_t align)
{
    uint32_t ptr = place(top, heap_end, size, align);
    if (!ptr) return 0;
    uint32_t start = top;
    /* Round the end up to a word so the next chunk starts aligned; heap_end is a word
       boundary and ptr + size <= heap_end, so this never passes it. */
    top = align_up(ptr + size, 4);
#ifdef BROKEN_BOUNDS
    *(volatile uint32_t *)top = 0; /* heap_end is the first byte that is not ours */
#endif
    return take(ptr, start, top);
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (align == 0 || (align & (align - 1)) != 0) return 0;
    if (align < 4) align = 4;
    uint32_t primask = irq_mask();
    void *p = from_free_list(size, align);
    if (!p) p = from_top(size, align);
    irq_restore(primask);
    return p;
}

/* Lowers `top` over every free chunk that ends at it, unlinking each. */
static void absorb_into_top(void)
{
    int moved = 1;
    while (moved) {
        moved = 0;
        for (struct free_chunk **link = &free_list; *link; link = &(*link)->next) {
            if ((*link)->end != top) continue;
            top = (uint32_t)*link;
            *link = (*link)->next;
            moved = 1;
            break;
        }
    }
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size;
    (void)align;
    uint32_t primask = irq_mask();
    const struct header *h = (const struct header *)((uint32_t)ptr - HEADER);
    uint32_t start = h->start, end = h->end;
    if (end == top) {
        top = start;
        absorb_into_top();
    } else {
        struct free_chunk *c = (struct free_chunk *)start;
        c->next = free_list;
        c->end = end;
        free_list = c;
    }
    irq_restore(primask);
}

static void *realloc_masked(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    struct header *h = (struct header *)((uint32_t)ptr - HEADER);
    uint32_t p = (uint32_t)ptr;
    /* Shrinking, or growing within the chunk's slack: stay. */
    if (new_size <= h->end - p) return ptr;
    /* The last chunk grows in place while the heap has room. */
    if (h->end == top && new_size <= heap_end - p) {
        top = h->end = align_up(p + new_size, 4);
        return ptr;
    }
    uint8_t *moved = sl_alloc(new_size, align);
    if (!moved) return 0;
    const uint8_t *old = ptr;
    for (uint32_t i = 0; i < size && i < new_size; i++) moved[i] = old[i];
    sl_dealloc(ptr, size, align);
    return moved;
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint32_t primask = irq_mask();
    void *p = realloc_masked(ptr, size, align, new_size);
    irq_restore(primask);
    return p;
}
