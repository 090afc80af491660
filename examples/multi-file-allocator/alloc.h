/* Shared by the allocator's files: the block layout and the functions each file provides.

   The heap is a row of blocks, each starting with an 8-byte header: its own size (a multiple
   of 8; bit 0 set while it is in use) and the size of the block just below it (0 for the
   first), so a freed block finds both neighbours and merges with them. A free block also holds
   the links of its bin's list. An 8-byte sentinel "in use" block of size 0 ends the row. */
#ifndef EXAMPLE_ALLOC_H
#define EXAMPLE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

struct block {
    uint32_t size;      /* bytes of the whole block, header included; bit 0: in use */
    uint32_t prev_size; /* bytes of the block just below; 0 for the first */
    struct block *next; /* free blocks only: the bin's list */
    struct block *prev;
};

#define HEADER 8u
#define GRAIN 8u      /* block sizes and payloads are multiples of 8 */
#define MIN_BLOCK 16u /* a header and the two links */
#define IN_USE 1u

/* A critical section: interrupts masked (PRIMASK) for the length of a public call, so an ISR
   that allocates waits until the interrupted call is done. One core, so that is enough; the
   saved PRIMASK makes nested sections (sl_realloc calling sl_alloc) safe. CPSID/MRS/MSR
   PRIMASK exist on ARMv6-M and ARMv7-M alike. */
static inline uint32_t irq_mask(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
    return primask;
}

static inline void irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" : : "r"(primask) : "memory");
}

/* blocks.c */
uint32_t block_size(const struct block *b);
int block_free(const struct block *b);
void *block_payload(struct block *b);
struct block *block_of(void *payload);
struct block *block_next(struct block *b);
struct block *block_prev(struct block *b);
void block_set(struct block *b, uint32_t size, uint32_t in_use);
struct block *block_merge(struct block *b);
void block_trim(struct block *b, uint32_t need);

/* bins.c */
void bins_reset(void);
void bin_insert(struct block *b);
void bin_remove(struct block *b);
struct block *bin_find(uint32_t need, uint32_t align, uint32_t *lead);

/* alloc.c */
uint32_t block_need(uint32_t size, uint32_t align);

#endif
