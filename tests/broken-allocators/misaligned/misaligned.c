/* misaligned (test-only, deliberately broken): a bump allocator that rounds every block to a
   word, whatever alignment was asked: right up to 4, wrong above. The blocks check must see a
   pointer that is not aligned as asked. */
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
    uintptr_t p = ((uintptr_t)top + 3u) & ~(uintptr_t)3u; /* BUG: ignores align > 4 */
    if (p > (uintptr_t)end || size > (uintptr_t)end - p) return 0;
    top = (uint8_t *)p + size;
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
