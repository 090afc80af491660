/* Interrupts masked and nothing pending: WFI never wakes. sramlab stops (exit 1). */
int main(void)
{
    __asm__ volatile("cpsid i\n wfi");
    return 0;
}
