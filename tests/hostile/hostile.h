/* Shared by the hostile programs: semihosting (BKPT 0xAB) and the few System Control Space
   registers they scribble on. Nothing here is careful on purpose: these programs exist to break
   the rules, and the test checks that sramlab reports it instead of crashing. */
#ifndef HOSTILE_H
#define HOSTILE_H
#include <stdint.h>

#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_EXIT_EXTENDED 0x20

#define REG(a) (*(volatile uint32_t *)(a))
#define ICSR REG(0xE000ED04u)
#define VTOR REG(0xE000ED08u)
#define SHCSR REG(0xE000ED24u)
#define AIRCR REG(0xE000ED0Cu)
#define NVIC_ISER REG(0xE000E100u)
#define NVIC_ISPR REG(0xE000E200u)

/* SHCSR: MemManage, BusFault and UsageFault enabled (ARMv7-M; harmless on ARMv6-M). */
#define SHCSR_FAULTS_ON 0x70000u
/* Nothing is mapped here on any profile: above flash, below SRAM. */
#define UNMAPPED 0x30000000u
/* Not flash, not SRAM: a peripheral window sramlab does not model. */
#define NOT_MEMORY 0x60000000u

static inline uint32_t semihost(uint32_t op, uint32_t arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register uint32_t r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static inline void say(const char *s) { semihost(SYS_WRITE0, (uint32_t)s); }

__attribute__((noreturn)) static inline void leave(uint32_t status)
{
    uint32_t block[2] = {0x20026u, status}; /* ADP_Stopped_ApplicationExit */
    semihost(SYS_EXIT_EXTENDED, (uint32_t)block);
    for (;;) {
    }
}

__attribute__((noreturn)) static inline void udf(void)
{
    __asm__ volatile("udf #0");
    __builtin_unreachable();
}

#endif
