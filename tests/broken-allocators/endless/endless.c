/* endless (test-only, deliberately broken): a bump allocator behind the project's spin lock
   (firmware/lock.h) whose sl_init takes the lock like every entry point and returns without
   releasing it. The first sl_alloc spins on it for ever; the liveness check (the call's cycle
   budget) must stop it. */
#include "lock.h"
#include "sramlab.h"

static sl_spinlock_t lock;
static uint8_t *top, *end;

void sl_init(void *heap, uint32_t heap_size)
{
    sl_spin_lock(&lock);
    top = heap;
    end = top + heap_size;
    /* BUG: no sl_spin_unlock(&lock) */
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (!sl_layout_ok(size, align)) return 0;
    sl_spin_lock(&lock);
    void *block = 0;
    uintptr_t p = ((uintptr_t)top + align - 1u) & ~(uintptr_t)(align - 1u);
    if (p <= (uintptr_t)end && size <= (uintptr_t)end - p) {
        top = (uint8_t *)p + size;
        block = (void *)p;
    }
    sl_spin_unlock(&lock);
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
