/* NMI pended through ICSR, and an NMI handler that executes UDF: HardFault cannot preempt NMI,
   so the core locks up (every profile). */
#include "hostile.h"
void NMI_Handler(void) { udf(); }
int main(void)
{
    ICSR = 1u << 31; /* NMIPENDSET */
    return 0;
}
