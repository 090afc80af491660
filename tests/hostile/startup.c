/* Vector table and reset for the hostile programs run with `sramlab exec`. Every handler a
   program does not define reports which exception ran and exits with a status the test
   expects: HardFault 3, NMI 5, anything else 4. */
#include "hostile.h"

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
int main(void);

__attribute__((noreturn)) void Reset_Handler(void)
{
    uint32_t *src = &__data_load, *dst = &__data_start;
    while (dst < &__data_end) *dst++ = *src++;
    for (dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
    leave((uint32_t)main());
}

void Default_HardFault(void) { say("HardFault\n"); leave(3); }
void Default_NMI(void) { say("NMI\n"); leave(5); }
void Default_Other(void) { say("unexpected exception\n"); leave(4); }

void HardFault_Handler(void) __attribute__((weak, alias("Default_HardFault")));
void NMI_Handler(void) __attribute__((weak, alias("Default_NMI")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Other")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Other")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Other")));

__attribute__((section(".vectors"), used)) static void *const vectors[48] = {
    [0] = &__stack_top,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4 ... 10] = Default_Other,
    [11] = SVC_Handler,
    [12 ... 13] = Default_Other,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16 ... 47] = Default_Other,
};
