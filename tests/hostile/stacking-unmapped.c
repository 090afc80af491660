/* MSP at unmapped memory, faults on, then UDF: the exception frame cannot be stacked. ARMv7-M:
   UsageFault's stacking fails (BusFault, STKERR), BusFault's fails (it cannot preempt itself:
   HardFault), HardFault's fails: lockup. ARMv6-M: HardFault's stacking fails: lockup. */
#include "hostile.h"
int main(void)
{
    SHCSR |= SHCSR_FAULTS_ON;
    __asm__ volatile("msr msp, %0" : : "r"(UNMAPPED));
    udf();
}
