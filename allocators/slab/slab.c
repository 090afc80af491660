/* slab: slaballoc v0.1.1 (DrChat), restated in C from docs/seed-algorithms.md §5.
   A pool of equal slots over the heap array with a bitmap at the array's end; allocation
   claims the first clear bit from slot 0 with an atomic fetch_or, a free clears it with an
   atomic fetch_and. No lock: the atomics are the whole of the concurrency story. README.md
   lists the deviations and the upstream behaviours kept. */
#include "sramlab.h"
#include "lock.h"

/* size_of::<T>() of the upstream typed pool. The host may write it before sl_init (it is
   read there, once); it lives in .alloc_data so reset gives it its default. */
uint32_t sl_slab_slot_size = 64;

/* State, in .alloc_bss. The names are read by tests (tests/allocators/slab.test.ts). */
static uint8_t *slab_mem;
static uint32_t slab_slot;            /* the slot size (and stride) sl_init saw */
static uint32_t slab_count;           /* num_elems; 0 while sl_init has refused the region */
static volatile uint8_t *slab_bitmap; /* slot i: byte i/8, bit i%8; 1 = used */

/* Upstream's "div_ceil", which is floor(x / d) + 1: one byte more than needed when d
   divides x. Kept, it sets the capacity (§5.1). */
static uint32_t dc(uint32_t x, uint32_t d) { return (x + d) / d; }

/* SlabAllocator::new: the slot count from the region size, the bitmap at the region's end,
   zeroed. Refused (every allocation NULL) when size is not a multiple of the slot size as
   upstream tests it, size & (slot - 1), which only means something for a power-of-two slot. */
void sl_init(void *heap, uint32_t heap_size)
{
    uint32_t es = sl_slab_slot_size;
    slab_mem = heap;
    slab_slot = es;
    slab_count = 0;
    slab_bitmap = (uint8_t *)heap + heap_size;
    if (es == 0 || (heap_size & (es - 1)) != 0) return;
    uint32_t reserve = dc(heap_size / es, 8);
    if (reserve > heap_size) return; /* heap_size 0: upstream's subtraction would wrap */
    uint32_t count = (heap_size - reserve) / es;
    uint32_t bitmap_size = dc(count, 8);
    slab_bitmap = (uint8_t *)heap + heap_size - bitmap_size;
    for (uint32_t i = 0; i < bitmap_size; i++) slab_bitmap[i] = 0;
    slab_count = count;
}

/* The typed pool only holds one T: larger or more aligned requests get NULL. A slot is as
   aligned as the lowest set bit of the slot size (given a region base at least that aligned,
   which upstream does not check either). First fit from slot 0, one fetch_or per slot even
   across full bytes, as upstream. */
void *sl_alloc(uint32_t size, uint32_t align)
{
    uint32_t slot = slab_slot;
    if (!sl_layout_ok(size, align) || size > slot || align > (slot & (0u - slot))) return 0;
    for (uint32_t i = 0; i < slab_count; i++) {
        uint32_t bit = 1u << (i % 8);
        if (!(sl_atomic_or8(&slab_bitmap[i / 8], bit) & bit)) return slab_mem + i * slot;
    }
    return 0; /* HeapExhausted */
}

/* SlabAlloc's drop: a pointer outside the slots panics; a double free goes unnoticed. */
void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)size;
    (void)align;
    if ((uint8_t *)ptr < slab_mem || slab_count == 0) SL_PANIC();
    uint32_t i = (uint32_t)((uint8_t *)ptr - slab_mem) / slab_slot;
    if (i >= slab_count) SL_PANIC();
    sl_atomic_and8(&slab_bitmap[i / 8], ~(1u << (i % 8)));
}

/* No realloc upstream: Rust's default (allocate, copy min(old, new), free the old slot).
   Anything beyond a slot fails and leaves the old slot alone. */
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *out = sl_alloc(new_size, align);
    if (out) {
        const uint8_t *src = ptr;
        uint8_t *dst = out;
        for (uint32_t n = size < new_size ? size : new_size; n--;) *dst++ = *src++;
        sl_dealloc(ptr, size, align);
    }
    return out;
}
