/* Benchmark firmware, second workload: a segregated-fit allocator, the kind Cortex-M3 firmware
   uses, built -O2 for the M3 so its code is full of IT blocks (GCC if-converts the size-class
   clamps, the bitmap updates and the split decisions). Same shape as freelist.c: a seeded
   xorshift32 stream allocates small blocks (fills them) or frees them (after reading them
   back), and one checksum comes out.

   Allocator: 17 size classes of 8-byte granules (8 to 136 bytes); each class has a LIFO free
   list and a bit in a bitmap of non-empty classes. A request takes the smallest non-empty
   class that fits (CLZ on the masked bitmap), splitting off the remainder into its own class,
   or carves fresh space from a bump region; freed blocks go back to their class list.

   bench_main() needs no startup code, no .data and no semihosting (as freelist.c). */
#include <stdint.h>

#include "semihost.h"

#define HEAP_BYTES (12u * 1024u)
#define SLOTS 64u
#define CLASSES 17u
#define GRANULE 8u

__attribute__((used)) const uint32_t bench_iterations = 400000u;
__attribute__((used)) const uint32_t bench_seed = 0x9E3779B9u;
#define PARAM(name) (*(const volatile uint32_t *)&(name))

/* Block = a header word (size in granules, bit 31 set while in use), then the payload; a free
   block's first payload word links to the next free block of its class. */
static uint32_t heap[HEAP_BYTES / 4] __attribute__((aligned(8)));
static uint32_t *lists[CLASSES];
static uint32_t nonempty;
static uint32_t bump;

struct slot {
    uint32_t *ptr;
    uint32_t words;
    uint32_t sum;
    uint32_t fill;
};
static struct slot slots[SLOTS];

uint32_t bench_errors;

static uint32_t class_of(uint32_t granules)
{
    uint32_t c = granules - 1u;
    return c > CLASSES - 1u ? CLASSES - 1u : c;
}

static void push(uint32_t *b, uint32_t granules)
{
    uint32_t c = class_of(granules);
    b[0] = granules;
    b[1] = (uint32_t)(uintptr_t)lists[c];
    lists[c] = b;
    nonempty |= 1u << c;
}

static uint32_t *pop(uint32_t c)
{
    uint32_t *b = lists[c];
    uint32_t *next = (uint32_t *)(uintptr_t)b[1];
    lists[c] = next;
    if (!next) nonempty &= ~(1u << c);
    return b;
}

static void *seg_alloc(uint32_t size)
{
    uint32_t need = (size + 4u + GRANULE - 1u) / GRANULE;
    uint32_t c = class_of(need);
    uint32_t fit = nonempty & ~((1u << c) - 1u);
    if (fit) {
        uint32_t k = 31u - (uint32_t)__builtin_clz(fit & -fit); /* smallest fitting class */
        uint32_t *b = pop(k);
        uint32_t have = b[0];
        if (have >= need + 2u) { /* split: the rest keeps a header and a link */
            push(b + need * (GRANULE / 4u), have - need);
            have = need;
        }
        b[0] = have | 0x80000000u;
        return b + 1;
    }
    uint32_t bytes = need * GRANULE;
    if (bump + bytes > HEAP_BYTES) return 0;
    uint32_t *b = heap + bump / 4u;
    bump += bytes;
    b[0] = need | 0x80000000u;
    return b + 1;
}

static void seg_free(void *p)
{
    uint32_t *b = (uint32_t *)p - 1;
    push(b, b[0] & 0x7FFFFFFFu);
}

static uint32_t rotl(uint32_t v, unsigned n) { return (v << n) | (v >> (32u - n)); }

/* Reads a block back as a heap checker does: every word must still be the fill value (the
   compare-and-count is an IT block per word on the M3). Returns the sum of the words. */
static uint32_t read_back(const struct slot *s)
{
    uint32_t acc = 0, bad = 0, fill = s->fill;
    for (uint32_t w = 0; w < s->words; w++) {
        uint32_t v = s->ptr[w];
        acc += v;
        if (v != fill) bad++;
    }
    bench_errors += bad;
    return acc;
}

__attribute__((noinline, used)) uint32_t bench_main(void)
{
    uint32_t x = PARAM(bench_seed);
    uint32_t sum = 0;
    uint32_t n = PARAM(bench_iterations);
    bench_errors = 0;
    bump = 0;
    nonempty = 0;
    for (uint32_t k = 0; k < CLASSES; k++) lists[k] = 0;
    for (uint32_t k = 0; k < SLOTS; k++) slots[k].ptr = 0;

    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct slot *s = &slots[x & (SLOTS - 1u)];
        if (s->ptr) {
            uint32_t acc = read_back(s);
            bench_errors += acc != s->sum;
            sum = rotl(sum, 5) ^ acc;
            seg_free(s->ptr);
            s->ptr = 0;
        } else {
            uint32_t words = ((x >> 8) & 7u) + 1u; /* 4 to 32 bytes: the allocator, not the fill, is the work */
            uint32_t *p = seg_alloc(words * 4u);
            if (!p) {
                sum = rotl(sum, 3) + 1u;
                continue;
            }
            for (uint32_t w = 0; w < words; w++) p[w] = x;
            s->ptr = p;
            s->words = words;
            s->sum = x * words;
            s->fill = x;
            sum += (uint32_t)((uintptr_t)p - (uintptr_t)heap);
        }
    }
    for (uint32_t k = 0; k < SLOTS; k++) {
        if (slots[k].ptr) {
            bench_errors += read_back(&slots[k]) != slots[k].sum;
            seg_free(slots[k].ptr);
            slots[k].ptr = 0;
        }
    }
    return sum;
}

int main(void)
{
    uint32_t sum = bench_main();
    sh_puts("segfit: iterations=");
    sh_dec(PARAM(bench_iterations));
    sh_puts(" checksum=");
    sh_hex(sum);
    sh_puts(" errors=");
    sh_dec(bench_errors);
    sh_putc('\n');
    return bench_errors ? 1 : 0;
}
