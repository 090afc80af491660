/* Vector table and reset handler for the ARMv7-M test programs: copy .data, zero .bss,
   run main, exit with its status through semihosting. A program overrides the weak
   handlers it uses; every external interrupt goes to one IRQ_Handler, which reads IPSR to
   tell them apart. */
#include "v7m.h"
#include "../firmware/semihost.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void Reset_Handler(void)
{
    /* Plain word loops: with -fno-tree-loop-distribute-patterns GCC emits no memcpy call. */
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;) *dst++ = 0;
    sh_exit((uint32_t)main());
}

/* An exception no program expected: say which, and fail. */
void Default_Handler(void)
{
    sh_line("unexpected exception", get_ipsr());
    sh_exit(2);
}

#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void HardFault_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;
void IRQ_Handler(void) WEAK_DEFAULT;

#define IRQ IRQ_Handler
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))&_estack,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    Default_Handler, Default_Handler, Default_Handler, Default_Handler, /* 7-10: reserved */
    SVC_Handler,
    DebugMon_Handler,
    Default_Handler, /* 13: reserved */
    PendSV_Handler,
    SysTick_Handler,
    IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ,
    IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ, IRQ,
};
