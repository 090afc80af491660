/* wrapped-size (test-only, deliberately broken): a bump allocator that skips the Layout
   precondition (sl_layout_ok) and checks for room as `top + size > end`. For a size near 2^32
   the sum wraps below end, the check passes, and the block it returns runs far past the heap
   array: the blocks check must refuse it. */
#include "sramlab.h"

static uint8_t *top, *end;

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (align == 0 || (align & (align - 1u))) return 0;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p + size > (uintptr_t)end) return 0; /* BUG: wraps for a size near 2^32 */
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
