/* A hostile allocator for `sramlab check`: the sramlab ABI (firmware/README.md) with a bump
   allocator behind it, and one misdeed chosen at build time that sl_alloc commits on its
   first call. Every one must end `check` with exit 1 and a report, never a crash:
     HOSTILE_SEMIHOST  a semihosting SYS_WRITE0 of a string that is not memory (check serves no
                       semihosting: a BKPT with no debugger)
     HOSTILE_VTOR      the configurable faults on, VTOR at unmapped memory, then UDF
     HOSTILE_NMI       VTOR at unmapped memory, then NMI pended: its vector cannot be read
     HOSTILE_RESET     a system reset requested through AIRCR
     HOSTILE_RECURSE   unbounded recursion: the stack runs into the heap
     HOSTILE_LOOP      never returns: the cycle budget of the call
     HOSTILE_SCS       every word of the System Control Space written with all ones
     HOSTILE_SYSTICK   SysTick started with its interrupt every 100 cycles, and sl_alloc returns:
                       the tick is taken during later calls, through a vector table that is not
                       there (address 0x3C holds allocator code) */
#include "hostile.h"

void sl_init(void *heap, uint32_t heap_size);
void *sl_alloc(uint32_t size, uint32_t align);
void sl_dealloc(void *ptr, uint32_t size, uint32_t align);
void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size);

static uint32_t top, end;

#ifdef HOSTILE_RECURSE
__attribute__((section(".misdeed"))) static uint32_t deeper(uint32_t n)
{
    volatile uint32_t frame[16];
    frame[n & 15] = n;
    uint32_t (*volatile again)(uint32_t) = deeper;
    return again(n + 1) + frame[0];
}
#endif

/* Outside .alloc_text (alloc.ld), so the containment rule does not stop it at its first SCS
   access: the misdeed itself happens, as if a library the allocator calls had done it. */
__attribute__((section(".misdeed"), noinline)) static void misdeed(void)
{
#if defined(HOSTILE_SEMIHOST)
    semihost(SYS_WRITE0, NOT_MEMORY);
#elif defined(HOSTILE_VTOR)
    SHCSR |= SHCSR_FAULTS_ON;
    VTOR = UNMAPPED;
    udf();
#elif defined(HOSTILE_NMI)
    VTOR = UNMAPPED;
    ICSR = 1u << 31;
#elif defined(HOSTILE_RESET)
    AIRCR = 0x05FA0004u; /* VECTKEY, SYSRESETREQ */
#elif defined(HOSTILE_RECURSE)
    deeper(0);
#elif defined(HOSTILE_LOOP)
    for (;;) {
        __asm__ volatile("");
    }
#elif defined(HOSTILE_SYSTICK)
    REG(0xE000E014u) = 100; /* SYST_RVR */
    REG(0xE000E010u) = 7;   /* SYST_CSR: enable, interrupt, processor clock */
#elif defined(HOSTILE_SCS)
    __asm__ volatile("cpsid i");
    for (uint32_t a = 0xE000EFFCu; a >= 0xE000E000u; a -= 4) REG(a) = 0xFFFFFFFFu;
#else
#error "choose a HOSTILE_ misdeed"
#endif
}

void sl_init(void *heap, uint32_t heap_size)
{
    top = ((uint32_t)heap + 7) & ~7u;
    end = (uint32_t)heap + heap_size;
}

void *sl_alloc(uint32_t size, uint32_t align)
{
    misdeed();
    if (size == 0) size = 1; /* a block of its own, so that only the misdeed breaks a rule */
    uint32_t p = (top + align - 1) & ~(align - 1);
    if (p < top || size > end - p) return 0;
    top = p + size;
    return (void *)p;
}

void sl_dealloc(void *ptr, uint32_t size, uint32_t align) { (void)ptr, (void)size, (void)align; }

void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size)
{
    uint8_t *q = sl_alloc(new_size, align);
    if (q) {
        for (uint32_t i = 0; i < size && i < new_size; i++) q[i] = ((uint8_t *)ptr)[i];
    }
    return q;
}
