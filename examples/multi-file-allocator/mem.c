/* memcpy, memmove, memset and memcmp for an image linked with -nostdlib: GCC may call them
   even in freestanding code (struct copies, large initialisers), and the allocator calls them
   itself. They are linked into the image, so sramlab counts them as allocator code and checks
   their loads and stores like the rest.

   Words when every address and the length are multiples of 4, bytes otherwise: ARMv6-M faults
   on an unaligned word access. build.sh passes -fno-tree-loop-distribute-patterns, without
   which GCC would compile these loops into calls to themselves. */
#include <stdint.h>
#include <string.h>

static int words(uintptr_t a, uintptr_t b, size_t n)
{
    return ((a | b | n) & 3u) == 0;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t n)
{
    if (words((uintptr_t)dest, (uintptr_t)src, n)) {
        uint32_t *d = dest;
        const uint32_t *s = src;
        for (size_t i = 0; i < n / 4; i++) d[i] = s[i];
    } else {
        unsigned char *d = dest;
        const unsigned char *s = src;
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    }
    return dest;
}

/* Copies upwards when the destination is below the source and downwards otherwise, so an
   overlapping move never reads a byte it has already overwritten. */
void *memmove(void *dest, const void *src, size_t n)
{
    if ((uintptr_t)dest <= (uintptr_t)src) return memcpy(dest, src, n);
    if (words((uintptr_t)dest, (uintptr_t)src, n)) {
        uint32_t *d = dest;
        const uint32_t *s = src;
        for (size_t i = n / 4; i > 0; i--) d[i - 1] = s[i - 1];
    } else {
        unsigned char *d = dest;
        const unsigned char *s = src;
        for (size_t i = n; i > 0; i--) d[i - 1] = s[i - 1];
    }
    return dest;
}

void *memset(void *dest, int c, size_t n)
{
    unsigned char *d = dest;
    for (size_t i = 0; i < n; i++) d[i] = (unsigned char)c;
    return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}
