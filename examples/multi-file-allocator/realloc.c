/* sl_realloc: in place when the block or its free neighbours hold the new size, moving the
   bytes down with memmove when it grows into the free block below, and otherwise a new block,
   memcpy and free. On failure it returns NULL and the old block is untouched. Interrupts are
   masked throughout (alloc.h). */
#include <string.h>
#include "alloc.h"

void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

static void *resize(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint32_t need = block_need(new_size, align);
    if (need == 0) return NULL;
    struct block *b = block_of(ptr);
    uint32_t have = block_size(b);
    struct block *n = block_next(b);
    uint32_t above = block_free(n) ? block_size(n) : 0;

    if (need <= have + above) { /* shrink, or grow into the free block above */
        if (need > have) {
            bin_remove(n);
            block_set(b, have + above, IN_USE);
        }
        block_trim(b, need);
        return ptr;
    }

    struct block *p = block_prev(b);
    uintptr_t moved = p ? (uintptr_t)block_payload(p) : 0;
    if (p && block_free(p) && (moved & (align - 1)) == 0 && need <= block_size(p) + have + above) {
        /* Grow downwards: the bytes move to p's payload, which overlaps them. p leaves its bin
           first, since its links lie where the bytes go. */
        uint32_t total = block_size(p) + have + above;
        bin_remove(p);
        if (above) bin_remove(n);
        memmove(block_payload(p), ptr, size);
        block_set(p, total, IN_USE);
        block_trim(p, need);
        return block_payload(p);
    }

    void *fresh = sl_alloc(new_size, align);
    if (!fresh) return NULL;
    memcpy(fresh, ptr, size < new_size ? size : new_size);
    sl_dealloc(ptr, size, align);
    return fresh;
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint32_t primask = irq_mask();
    void *p = resize(ptr, size, align, new_size);
    irq_restore(primask);
    return p;
}
