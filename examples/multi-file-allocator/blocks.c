/* Boundary tags: reading a block's neighbours, splitting and merging. */
#include "alloc.h"

uint32_t block_size(const struct block *b)
{
    return b->size & ~IN_USE;
}

int block_free(const struct block *b)
{
    return (b->size & IN_USE) == 0;
}

void *block_payload(struct block *b)
{
    return (char *)b + HEADER;
}

struct block *block_of(void *payload)
{
    return (struct block *)((char *)payload - HEADER);
}

struct block *block_next(struct block *b)
{
    return (struct block *)((char *)b + block_size(b));
}

struct block *block_prev(struct block *b)
{
    return b->prev_size ? (struct block *)((char *)b - b->prev_size) : NULL;
}

/* Sets a block's size and state, and the next block's record of it. */
void block_set(struct block *b, uint32_t size, uint32_t in_use)
{
    b->size = size | in_use;
    block_next(b)->prev_size = size;
}

/* Merges a block that has just become free (and is in no bin) with its free neighbours;
   returns the merged block, still in no bin. No two free blocks are ever adjacent, so one
   step each way is enough. */
struct block *block_merge(struct block *b)
{
    struct block *n = block_next(b);
    if (block_free(n)) {
        bin_remove(n);
        block_set(b, block_size(b) + block_size(n), 0);
    }
    struct block *p = block_prev(b);
    if (p && block_free(p)) {
        bin_remove(p);
        block_set(p, block_size(p) + block_size(b), 0);
        b = p;
    }
    return b;
}

/* Cuts a block in use down to `need` bytes when the rest makes a block of its own, which is
   merged with a free block above it and binned. */
void block_trim(struct block *b, uint32_t need)
{
    uint32_t size = block_size(b);
    if (size - need < MIN_BLOCK) return;
    struct block *rest = (struct block *)((char *)b + need);
    block_set(b, need, IN_USE);
    block_set(rest, size - need, 0);
    bin_insert(block_merge(rest));
}
