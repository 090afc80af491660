/* A vector table at the last 128 bytes of SRAM (VTOR = SRAM_END - 0x80): exceptions 0-31 have
   their vectors in SRAM, IRQ 16 (exception 32) has its vector past the end. Pending IRQ 16
   makes its vector read fail, which is taken as HardFault (ARMv7-M: HFSR.VECTTBL); HardFault's
   vector is readable, so its handler runs: exit 3. Cortex-M0 (no VTOR): IRQ 16 runs (exit 4). */
#include "hostile.h"
void HardFault_Handler(void);
int main(void)
{
    volatile uint32_t *table = (volatile uint32_t *)(SRAM_END - 0x80);
    table[3] = (uint32_t)HardFault_Handler;
    VTOR = SRAM_END - 0x80;
    NVIC_ISER = 1u << 16;
    NVIC_ISPR = 1u << 16;
    for (;;) {
    }
}
