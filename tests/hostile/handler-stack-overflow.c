/* The SysTick handler recurses until the stack runs below SRAM: a fault inside the handler,
   then HardFault, whose own stacking cannot be done either: lockup on every profile. */
#include "hostile.h"
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)

static uint32_t deeper(uint32_t n)
{
    volatile uint32_t frame[16];
    frame[n & 15] = n;
    uint32_t (*volatile again)(uint32_t) = deeper; /* not a tail call the compiler can loop */
    return again(n + 1) + frame[0];
}

void SysTick_Handler(void) { deeper(0); }

int main(void)
{
    SYST_RVR = 1000;
    SYST_CSR = 7; /* enable, interrupt, processor clock */
    for (;;) {
    }
}
