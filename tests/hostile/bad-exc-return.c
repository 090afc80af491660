/* An SVC handler that returns with 0xFFFFFFF0, which is not a valid EXC_RETURN: INVPC, taken as
   HardFault (ARMv7-M: UsageFault is off, so escalated): its handler exits 3. */
#include "hostile.h"
__attribute__((naked)) void SVC_Handler(void)
{
    __asm__ volatile("ldr r0, =0xFFFFFFF0\n bx r0\n .ltorg");
}
int main(void)
{
    __asm__ volatile("svc #0");
    return 0;
}
