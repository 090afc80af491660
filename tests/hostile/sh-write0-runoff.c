/* SYS_WRITE0 of a string with no NUL that runs off the end of SRAM (SRAM_END, from build.sh):
   a fault at the BKPT naming the first address past SRAM. */
#include "hostile.h"
int main(void)
{
    volatile uint8_t *s = (volatile uint8_t *)(SRAM_END - 16);
    for (int i = 0; i < 16; i++) s[i] = 'A';
    semihost(SYS_WRITE0, SRAM_END - 16);
    return 0;
}
