/* metadata-in-block (test-only, deliberately broken): a bump allocator in 8-byte granules that
   marks a freed block with a boundary tag (its size) in the word just past it, for a merge it
   would do later. Allocation never reserved that word: it is the first word of the next block,
   which is still live. The contents check must see the user's bytes change. */
#include "sramlab.h"

#define GRANULE 8u

static uint8_t *top, *end;

static uint32_t granules(uint32_t size) { return (size + GRANULE - 1u) & ~(GRANULE - 1u); }

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    if (align < GRANULE) align = GRANULE;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p > (uintptr_t)end || granules(size) > (uintptr_t)end - p) return 0;
    top = (uint8_t *)p + granules(size); /* BUG: no room for the tag sl_dealloc writes */
    return (void *)p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)align;
    uint32_t *tag = (uint32_t *)((uint8_t *)ptr + granules(size));
    if ((uint8_t *)tag < top) *tag = size; /* lands in the next block */
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
