/* Vector table and reset handler of every allocator image.

   Reset_Handler copies the initialised data (.data, .alloc_data) from flash, zeroes .bss and
   .alloc_bss, runs main and then idles in WFI. The heap array (.heap) is deliberately left as
   it is: an allocator must not rely on it being zero, and the host fills it as it pleases.
   With nothing enabled that could wake the core, sramlab's run() stops with 'sleep' at that
   WFI: that is how the host knows the image is ready for host calls. */
#include <stdint.h>

/* Linker-script symbols (firmware/link.ld); only their addresses mean anything. */
extern uint32_t __stack_top[];
extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __alloc_data_start[], __alloc_data_end[], __alloc_data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __alloc_bss_start[], __alloc_bss_end[];

int main(void);
void Reset_Handler(void);
void SL_Unexpected_Handler(void);
void SL_IRQ0_Handler(void);

/* Exception number of the last exception nobody expected (0: none). The host reads it when a
   run stops asleep inside a handler. */
volatile uint32_t sl_unexpected_exception;

/* Word loops (sections are 4-aligned by the linker script); the build's
   -fno-tree-loop-distribute-patterns keeps GCC from turning them into memcpy/memset calls. */
static void copy_words(uint32_t *dst, uint32_t *end, const uint32_t *src)
{
    while (dst < end) *dst++ = *src++;
}

static void zero_words(uint32_t *dst, uint32_t *end)
{
    while (dst < end) *dst++ = 0;
}

void Reset_Handler(void)
{
    copy_words(__data_start, __data_end, __data_load);
    copy_words(__alloc_data_start, __alloc_data_end, __alloc_data_load);
    zero_words(__bss_start, __bss_end);
    zero_words(__alloc_bss_start, __alloc_bss_end);
    main();
    for (;;) __asm__ volatile("wfi");
}

/* Every exception but reset and IRQ 0: note which one (IPSR) and sleep. A fault taken in
   sramlab's 'vector' mode ends here too, so the run stops asleep rather than spinning. */
void SL_Unexpected_Handler(void)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    sl_unexpected_exception = ipsr;
    for (;;) __asm__ volatile("wfi");
}

#define U SL_Unexpected_Handler
/* 16 system entries (entry 0 is the initial SP) and 32 external interrupts, the NVIC lines
   sramlab models; IRQ 0 is the harness's hook for running an allocator call inside an ISR. */
__attribute__((section(".vectors"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))__stack_top,
    Reset_Handler,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* 2-15: NMI ... SysTick */
    SL_IRQ0_Handler,
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, U, /* IRQ 1-16 */
    U, U, U, U, U, U, U, U, U, U, U, U, U, U, U,    /* IRQ 17-31 */
};
