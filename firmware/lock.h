/* The locks of docs/seed-algorithms.md §1.2 (locking as upstream), compiled into each allocator's own object
   (so their instructions count as allocator code and their cycles as allocator cycles).

   sl_spinlock_t is spin-rs's SpinMutex, the lock five of the six seed crates wrap around a
   single-threaded core: a one-byte flag (Rust's AtomicBool), taken by a weak compare-exchange
   0 -> 1 with Acquire ordering; on failure the taker spins, reading the flag with a relax
   hint, until it looks free, then tries the CAS again (test-and-test-and-set); released by a
   Release store of 0.

   How the CAS is made depends on the architecture, as it does upstream:
   - ARMv7-M / ARMv7E-M: LDREXB / STREXB (what LLVM emits for AtomicBool::compare_exchange_weak),
     DMB after a successful acquire and before the releasing store.
   - ARMv6-M has no exclusives, so no CAS. The crates only build there through portable-atomic
     with its single-core assumption, which emulates the CAS by masking interrupts around a
     plain load-compare-store: save PRIMASK, CPSID I, compare, store, restore PRIMASK.
   Either way it stays a spin lock: an interrupt handler that takes it while thread mode holds
   it spins for ever (the ISR never yields to the holder), on both architectures.

   sl_atomic_or8 / sl_atomic_and8 are slaballoc's per-bit fetch_or / fetch_and on a bitmap
   byte with Relaxed ordering: an LDREXB/STREXB retry loop on ARMv7-M, a masked
   read-modify-write on ARMv6-M. */
#ifndef SL_LOCK_H
#define SL_LOCK_H

#include <stdint.h>

#define SL_INLINE static inline __attribute__((always_inline))

#if defined(__ARM_ARCH_7M__) || defined(__ARM_ARCH_7EM__)
#define SL_LOCK_EXCLUSIVE 1
#elif defined(__ARM_ARCH_6M__) && defined(SL_LOCK_FORCE_EXCLUSIVE)
#define SL_LOCK_EXCLUSIVE 1
#elif defined(__ARM_ARCH_6M__)
#define SL_LOCK_EXCLUSIVE 0
#else
#error "lock.h knows ARMv6-M, ARMv7-M and ARMv7E-M"
#endif

/* SL_LOCK_FORCE_EXCLUSIVE (a -D of firmware/build.ts's "cas" images, never of a real build)
   gives ARMv6-M the ARMv7-M CAS anyway: the mistake of a crate built without portable-atomic's
   single-core fallback, which the no-cas scenario must see caught. The assembler refuses
   LDREX/STREX for an ARMv6-M core, so each exclusive sequence is assembled as ARMv7-M (in
   unified syntax: GCC hands Thumb-1 inline asm over in divided syntax) and the ARMv6-M state
   restored after it; on the core the first LDREXB is UNDEFINED. The operands are low
   registers there ("l"): "r" may give a Thumb-1 function ip, which gas will not take as the
   16-bit MOVS these sequences use. Elsewhere the brackets are empty and the operands "r", so
   the other images do not change. */
#if defined(__ARM_ARCH_6M__) && SL_LOCK_EXCLUSIVE
#define SL_EXCL_BEGIN ".syntax unified\n\t.arch armv7-m\n\t"
#define SL_EXCL_END "\n\t.arch armv6s-m\n\t.syntax divided"
#define SL_EXCL_REG "l"
#else
#define SL_EXCL_BEGIN ""
#define SL_EXCL_END ""
#define SL_EXCL_REG "r"
#endif

typedef struct {
    volatile uint8_t locked; /* 1 while held */
} sl_spinlock_t;

/* core::hint::spin_loop() on Arm: the YIELD hint (a NOP on a core without threads). */
SL_INLINE void sl_relax(void) { __asm__ volatile("yield" ::: "memory"); }

SL_INLINE void sl_dmb(void) { __asm__ volatile("dmb" ::: "memory"); }

#if SL_LOCK_EXCLUSIVE

/* compare_exchange_weak(expected -> desired): fails spuriously when STREXB loses the
   reservation; a failed compare drops the reservation with CLREX, as LLVM's expansion does. */
SL_INLINE int sl_cas8_weak(volatile uint8_t *p, uint32_t expected, uint32_t desired)
{
    uint32_t old, failed;
    __asm__ volatile(
        SL_EXCL_BEGIN
        "ldrexb  %0, [%2]\n\t"
        "cmp     %0, %3\n\t"
        "bne     1f\n\t"
        "strexb  %1, %4, [%2]\n\t"
        "b       2f\n"
        "1:\n\t"
        "clrex\n\t"
        "movs    %1, #1\n"
        "2:"
        SL_EXCL_END
        : "=&" SL_EXCL_REG(old), "=&" SL_EXCL_REG(failed)
        : SL_EXCL_REG(p), SL_EXCL_REG(expected), SL_EXCL_REG(desired)
        : "cc", "memory");
    return failed == 0;
}

SL_INLINE uint32_t sl_atomic_or8(volatile uint8_t *p, uint32_t bits)
{
    uint32_t old, next, failed;
    __asm__ volatile(
        SL_EXCL_BEGIN
        "1:\n\t"
        "ldrexb  %0, [%3]\n\t"
        "orrs    %1, %0, %4\n\t"
        "strexb  %2, %1, [%3]\n\t"
        "cmp     %2, #0\n\t"
        "bne     1b"
        SL_EXCL_END
        : "=&" SL_EXCL_REG(old), "=&" SL_EXCL_REG(next), "=&" SL_EXCL_REG(failed)
        : SL_EXCL_REG(p), SL_EXCL_REG(bits)
        : "cc", "memory");
    return old;
}

SL_INLINE uint32_t sl_atomic_and8(volatile uint8_t *p, uint32_t bits)
{
    uint32_t old, next, failed;
    __asm__ volatile(
        SL_EXCL_BEGIN
        "1:\n\t"
        "ldrexb  %0, [%3]\n\t"
        "ands    %1, %0, %4\n\t"
        "strexb  %2, %1, [%3]\n\t"
        "cmp     %2, #0\n\t"
        "bne     1b"
        SL_EXCL_END
        : "=&" SL_EXCL_REG(old), "=&" SL_EXCL_REG(next), "=&" SL_EXCL_REG(failed)
        : SL_EXCL_REG(p), SL_EXCL_REG(bits)
        : "cc", "memory");
    return old;
}

#else /* ARMv6-M: portable-atomic's single-core critical section */

SL_INLINE uint32_t sl_irq_save(void)
{
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

/* Restores the saved mask rather than enabling: nested critical sections stay masked. */
SL_INLINE void sl_irq_restore(uint32_t primask)
{
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

SL_INLINE int sl_cas8_weak(volatile uint8_t *p, uint32_t expected, uint32_t desired)
{
    uint32_t primask = sl_irq_save();
    uint32_t old = *p;
    if (old == expected) *p = (uint8_t)desired;
    sl_irq_restore(primask);
    return old == expected;
}

SL_INLINE uint32_t sl_atomic_or8(volatile uint8_t *p, uint32_t bits)
{
    uint32_t primask = sl_irq_save();
    uint32_t old = *p;
    *p = (uint8_t)(old | bits);
    sl_irq_restore(primask);
    return old;
}

SL_INLINE uint32_t sl_atomic_and8(volatile uint8_t *p, uint32_t bits)
{
    uint32_t primask = sl_irq_save();
    uint32_t old = *p;
    *p = (uint8_t)(old & bits);
    sl_irq_restore(primask);
    return old;
}

#endif

SL_INLINE void sl_spin_lock(sl_spinlock_t *l)
{
    while (!sl_cas8_weak(&l->locked, 0, 1)) {
        while (l->locked) sl_relax();
    }
    /* Acquire: nothing of the critical section moves above the CAS. On ARMv6-M the masked
       CAS is already ordered on the one core, and portable-atomic adds no barrier there. */
#if SL_LOCK_EXCLUSIVE
    sl_dmb();
#endif
}

/* Release store: LLVM emits DMB; STRB for it on both architectures. */
SL_INLINE void sl_spin_unlock(sl_spinlock_t *l)
{
    sl_dmb();
    l->locked = 0;
}

#endif
