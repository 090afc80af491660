/* past-end (test-only, deliberately broken): a top-down bump allocator that hands out zeroed
   blocks, like calloc. The zeroing loop runs to `<= size`, one byte too far: the first block
   ends at the heap's last byte, so its extra byte is the first byte past the heap array.
   The containment check must stop the store. */
#include "sramlab.h"

static uint8_t *base, *top; /* blocks are carved downward from the heap's end */

void sl_init(void *heap, uint32_t heap_size)
{
    base = heap;
    top = base + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align) || size > (uint32_t)(top - base)) return 0;
    uintptr_t p = ((uintptr_t)top - size) & ~(uintptr_t)(align - 1u);
    if (p < (uintptr_t)base) return 0;
    uint8_t *block = (uint8_t *)p;
    for (uint32_t i = 0; i <= size; i++) block[i] = 0; /* BUG: `<=` */
    top = block;
    return block;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)ptr, (void)size, (void)align; /* a bump allocator frees nothing */
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
