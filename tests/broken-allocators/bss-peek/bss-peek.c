/* bss-peek (test-only, deliberately broken): a bump allocator that counts the allocations
   made from IRQ 0 by reading the harness's sl_isr_request (in the harness's .bss), instead of
   asking the core (IPSR). That variable is neither the heap nor allocator state, so the
   containment check must stop the load. */
#include "sramlab.h"

/* The harness's ISR hook, as firmware/README.md documents it. */
struct sl_isr_request {
    uint32_t op, size, align, ptr, new_size, result, done;
};
extern volatile struct sl_isr_request sl_isr_request;

static uint8_t *top, *end;
static uint32_t isr_allocs;

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (sl_isr_request.op != 0) isr_allocs++; /* BUG: the harness's state, not ours */
    if (!sl_layout_ok(size, align)) return 0;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
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
