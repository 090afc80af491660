/* The four functions of <string.h> that compilers and allocators use, for a build with no C
   library: mem.c defines them. build.sh's -Iinclude puts this folder before the compiler's
   own, so this file is the <string.h> the allocator gets whether or not newlib is installed. */
#ifndef EXAMPLE_STRING_H
#define EXAMPLE_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
void *memset(void *dest, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
