/* The configurable faults on, VTOR at unmapped memory, then UDF (issue 9, defect 2). ARMv7-M:
   UsageFault's vector cannot be read, so HardFault (HFSR.VECTTBL), whose vector cannot be read
   either: lockup. Cortex-M0+: HardFault's vector cannot be read: lockup. Cortex-M0 has no VTOR:
   the write is ignored and HardFault runs (exit 3). */
#include "hostile.h"
int main(void)
{
    SHCSR |= SHCSR_FAULTS_ON;
    VTOR = UNMAPPED;
    udf();
}
