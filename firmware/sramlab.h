/* The sramlab ABI as C declarations, for allocators and the harness (firmware/README.md
   is the reference). An allocator includes this and defines the four sl_* functions. */
#ifndef SRAMLAB_H
#define SRAMLAB_H

#include <stdint.h>

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

/* Bytes of the image's heap region (__heap_end - __heap_start), passed by firmware/build.ts
   as -DSL_HEAP_REGION_SIZE so that state sized by the heap (a bitmap) fits the largest heap
   sl_init can be given in this image. */
#ifndef SL_HEAP_REGION_SIZE
#error "SL_HEAP_REGION_SIZE is defined by firmware/build.ts"
#endif

/* What an upstream Rust `panic!`/`assert!` becomes: a permanently UNDEFINED instruction.
   On silicon that is a HardFault; sramlab stops the call and reports the PC, the symbol and
   the source line, which is what a panic message would have told. */
#define SL_PANIC() __builtin_trap()

/* The precondition Rust's `Layout` type guarantees to every GlobalAlloc call and the C ABI
   cannot: align is a non-zero power of two and size rounded up to align does not exceed
   isize::MAX. Requests that break it get NULL before any allocator code runs. */
static inline int sl_layout_ok(uint32_t size, uint32_t align)
{
    return align != 0 && (align & (align - 1)) == 0 && size <= 0x7fffffffu - (align - 1);
}

/* The contract in full is firmware/README.md, "The contract"; in short:
   - sl_init is called once, first, on a heap that is not zeroed;
   - align is a power of two; a size above isize::MAX (0x7fffffff) once rounded to align gets
     NULL (sl_layout_ok above), from sl_alloc and sl_realloc alike;
   - a block lies wholly inside the heap, is aligned as asked and overlaps no live block;
   - sl_dealloc gets exactly the pointer, size and align of a live block;
   - sl_realloc keeps the first min(size, new_size) bytes at the same align; on failure it
     returns NULL and the old block stays live with its contents untouched.
   (Kept below the code: a line added above sl_layout_ok would move its debug line numbers and
   change every committed image.) */

#endif
