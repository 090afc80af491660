/* deep-recursion (test-only, deliberately broken): a first-fit allocator over a map of 64-byte
   granules whose free-run length is computed recursively, one level per granule, each level
   with a 128-byte scratch buffer that lives across the call. On an empty 16 KiB heap that is
   256 levels, over 32 KiB of stack: more than any profile's stack, so SP runs below
   __stack_limit into the heap, and the stack check must stop it. A loop would need a few
   bytes. */
#include "sramlab.h"

#define GRANULE 64u

static uint8_t *base;
static uint32_t count;                               /* granules in the heap */
static uint8_t used[SL_HEAP_REGION_SIZE / GRANULE]; /* 1: the granule is in a block */

/* Free granules from i up. The scratch byte is read back after the call (volatile), so the
   compiler can neither drop the buffer nor turn the recursion into a loop. */
static uint32_t free_run(uint32_t i)
{
    volatile uint8_t scratch[128];
    if (i >= count || used[i]) return 0;
    scratch[i % sizeof scratch] = 1;
    uint32_t rest = free_run(i + 1); /* BUG: depth grows with the heap */
    return rest + scratch[i % sizeof scratch];
}

void sl_init(void *heap, uint32_t heap_size)
{
    base = heap;
    count = heap_size / GRANULE;
    for (uint32_t i = 0; i < count; i++) used[i] = 0;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align) || align > GRANULE) return 0;
    uint32_t need = size ? (size + GRANULE - 1u) / GRANULE : 1u;
    for (uint32_t i = 0; i < count; i++) {
        if (used[i] || free_run(i) < need) continue;
        for (uint32_t k = 0; k < need; k++) used[i + k] = 1;
        return base + i * GRANULE;
    }
    return 0;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)align;
    uint32_t first = (uint32_t)((uint8_t *)ptr - base) / GRANULE;
    uint32_t need = size ? (size + GRANULE - 1u) / GRANULE : 1u;
    for (uint32_t k = 0; k < need; k++) used[first + k] = 0;
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
