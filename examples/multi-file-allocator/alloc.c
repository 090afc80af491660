/* The sramlab ABI's sl_init, sl_alloc and sl_dealloc (sl_realloc is in realloc.c). Each public
   call runs with interrupts masked (alloc.h), so an ISR may allocate too. */
#include "alloc.h"

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);

/* Bytes of the one free block sl_init made: no request needs more. */
static uint32_t capacity;

void sl_init(void *heap, uint32_t heap_size)
{
    uintptr_t start = ((uintptr_t)heap + GRAIN - 1) & ~(uintptr_t)(GRAIN - 1);
    uintptr_t end = ((uintptr_t)heap + heap_size) & ~(uintptr_t)(GRAIN - 1);
    bins_reset();
    capacity = 0;
    if (end < start + MIN_BLOCK + HEADER) return; /* too small: every request gets NULL */
    struct block *first = (struct block *)start;
    struct block *sentinel = (struct block *)(end - HEADER);
    capacity = (uint32_t)(end - start) - HEADER;
    first->prev_size = 0;
    sentinel->size = 0 | IN_USE;
    block_set(first, capacity, 0);
    bin_insert(first);
}

/* The block size for `size` bytes, or 0 when the layout is not one Rust's Layout allows
   (align not a power of two, size rounded up to align above isize::MAX) or the heap could
   never hold it. */
uint32_t block_need(uint32_t size, uint32_t align)
{
    if (align == 0 || (align & (align - 1)) != 0 || size > 0x7fffffffu - (align - 1)) return 0;
    if (size > capacity) return 0;
    uint32_t need = (size + HEADER + GRAIN - 1) & ~(GRAIN - 1);
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

static void *alloc(uint32_t size, uint32_t align)
{
    uint32_t need = block_need(size, align);
    if (need == 0) return NULL;
    if (align < GRAIN) align = GRAIN;
    uint32_t lead;
    struct block *b = bin_find(need, align, &lead);
    if (!b) return NULL;
    bin_remove(b);
    if (lead) {
        /* The bytes below the aligned payload stay free. The block below b is in use (free
           neighbours are always merged), so this one needs no merging. */
        struct block *a = (struct block *)((char *)b + lead);
        uint32_t size_b = block_size(b);
        block_set(b, lead, 0);
        block_set(a, size_b - lead, 0);
        bin_insert(b);
        b = a;
    }
    block_set(b, block_size(b), IN_USE);
    block_trim(b, need);
    return block_payload(b);
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    uint32_t primask = irq_mask();
    void *p = alloc(size, align);
    irq_restore(primask);
    return p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size;
    (void)align;
    if (!ptr) return;
    uint32_t primask = irq_mask();
    struct block *b = block_of(ptr);
    block_set(b, block_size(b), 0);
    bin_insert(block_merge(b));
    irq_restore(primask);
}
