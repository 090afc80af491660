/* Segregated free lists: bin k holds the free blocks of 2^(k+4) to 2^(k+5)-1 bytes (the last
   bin everything larger). A request searches its own bin first fit, then the larger ones. */
#include <string.h>
#include "alloc.h"

#define BINS 12

static struct block *bins[BINS];

static unsigned bin_of(uint32_t size)
{
    unsigned k = 0;
    for (size >>= 5; size && k < BINS - 1; size >>= 1) k++;
    return k;
}

/* sl_init may be called again on a used heap: every list starts empty. */
void bins_reset(void)
{
    memset(bins, 0, sizeof bins);
}

void bin_insert(struct block *b)
{
    struct block **head = &bins[bin_of(block_size(b))];
    b->prev = NULL;
    b->next = *head;
    if (*head) (*head)->prev = b;
    *head = b;
}

void bin_remove(struct block *b)
{
    if (b->prev) b->prev->next = b->next;
    else bins[bin_of(block_size(b))] = b->next;
    if (b->next) b->next->prev = b->prev;
}

/* Bytes from the start of free block b to the header of a block whose payload is aligned to
   `align`: 0, or at least MIN_BLOCK, so that the bytes skipped make a free block of their own. */
static uint32_t lead_in(struct block *b, uint32_t align)
{
    uintptr_t payload = (uintptr_t)block_payload(b);
    uintptr_t aligned = (payload + align - 1) & ~(uintptr_t)(align - 1);
    if (aligned != payload && aligned - payload < MIN_BLOCK) {
        aligned = (payload + MIN_BLOCK + align - 1) & ~(uintptr_t)(align - 1);
    }
    return (uint32_t)(aligned - payload);
}

/* The first free block, from the request's own bin upwards, that holds `need` bytes at an
   `align`ed payload; *lead is where in it that block starts. */
struct block *bin_find(uint32_t need, uint32_t align, uint32_t *lead)
{
    for (unsigned k = bin_of(need); k < BINS; k++) {
        for (struct block *b = bins[k]; b; b = b->next) {
            uint32_t size = block_size(b);
            if (size < need) continue;
            uint32_t l = lead_in(b, align);
            if (l <= size - need) {
                *lead = l;
                return b;
            }
        }
    }
    return NULL;
}
