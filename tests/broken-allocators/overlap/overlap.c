/* overlap (test-only, deliberately broken): a bump allocator in 8-byte granules that rounds
   the size down to the granule instead of up, so a block smaller than 8 bytes does not move
   the bump pointer and the next block lands on it. The blocks check must see the overlap. */
#include "sramlab.h"

static uint8_t *top, *end;

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p > (uintptr_t)end || size > (uintptr_t)end - p) return 0;
    top = (uint8_t *)p + (size & ~7u); /* BUG: should be (size + 7) & ~7 */
    return (void *)p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)ptr, (void)size, (void)align;
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
