/* leaky (test-only, deliberately broken): a first-fit allocator in 64-byte granules whose
   sl_dealloc forgets to give the granules back. Once every block is freed the heap serves
   less than it did fresh, and the leak check must say so. */
#include "sramlab.h"

#define GRANULE 64u

static uint8_t *base;
static uint32_t count;                               /* granules in the heap */
static uint8_t used[SL_HEAP_REGION_SIZE / GRANULE]; /* 1: the granule is in a block */

static uint32_t granules(uint32_t size) { return size ? (size + GRANULE - 1u) / GRANULE : 1u; }

void sl_init(void *heap, uint32_t heap_size)
{
    base = heap;
    count = heap_size / GRANULE;
    for (uint32_t i = 0; i < count; i++) used[i] = 0;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align) || size > count * GRANULE) return 0;
    uint32_t need = granules(size);
    /* Granule i starts at base + 64 i, and base is page aligned: step by the alignment. */
    uint32_t step = align > GRANULE ? align / GRANULE : 1u;
    for (uint32_t i = 0; i + need <= count; i += step) {
        uint32_t k = 0;
        while (k < need && !used[i + k]) k++;
        if (k < need) continue;
        for (k = 0; k < need; k++) used[i + k] = 1;
        return base + i * GRANULE;
    }
    return 0;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)ptr, (void)size, (void)align; /* BUG: the granules stay used */
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = ((uint8_t *)ptr)[i];
    sl_dealloc(ptr, size, align);
    return to;
}
