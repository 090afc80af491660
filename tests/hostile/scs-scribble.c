/* Interrupts masked, then every word of the System Control Space written with all ones, from
   the top down: the fault enables and pending bits of SHCSR, every priority, CCR's traps, VTOR
   (0xFFFFFF80, unmapped), and last ICSR, whose NMIPENDSET makes NMI run at once. Its vector
   cannot be read from the new VTOR and HardFault cannot preempt NMI: lockup. The Cortex-M0 has
   no VTOR, so its NMI handler runs from flash (exit 5). */
#include "hostile.h"
int main(void)
{
    __asm__ volatile("cpsid i");
    for (uint32_t a = 0xE000EFFCu; a >= 0xE000E000u; a -= 4) REG(a) = 0xFFFFFFFFu;
    return 0;
}
