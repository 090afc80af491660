/* isr-spin (test-only, deliberately broken): a bump allocator that hands out zeroed blocks and
   guards itself with a home-made busy flag instead of a lock: a caller waits while the flag is
   set. Only thread mode ever clears it, so when IRQ 0 allocates while the thread is halfway
   through (zeroing its block), the handler waits for ever: the liveness check must stop it and
   say the interrupt handler is the one spinning. */
#include "sramlab.h"

static volatile uint32_t busy;
static uint8_t *top, *end;

void sl_init(void *heap, uint32_t heap_size)
{
    top = heap;
    end = top + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    while (busy) {
        /* BUG: in an interrupt handler, the flag's owner never runs again */
    }
    busy = 1;
    void *block = 0;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p <= (uintptr_t)end && size <= (uintptr_t)end - p) {
        top = (uint8_t *)p + size;
        for (uint32_t i = 0; i < size; i++) ((volatile uint8_t *)p)[i] = 0;
        block = (void *)p;
    }
    busy = 0;
    return block;
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
