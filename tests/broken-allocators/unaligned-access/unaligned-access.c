/* unaligned-access (test-only, deliberately broken): a bump allocator that keeps a packed
   5-byte header right before each block, { size: 4 bytes, tag: 1 byte }, written byte by byte,
   and checks it on free with a plain word load. Before a word-aligned block the size field is
   at an odd address: the Cortex-M3 loads it anyway, every unaligned access faults on ARMv6-M,
   and the faults check must report the HardFault. */
#include "sramlab.h"

#define HEADER 5u
#define TAG 0xB1u

static uint8_t *top, *end;

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    uintptr_t p = ((uintptr_t)top + HEADER + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p > (uintptr_t)end || size > (uintptr_t)end - p) return 0;
    uint8_t *h = (uint8_t *)p - HEADER;
    for (uint32_t i = 0; i < 4; i++) h[i] = (uint8_t)(size >> (8 * i));
    h[4] = TAG;
    top = (uint8_t *)p + size;
    return (void *)p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)align;
    uint8_t *h = (uint8_t *)ptr - HEADER;
    /* BUG: a word load at h, which is 4n + 3 before an aligned block */
    if (h[4] != TAG || *(volatile uint32_t *)h != size) SL_PANIC();
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
