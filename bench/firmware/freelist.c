/* Benchmark firmware: allocator-like work for timing sramlab against QEMU and Unicorn.
   A first-fit, address-ordered free list with coalescing manages a static heap; a seeded
   xorshift32 stream picks slots to allocate (then fill every word, like memset) or free
   (after reading every word back and checking it). The result is one checksum, which
   must be the same on every machine that runs the same ELF.

   Two entry points:
   - bench_main(): runs the loop and returns the checksum in r0. It needs no startup code,
     no .data and no semihosting (it sets up every variable it uses), so a host such as a
     Unicorn harness can call it with only SP and LR set.
   - main(): the reset path; calls bench_main and prints the result through semihosting.

   The heap is 12 KiB, not 16: QEMU's micro:bit has 16 KiB of SRAM in all, and the slot
   table and the stack need the rest. */
#include <stdint.h>

#include "semihost.h"

#define HEAP_BYTES (12u * 1024u)
#define SLOTS 64u      /* power of two: the slot is picked with a mask (no divide on v6-M) */
#define MIN_SPLIT 16u  /* a remainder smaller than this stays inside the allocated block */

/* Tunable without a rebuild: a host may patch these words in flash. They are const, so
   they stay in flash (GCC would put a `volatile const` in .data, which bench_main must not
   depend on), and are read through a volatile lvalue, so no build folds them into code. */
__attribute__((used)) const uint32_t bench_iterations = 146000u;
__attribute__((used)) const uint32_t bench_seed = 0x9E3779B9u;
#define PARAM(name) (*(const volatile uint32_t *)&(name))

/* Block = one header word (size in bytes including the header, a multiple of 8, bit 0
   set while in use) followed by the payload. A free block's first payload word links to
   the next free block in address order. */
static uint32_t heap[HEAP_BYTES / 4] __attribute__((aligned(8)));
static uint32_t *free_head;

struct slot {
    uint32_t *ptr;
    uint32_t words;
    uint32_t sum; /* expected sum of the words read back */
};
static struct slot slots[SLOTS];

/* Read-back mismatches and a heap that did not coalesce back to one block: both 0 when
   the run is correct. */
uint32_t bench_errors;

static void heap_init(void)
{
    heap[0] = HEAP_BYTES;
    heap[1] = 0;
    free_head = heap;
}

static uint32_t *next_free(const uint32_t *b) { return (uint32_t *)(uintptr_t)b[1]; }

static void *heap_alloc(uint32_t size)
{
    uint32_t need = (size + 4u + 7u) & ~7u;
    uint32_t **link = &free_head;
    for (uint32_t *b = free_head; b; b = next_free(b)) {
        uint32_t have = b[0];
        if (have >= need) {
            if (have - need >= MIN_SPLIT) {
                uint32_t *rest = b + need / 4u;
                rest[0] = have - need;
                rest[1] = b[1];
                *link = rest;
                b[0] = need | 1u;
            } else {
                *link = next_free(b);
                b[0] = have | 1u;
            }
            return b + 1;
        }
        link = (uint32_t **)&b[1];
    }
    return 0;
}

static void heap_free(void *p)
{
    uint32_t *b = (uint32_t *)p - 1;
    uint32_t size = b[0] & ~1u;
    uint32_t *prev = 0, *next = free_head;
    while (next && next < b) {
        prev = next;
        next = next_free(next);
    }
    if (next && b + size / 4u == next) { /* merge with the following free block */
        size += next[0];
        next = next_free(next);
    }
    if (prev && prev + prev[0] / 4u == b) { /* merge into the preceding one */
        prev[0] += size;
        prev[1] = (uint32_t)(uintptr_t)next;
        return;
    }
    b[0] = size;
    b[1] = (uint32_t)(uintptr_t)next;
    if (prev) prev[1] = (uint32_t)(uintptr_t)b;
    else free_head = b;
}

static uint32_t rotl(uint32_t v, unsigned n) { return (v << n) | (v >> (32u - n)); }

static uint32_t read_back(const struct slot *s)
{
    uint32_t acc = 0;
    for (uint32_t w = 0; w < s->words; w++) acc += s->ptr[w];
    return acc;
}

__attribute__((noinline, used)) uint32_t bench_main(void)
{
    uint32_t x = PARAM(bench_seed);
    uint32_t sum = 0;
    uint32_t n = PARAM(bench_iterations);
    bench_errors = 0;
    heap_init();
    for (uint32_t k = 0; k < SLOTS; k++) slots[k].ptr = 0;

    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct slot *s = &slots[x & (SLOTS - 1u)];
        if (s->ptr) {
            uint32_t acc = read_back(s);
            if (acc != s->sum) bench_errors++;
            sum = rotl(sum, 5) ^ acc;
            heap_free(s->ptr);
            s->ptr = 0;
        } else {
            uint32_t words = ((x >> 8) & 0x7Fu) + 1u; /* 4 to 512 bytes */
            uint32_t *p = heap_alloc(words * 4u);
            if (!p) { /* heap full: part of the result too */
                sum = rotl(sum, 3) + 1u;
                continue;
            }
            for (uint32_t w = 0; w < words; w++) p[w] = x;
            s->ptr = p;
            s->words = words;
            s->sum = x * words;
            sum += (uint32_t)((uintptr_t)p - (uintptr_t)heap);
        }
    }

    /* Drain: every block back, and the heap must be one free block again. */
    for (uint32_t k = 0; k < SLOTS; k++) {
        if (slots[k].ptr) {
            if (read_back(&slots[k]) != slots[k].sum) bench_errors++;
            heap_free(slots[k].ptr);
            slots[k].ptr = 0;
        }
    }
    if (free_head != heap || heap[0] != HEAP_BYTES || heap[1] != 0) bench_errors++;
    return sum;
}

int main(void)
{
    uint32_t sum = bench_main();
    sh_puts("freelist: iterations=");
    sh_dec(PARAM(bench_iterations));
    sh_puts(" checksum=");
    sh_hex(sum);
    sh_puts(" errors=");
    sh_dec(bench_errors);
    sh_putc('\n');
    return bench_errors ? 1 : 0;
}
