/* ARMv6-M system registers and special-register access shared by the test programs. */
#ifndef CM0_H
#define CM0_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define NVIC_ISER REG32(0xE000E100u)
#define NVIC_ICER REG32(0xE000E180u)
#define NVIC_ISPR REG32(0xE000E200u)
#define NVIC_ICPR REG32(0xE000E280u)
#define NVIC_IPR(n) REG32(0xE000E400u + 4u * ((n) >> 2))
#define SCB_ICSR REG32(0xE000ED04u)
#define SCB_SHPR2 REG32(0xE000ED1Cu)
#define SCB_SHPR3 REG32(0xE000ED20u)

#define CSR_ENABLE (1u << 0)
#define CSR_TICKINT (1u << 1)
#define CSR_CLKSOURCE (1u << 2)
#define CSR_COUNTFLAG (1u << 16)
#define ICSR_PENDSVSET (1u << 28)

/* The exception frame the processor pushes on entry. */
typedef struct {
    uint32_t r0, r1, r2, r3, r12, lr, pc, xpsr;
} frame_t;

static inline uint32_t get_ipsr(void)
{
    uint32_t v;
    __asm volatile("mrs %0, ipsr" : "=r"(v));
    return v;
}
static inline uint32_t get_msp(void)
{
    uint32_t v;
    __asm volatile("mrs %0, msp" : "=r"(v));
    return v;
}
static inline uint32_t get_psp(void)
{
    uint32_t v;
    __asm volatile("mrs %0, psp" : "=r"(v));
    return v;
}
static inline void set_psp(uint32_t v) { __asm volatile("msr psp, %0" ::"r"(v) : "memory"); }
static inline uint32_t get_control(void)
{
    uint32_t v;
    __asm volatile("mrs %0, control" : "=r"(v));
    return v;
}
/* ISB after MSR CONTROL: later instructions must see the new stack pointer. */
static inline void set_control(uint32_t v)
{
    __asm volatile("msr control, %0\n\tisb" ::"r"(v) : "memory");
}
static inline uint32_t get_primask(void)
{
    uint32_t v;
    __asm volatile("mrs %0, primask" : "=r"(v));
    return v;
}
static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
/* The ISB makes an interrupt that is pending become visible right after CPSIE. */
static inline void irq_enable(void) { __asm volatile("cpsie i\n\tisb" ::: "memory"); }
static inline void barrier(void) { __asm volatile("dsb\n\tisb" ::: "memory"); }

/* Priority byte n of the NVIC (only the top 2 bits are implemented on ARMv6-M). */
static inline void nvic_set_priority(unsigned irq, uint8_t prio)
{
    unsigned shift = 8u * (irq & 3u);
    NVIC_IPR(irq) = (NVIC_IPR(irq) & ~(0xFFu << shift)) | ((uint32_t)prio << shift);
}

/* Defines `name` as an exception handler that calls
   `uint32_t cfunc(frame_t *frame, uint32_t exc_return)` with the frame on whichever stack
   the exception pushed it (EXC_RETURN bit 2), then returns through the EXC_RETURN value
   cfunc hands back. */
#define FRAME_HANDLER(name, cfunc)                                                         \
    __attribute__((naked)) void name(void)                                                 \
    {                                                                                      \
        __asm volatile("movs r0, #4\n\t"                                                   \
                       "mov r1, lr\n\t"                                                    \
                       "tst r0, r1\n\t"                                                    \
                       "beq 1f\n\t"                                                        \
                       "mrs r0, psp\n\t"                                                   \
                       "b 2f\n"                                                            \
                       "1:\tmrs r0, msp\n"                                                 \
                       "2:\tpush {r1, lr}\n\t"                                             \
                       "bl " #cfunc "\n\t"                                                 \
                       "pop {r1, r2}\n\t"                                                  \
                       "bx r0\n");                                                         \
    }

#endif
