/* A purpose-made allocator for the two-core explorer (explore/two-core.ts): an arena that bumps
   a top pointer and counts live blocks; when the count falls to zero the arena starts over. Its
   whole state is two words updated together, so a lock that does not exclude the other core
   shows at once: two cores read the same top (the same block handed to both), or a lost update
   of the count keeps the arena from ever starting over (a block lost: the leak rule).

   One lock per build (build.sh):
     LOCK_PRIMASK  firmware/lock.h on ARMv6-M: the CAS with PRIMASK set (excludes interrupts only)
     LOCK_SIO      firmware/lock-sio.h: an RP2040 SIO hardware spinlock
     LOCK_LDREX    firmware/lock.h on ARMv7-M: LDREXB/STREXB
     LOCK_SIO_WFE  an SIO spinlock waited for with WFE, released with SEV (a core asleep is
                   waiting, not deadlocked)
     LOCK_SIO_ABBA two SIO spinlocks, taken in one order by sl_alloc and in the other by
                   sl_dealloc: fine on one core, a deadlock when the cores interleave
     (none)        no lock at all */
#include <stdint.h>

#if defined(LOCK_PRIMASK) || defined(LOCK_LDREX)
#include "../../firmware/lock.h"
static sl_spinlock_t lock;
#define LOCK() sl_spin_lock(&lock)
#define UNLOCK() sl_spin_unlock(&lock)
#elif defined(LOCK_SIO)
#include "../../firmware/lock-sio.h"
#define LOCK() sl_sio_spin_lock()
#define UNLOCK() sl_sio_spin_unlock()
#elif defined(LOCK_SIO_WFE)
#include "../../firmware/lock-sio.h"
#define LOCK()                                                                       \
    do {                                                                             \
        while (SL_SIO_SPINLOCK(31) == 0) __asm__ volatile("wfe" ::: "memory");       \
        __asm__ volatile("dmb" ::: "memory");                                        \
    } while (0)
#define UNLOCK()                                                                     \
    do {                                                                             \
        __asm__ volatile("dmb" ::: "memory");                                        \
        SL_SIO_SPINLOCK(31) = 1;                                                     \
        __asm__ volatile("sev" ::: "memory");                                        \
    } while (0)
#elif defined(LOCK_SIO_ABBA)
#include "../../firmware/lock-sio.h"
static inline void take(uint32_t n)
{
    while (SL_SIO_SPINLOCK(n) == 0) __asm__ volatile("yield" ::: "memory");
    __asm__ volatile("dmb" ::: "memory");
}
static inline void give(uint32_t n)
{
    __asm__ volatile("dmb" ::: "memory");
    SL_SIO_SPINLOCK(n) = 1;
}
#define LOCK() (take(31), take(30))
#define UNLOCK() (give(30), give(31))
#define LOCK_FREE() (take(30), take(31))
#define UNLOCK_FREE() (give(31), give(30))
#else
#define LOCK() ((void)0)
#define UNLOCK() ((void)0)
#endif
#ifndef LOCK_FREE
#define LOCK_FREE() LOCK()
#define UNLOCK_FREE() UNLOCK()
#endif

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

static uint32_t start, top, end, live;

void sl_init(void *heap, uint32_t heap_size)
{
    start = top = (uint32_t)heap;
    end = start + heap_size;
    live = 0;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    if (size == 0) size = 1;
    LOCK();
    uint32_t p = (top + align - 1) & ~(align - 1);
    if (p < top || size > end - p) {
        UNLOCK();
        return 0;
    }
    top = p + size;
    live++;
    UNLOCK();
    return (void *)p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align)
{
    (void)ptr, (void)size, (void)align;
    LOCK_FREE();
    if (--live == 0) top = start;
    UNLOCK_FREE();
}

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *to = sl_alloc(new_size, align);
    if (!to) return 0;
    const volatile uint8_t *from = ptr;
    for (uint32_t i = 0; i < size && i < new_size; i++) to[i] = from[i];
    sl_dealloc(ptr, size, align);
    return to;
}
