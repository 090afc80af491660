/* Benchmark firmware, third workload: a TLSF allocator (two-level segregated fit), the
   bounded-time allocator of real-time Cortex-M firmware, built -O2 for the M3 and written so
   GCC if-converts it: size-class clamps, list-end tests against a sentinel, conditional
   selects and min/max, each short enough to become an IT block. Same driver shape as
   freelist.c and segfit.c: a seeded xorshift32 stream allocates blocks into 64 slots (filling
   them) or frees them (after reading them back), and one checksum comes out. The fill and the
   read-back use a checkerboard pattern, a select per word: about half of what runs is theirs,
   with three quarters of the IT blocks; the allocator's own code is 6-19% IT-related, as GCC
   turns a test with several dependants into a branch (bench/it-share.ts --by-function).

   Allocator: blocks are 8-byte multiples with a one-word header (size | FREE | PREV_FREE); a
   free block also holds its two free-list links and a footer copy of its size, the boundary
   tag its right neighbour reads to merge leftwards. Free blocks sit in FL_COUNT x SL_COUNT size
   classes, each a doubly linked list; a bit per non-empty class (sl_map) and one per non-empty
   first level (fl_map) make the search two find-first-set steps. An allocation first looks at
   a few blocks of its own class for the tightest fit, then takes the next class up, where any
   block fits, and splits off the rest. Freeing merges with both neighbours at once, so no two
   free blocks are ever adjacent: at the end, with every slot freed, the heap is one free block
   again (checked), and a heap walk every REPORT_EVERY operations checks the block chain.

   bench_main() needs no startup code, no .data and no semihosting (as freelist.c). */
#include <stdint.h>

#include "semihost.h"

#define HEAP_WORDS 3072u /* 12 KiB on the target */
#define SLOTS 64u
#define SL_LOG2 4u
#define SL_COUNT (1u << SL_LOG2)
#define SMALL (SL_COUNT * 8u) /* below this, classes are exact 8-byte steps (first level 0) */
#define FL_SHIFT 7u           /* log2(SMALL): a size with top bit f >= 7 is in first level f - 6 */
#define FL_COUNT 8u           /* up to 16 KiB */
#define MIN_BLOCK 16u         /* header, two links, footer */
#define FREE 1u
#define PREV_FREE 2u
#define SIZE_MASK (~7u)
#define REPORT_EVERY 256u     /* operations between heap monitor samples (a power of two) */
#define SCAN 4u              /* blocks of the request's own class looked at for a fit */

#ifndef BENCH_ITERATIONS /* the host build of the test's reference run sets a shorter one */
#define BENCH_ITERATIONS 160000u
#endif
__attribute__((used)) const uint32_t bench_iterations = BENCH_ITERATIONS;
__attribute__((used)) const uint32_t bench_seed = 0x2545F491u;
#define PARAM(name) (*(const volatile uint32_t *)&(name))

/* Sizes are in bytes of the 32-bit target, where a word is 4 bytes; the heap is an array of
   pointer-sized words so the same source runs on a 64-bit host (the test's reference run) with
   the same block layout in words. */
typedef uintptr_t word;
#define WORD_SCALE (sizeof(word) / 4u)

/* Headers sit at odd words so payloads are 8-byte aligned on the target; the last word is a
   zero-size in-use sentinel that stops merging rightwards. */
word heap[HEAP_WORDS] __attribute__((aligned(8)));
#define FIRST (&heap[1])
#define SENTINEL (&heap[HEAP_WORDS - 1u])
#define ARENA ((HEAP_WORDS - 2u) * 4u)

/* Word 0 is never a block, so its address ends the free lists (compared with, never written):
   a non-zero list end, which Thumb-2 code tests with CMP and an IT block rather than CBZ. */
#define NIL ((word *)heap)
static uint32_t fl_map;
static uint32_t sl_map[FL_COUNT + 1u]; /* one level past the last, always empty: where a failed search lands */
static word *lists[FL_COUNT][SL_COUNT];

/* What the allocator keeps for a heap monitor: bytes in use, their high-water mark, and the
   requests it could not serve. */
static struct {
    uint32_t in_use, peak, failed;
} stats;

struct slot {
    word *at; /* payload, 0 when empty */
    uint32_t words;
    uint32_t stamp;
};
static struct slot slots[SLOTS];

uint32_t bench_errors;

#define INLINE static inline __attribute__((always_inline))
INLINE uint32_t top_bit(uint32_t v) { return 31u - (uint32_t)__builtin_clz(v); }
INLINE uint32_t low_bit(uint32_t v) { return (uint32_t)__builtin_ctz(v); }
INLINE word *next_to(word *b, uint32_t size) { return (word *)((char *)b + size * WORD_SCALE); }
INLINE word *prev_to(word *b, uint32_t size) { return (word *)((char *)b - size * WORD_SCALE); }
INLINE uint32_t size_of(const word *b) { return (uint32_t)b[0] & SIZE_MASK; }
/* A free block's links: word 1 the next block of its class, word 2 the previous one. */
INLINE word *next_free(const word *b) { return (word *)b[1]; }
INLINE word *prev_free(const word *b) { return (word *)b[2]; }

/* The class a free block of `size` bytes is filed under: first level from the top bit, second
   level from the next SL_LOG2 bits; sizes below SMALL clamp into level 0 in 8-byte steps. */
INLINE uint32_t first_level(uint32_t size)
{
    uint32_t f = top_bit(size);
    f = f < FL_SHIFT - 1u ? FL_SHIFT - 1u : f;
    return f - (FL_SHIFT - 1u);
}
INLINE uint32_t second_level(uint32_t size)
{
    uint32_t f = top_bit(size);
    f = f < FL_SHIFT ? FL_SHIFT : f;
    return (size >> (f - SL_LOG2)) & (SL_COUNT - 1u);
}

static __attribute__((noinline)) void link_free(word *b, uint32_t size)
{
    uint32_t fl = first_level(size), sl = second_level(size);
    word **head = &lists[fl][sl];
    word *h = *head;
    b[0] = size | FREE;
    b[1] = (word)h;
    b[2] = (word)NIL;
    next_to(b, size)[-1] = size; /* the boundary tag */
    if (h != NIL) h[2] = (word)b;
    *head = b;
    sl_map[fl] |= 1u << sl;
    fl_map |= 1u << fl;
}

static __attribute__((noinline)) void unlink_free(word *b, uint32_t fl, uint32_t sl)
{
    word *n = next_free(b), *p = prev_free(b);
    if (n != NIL) n[2] = (word)p;
    if (p != NIL) p[1] = (word)n;
    word **head = &lists[fl][sl];
    word *h = *head == b ? n : *head;
    *head = h;
    /* The class bit goes when its list empties, the level bit when its last class does. */
    uint32_t m = sl_map[fl] & (h != NIL ? ~0u : ~(1u << sl));
    sl_map[fl] = m;
    uint32_t bit = 1u << fl;
    fl_map = (fl_map & ~bit) | (m != 0 ? bit : 0u);
}

static __attribute__((noinline)) word *tlsf_alloc(uint32_t bytes)
{
    uint32_t size = (bytes + 4u + 7u) & SIZE_MASK;
    size = size < MIN_BLOCK ? MIN_BLOCK : size;
    uint32_t fl = first_level(size), sl = second_level(size);
    /* A class above level 0 spans sizes: look at a few of its blocks for the tightest fit. */
    word *b = lists[fl][sl], *best = NIL;
    uint32_t best_size = ~0u;
    for (uint32_t k = 0; k < SCAN && b != NIL && best_size != size; k++) {
        uint32_t s = size_of(b);
        uint32_t better = s >= size && s < best_size;
        best = better ? b : best;
        best_size = better ? s : best_size;
        b = next_free(b);
    }
    if (best == NIL) {
        /* Else the next class up, where any block fits: bitmap search, two find-first-set steps. */
        uint32_t up = size < SMALL ? 8u : 1u << (top_bit(size) - SL_LOG2);
        fl = first_level(size + up);
        sl = second_level(size + up);
        fl = fl < FL_COUNT ? fl : FL_COUNT;
        uint32_t slm = sl_map[fl] & (~0u << sl);
        uint32_t other = low_bit((fl_map & (~1u << fl)) | 1u << FL_COUNT);
        fl = slm ? fl : other;
        slm = slm ? slm : sl_map[other];
        if (!slm) {
            stats.failed++;
            return 0;
        }
        sl = low_bit(slm);
        best = lists[fl][sl];
        best_size = size_of(best);
    }
    unlink_free(best, fl, sl);
    uint32_t rest = best_size - size;
    uint32_t split = rest >= MIN_BLOCK;
    uint32_t used = split ? size : best_size;
    best[0] = used; /* in use; its left neighbour is in use too (free blocks never touch) */
    word *n = next_to(best, used);
    if (split) link_free(n, rest); /* the block after n keeps PREV_FREE */
    else n[0] &= ~(word)PREV_FREE;
    stats.in_use += used;
    stats.peak = stats.in_use > stats.peak ? stats.in_use : stats.peak;
    return best + 1;
}

static __attribute__((noinline)) void tlsf_free(word *at)
{
    word *b = at - 1;
    uint32_t h = (uint32_t)b[0];
    uint32_t size = h & SIZE_MASK;
    stats.in_use -= size;
    word *n = next_to(b, size);
    uint32_t nh = (uint32_t)n[0];
    if (nh & FREE) {
        uint32_t ns = nh & SIZE_MASK;
        unlink_free(n, first_level(ns), second_level(ns));
        size += ns;
    }
    if (h & PREV_FREE) {
        uint32_t ps = (uint32_t)b[-1];
        b = prev_to(b, ps);
        unlink_free(b, first_level(ps), second_level(ps));
        size += ps;
    }
    link_free(b, size);
    next_to(b, size)[0] |= PREV_FREE;
}

static void tlsf_init(void)
{
    fl_map = 0;
    sl_map[FL_COUNT] = 0;
    for (uint32_t f = 0; f < FL_COUNT; f++) {
        sl_map[f] = 0;
        for (uint32_t s = 0; s < SL_COUNT; s++) lists[f][s] = NIL;
    }
    stats.in_use = stats.peak = stats.failed = 0;
    heap[0] = 0;
    *SENTINEL = 0;
    link_free(FIRST, ARENA);
    *SENTINEL |= PREV_FREE;
}

/* What a heap monitor samples: the free bytes, the free and used block counts, the largest
   and smallest free block (fragmentation at a glance), and how many rules the walk found
   broken (a size that leaves the arena, two free blocks side by side, a PREV_FREE bit or a
   footer that disagrees with the block before). One pass over the blocks, in address order. */
struct report {
    uint32_t free_bytes, free_blocks, used_blocks, largest, smallest, broken;
};

static struct report tlsf_report(void)
{
    struct report r = {0, 0, 0, 0, ~0u, 0};
    uint32_t prev_free = 0;
    word *b = FIRST;
    while (b < SENTINEL) {
        uint32_t h = (uint32_t)b[0];
        uint32_t size = h & SIZE_MASK;
        word *n = next_to(b, size);
        if (size < MIN_BLOCK || n > SENTINEL) {
            r.broken++;
            return r;
        }
        uint32_t is_free = h & FREE;
        r.broken += (h >> 1 & 1u) != prev_free;
        if (is_free) {
            r.broken += prev_free + ((uint32_t)n[-1] != size);
            r.free_bytes += size;
            r.free_blocks++;
        }
        r.used_blocks += is_free ^ 1u;
        r.largest = is_free && size > r.largest ? size : r.largest;
        r.smallest = is_free && size < r.smallest ? size : r.smallest;
        prev_free = is_free;
        b = n;
    }
    r.broken += b != SENTINEL;
    r.broken += ((uint32_t)*SENTINEL >> 1 & 1u) != prev_free;
    return r;
}

/* Fills a block with a checkerboard of its stamp: words alternate stamp and ~stamp, so a block
   that overlaps another by any number of words reads back wrong. */
static __attribute__((noinline)) void fill(const struct slot *s)
{
    for (uint32_t w = 0; w < s->words; w++) s->at[w] = w & 1u ? ~s->stamp : s->stamp;
}

/* Reads a block back as a heap checker does; returns the words that differ. */
static __attribute__((noinline)) uint32_t check(const struct slot *s)
{
    uint32_t bad = 0;
    for (uint32_t w = 0; w < s->words; w++) bad += (uint32_t)s->at[w] != (w & 1u ? ~s->stamp : s->stamp);
    return bad;
}

static uint32_t rotl(uint32_t v, unsigned n) { return (v << n) | (v >> (32u - n)); }

__attribute__((noinline, used)) uint32_t bench_main(void)
{
    uint32_t x = PARAM(bench_seed);
    uint32_t sum = 0;
    uint32_t n = PARAM(bench_iterations);
    bench_errors = 0;
    tlsf_init();
    for (uint32_t k = 0; k < SLOTS; k++) slots[k].at = 0;

    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        struct slot *s = &slots[x & (SLOTS - 1u)];
        if (s->at) {
            bench_errors += check(s);
            sum = rotl(sum, 5) ^ s->stamp;
            tlsf_free(s->at);
            s->at = 0;
        } else {
            /* Mostly small requests (8 to 64 bytes), one in eight up to 511: level 0's exact
               classes and the ranged classes of the levels above all get used. */
            uint32_t r = x >> 23;
            uint32_t bytes = (x & 0x700u) == 0 ? r : (r & 63u) + 1u;
            bytes = bytes < 8u ? 8u : bytes;
            word *at = tlsf_alloc(bytes);
            if (!at) {
                sum = rotl(sum, 3) + 1u;
                continue;
            }
            s->at = at;
            s->words = (bytes + 3u) / 4u;
            s->stamp = x;
            fill(s);
            sum += (uint32_t)(at - heap); /* the same on any host */
        }
        if ((i & (REPORT_EVERY - 1u)) == 0) {
            struct report r = tlsf_report();
            bench_errors += r.broken + (r.free_bytes + stats.in_use != ARENA);
            sum += r.largest ^ r.smallest << 16 ^ r.used_blocks << 8;
        }
    }
    for (uint32_t k = 0; k < SLOTS; k++) {
        if (slots[k].at) {
            bench_errors += check(&slots[k]);
            sum = rotl(sum, 5) ^ slots[k].stamp;
            tlsf_free(slots[k].at);
            slots[k].at = 0;
        }
    }
    /* Everything freed: one free block spanning the arena, filed in its one class. */
    uint32_t fl = first_level(ARENA), sl = second_level(ARENA);
    struct report r = tlsf_report();
    bench_errors += r.broken + (r.free_blocks != 1u) + (r.used_blocks != 0u) + (r.largest != ARENA);
    bench_errors += *FIRST != (ARENA | FREE);
    bench_errors += stats.in_use != 0;
    bench_errors += fl_map != 1u << fl || sl_map[fl] != 1u << sl || lists[fl][sl] != FIRST || next_free(FIRST) != NIL;
    return sum;
}

int main(void)
{
    uint32_t sum = bench_main();
    sh_puts("tlsf: iterations=");
    sh_dec(PARAM(bench_iterations));
    sh_puts(" checksum=");
    sh_hex(sum);
    sh_puts(" errors=");
    sh_dec(bench_errors);
    sh_putc('\n');
    return bench_errors ? 1 : 0;
}
