/* galloc-upstream: good_memory_allocator v0.1.7 as published, on a 32-bit target. The same
   C as allocators/galloc with its 32-bit adaptation switched off (see README.md): the bugs
   that adaptation exists to avoid are the point of this build. */
#define GALLOC_UPSTREAM_32BIT 1
#include "../galloc/galloc.c"
