/* The allocator lock as an RP2040 build makes it: one of the SIO's 32 hardware spinlocks
   (emulator/sio.ts). ARMv6-M has no exclusive accesses, and firmware/lock.h's ARMv6-M lock
   (a compare-and-swap done with PRIMASK set) only keeps out interrupts on the core that runs it:
   the other core of a two-core chip walks straight in. The SIO lock is taken by a read of
   SPINLOCKn, which the hardware answers with non-zero only to the one read that found it free,
   whichever core makes it; it is released by any write to SPINLOCKn.

   Same shape as lock.h's spin lock: spin with the YIELD hint until taken, DMB after taking
   (acquire) and before releasing (release). SL_SIO_SPINLOCK_NUM picks the lock (default 31). */
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

#endif
