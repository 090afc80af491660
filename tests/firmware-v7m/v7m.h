/* ARMv7-M system registers and special-register access shared by the test programs
   (ARMv7-M ARM, DDI 0403E: B3.2 SCB, B3.3 SysTick, B3.4 NVIC, B5.2 MRS/MSR/CPS). */
#ifndef V7M_H
#define V7M_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define REG8(addr) (*(volatile uint8_t *)(addr))

#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define NVIC_ISER REG32(0xE000E100u)
#define NVIC_ICER REG32(0xE000E180u)
#define NVIC_ISPR REG32(0xE000E200u)
#define NVIC_ICPR REG32(0xE000E280u)
#define NVIC_IABR REG32(0xE000E300u)
#define NVIC_IPR8(n) REG8(0xE000E400u + (n)) /* byte access: allowed on ARMv7-M */
#define SCB_CPUID REG32(0xE000ED00u)
#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_CCR REG32(0xE000ED14u)
#define SCB_SHPR1 REG32(0xE000ED18u)
#define SCB_SHPR2 REG32(0xE000ED1Cu)
#define SCB_SHPR3 REG32(0xE000ED20u)
#define SCB_SHCSR REG32(0xE000ED24u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_BFAR REG32(0xE000ED38u)
#define SCB_CPACR REG32(0xE000ED88u)
#define NVIC_STIR REG32(0xE000EF00u)

#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)
#define CSR_COUNTFLAG (1u << 16)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)

#define CCR_UNALIGN_TRP (1u << 3)
#define CCR_DIV_0_TRP (1u << 4)

#define SHCSR_MEMFAULTENA (1u << 16)
#define SHCSR_BUSFAULTENA (1u << 17)
#define SHCSR_USGFAULTENA (1u << 18)

#define AIRCR_VECTKEY (0x05FAu << 16)
#define AIRCR_PRIGROUP(v) (((v) >> 8) & 7u)

#define HFSR_FORCED (1u << 30)

/* The exception frame the processor pushes on entry (no FP state: nothing here uses the FPU). */
typedef struct {
    uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
} frame_t;

#define SPECIAL_REG_GET(fn, reg)                                                           \
    static inline uint32_t fn(void)                                                        \
    {                                                                                      \
        uint32_t v;                                                                        \
        __asm volatile("mrs %0, " #reg : "=r"(v));                                         \
        return v;                                                                          \
    }
SPECIAL_REG_GET(get_ipsr, ipsr)
SPECIAL_REG_GET(get_msp, msp)
SPECIAL_REG_GET(get_primask, primask)
SPECIAL_REG_GET(get_basepri, basepri)
SPECIAL_REG_GET(get_faultmask, faultmask)
SPECIAL_REG_GET(get_control, control)

/* A write that lowers the execution priority is only guaranteed to be seen after an ISB
   (B5.2.3); the ISB also makes a pending exception that it unmasks be taken right here. */
static inline void set_basepri(uint32_t v)
{
    __asm volatile("msr basepri, %0\n\tisb" ::"r"(v) : "memory");
}
static inline void set_basepri_max(uint32_t v)
{
    __asm volatile("msr basepri_max, %0\n\tisb" ::"r"(v) : "memory");
}
static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i\n\tisb" ::: "memory"); }
static inline void fault_disable(void) { __asm volatile("cpsid f" ::: "memory"); }
static inline void fault_enable(void) { __asm volatile("cpsie f\n\tisb" ::: "memory"); }
/* After a write to the SCS: the write has completed and later instructions see its effect. */
static inline void barrier(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }

static inline void set_shpr(unsigned exc, uint8_t prio)
{
    /* SHPR1-3 hold the priorities of exceptions 4-15, one byte each. */
    REG8(0xE000ED18u + exc - 4u) = prio;
}

/* Defines `name` as an exception handler that calls
   `uint32_t cfunc(frame_t *frame, uint32_t exc_return)` with the frame on whichever stack
   the exception pushed it (EXC_RETURN bit 2), then returns through the EXC_RETURN value
   cfunc hands back. */
#define FRAME_HANDLER(name, cfunc)                                                         \
    __attribute__((naked)) void name(void)                                                 \
    {                                                                                      \
        __asm volatile("tst lr, #4\n\t"                                                    \
                       "ite eq\n\t"                                                        \
                       "mrseq r0, msp\n\t"                                                 \
                       "mrsne r0, psp\n\t"                                                 \
                       "mov r1, lr\n\t"                                                    \
                       "push {r1, lr}\n\t"                                                 \
                       "bl " #cfunc "\n\t"                                                 \
                       "pop {r1, r2}\n\t"                                                  \
                       "bx r0\n");                                                         \
    }

/* The same for handlers that only ever run on frames on the main stack: they must not
   trust EXC_RETURN bit 2, which a reserved EXC_RETURN value (the INVPC cases) may set. */
#define MSP_FRAME_HANDLER(name, cfunc)                                                     \
    __attribute__((naked)) void name(void)                                                 \
    {                                                                                      \
        __asm volatile("mrs r0, msp\n\t"                                                   \
                       "mov r1, lr\n\t"                                                    \
                       "push {r1, lr}\n\t"                                                 \
                       "bl " #cfunc "\n\t"                                                 \
                       "pop {r1, r2}\n\t"                                                  \
                       "bx r0\n");                                                         \
    }

/* Stacked ITSTATE: IT[7:2] in xPSR bits 15:10, IT[1:0] in bits 26:25. */
static inline uint32_t xpsr_itstate(uint32_t xpsr)
{
    return (((xpsr >> 10) & 0x3Fu) << 2) | ((xpsr >> 25) & 3u);
}

#endif
