/* The allocator lock as an RP2040 build makes it: one of the SIO's 32 hardware spinlocks
   (emulator/sio.ts). ARMv6-M has no exclusive accesses, and firmware/lock.h's ARMv6-M lock
   (a compare-and-swap done with PRIMASK set) only keeps out interrupts on the core that runs it:
   the other core of a two-core chip walks straight in. The SIO lock is taken by a read of
   SPINLOCKn, which the hardware answers with non-zero only to the one read that found it free,
   whichever core makes it; it is released by any write to SPINLOCKn.

   Same shape as lock.h's spin lock: spin with the YIELD hint until taken, DMB after taking
   (acquire) and before releasing (release). SL_SIO_SPINLOCK_NUM picks the lock (default 31).

   With SL_LOCK_SIO_REPLACES_LOCK_H, and this header force-included ahead of the allocator
   (-include firmware/lock-sio.h: firmware/build.ts's "sio" images), it also stands in for
   lock.h: its include guard is taken, and lock.h's API is given on the SIO instead. Every
   sl_spinlock_t is the one hardware lock SL_SIO_SPINLOCK_NUM (each allocator has one lock; its
   byte still shows 1 while held), and sl_atomic_or8/and8 are a read-modify-write under a second
   hardware lock, SL_SIO_ATOMIC_NUM (default 30), so they are atomic across the cores too. */
#ifndef SL_LOCK_SIO_H
#define SL_LOCK_SIO_H

#include <stdint.h>

#ifndef SL_SIO_SPINLOCK_NUM
#define SL_SIO_SPINLOCK_NUM 31
#endif

#define SL_SIO_BASE 0xd0000000u
#define SL_SIO_SPINLOCK(n) (*(volatile uint32_t *)(SL_SIO_BASE + 0x100u + 4u * (uint32_t)(n)))

static inline __attribute__((always_inline)) void sl_sio_spin_lock(void)
{
    while (SL_SIO_SPINLOCK(SL_SIO_SPINLOCK_NUM) == 0) __asm__ volatile("yield" ::: "memory");
    __asm__ volatile("dmb" ::: "memory");
}

static inline __attribute__((always_inline)) void sl_sio_spin_unlock(void)
{
    __asm__ volatile("dmb" ::: "memory");
    SL_SIO_SPINLOCK(SL_SIO_SPINLOCK_NUM) = 1;
}

#ifdef SL_LOCK_SIO_REPLACES_LOCK_H
#define SL_LOCK_H /* lock.h's guard: its ARMv6-M lock does not exclude the other core */
#define SL_INLINE static inline __attribute__((always_inline))
#define SL_LOCK_EXCLUSIVE 0

#ifndef SL_SIO_ATOMIC_NUM
#define SL_SIO_ATOMIC_NUM 30
#endif

typedef struct {
    volatile uint8_t locked; /* 1 while held */
} sl_spinlock_t;

SL_INLINE void sl_relax(void) { __asm__ volatile("yield" ::: "memory"); }

SL_INLINE void sl_dmb(void) { __asm__ volatile("dmb" ::: "memory"); }

SL_INLINE void sl_spin_lock(sl_spinlock_t *l)
{
    sl_sio_spin_lock();
    l->locked = 1;
}

SL_INLINE void sl_spin_unlock(sl_spinlock_t *l)
{
    l->locked = 0;
    sl_sio_spin_unlock();
}

SL_INLINE uint32_t sl_atomic_or8(volatile uint8_t *p, uint32_t bits)
{
    while (SL_SIO_SPINLOCK(SL_SIO_ATOMIC_NUM) == 0) sl_relax();
    sl_dmb();
    uint32_t old = *p;
    *p = (uint8_t)(old | bits);
    sl_dmb();
    SL_SIO_SPINLOCK(SL_SIO_ATOMIC_NUM) = 1;
    return old;
}

SL_INLINE uint32_t sl_atomic_and8(volatile uint8_t *p, uint32_t bits)
{
    while (SL_SIO_SPINLOCK(SL_SIO_ATOMIC_NUM) == 0) sl_relax();
    sl_dmb();
    uint32_t old = *p;
    *p = (uint8_t)(old & bits);
    sl_dmb();
    SL_SIO_SPINLOCK(SL_SIO_ATOMIC_NUM) = 1;
    return old;
}
#endif

#endif
