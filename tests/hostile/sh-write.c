/* SYS_WRITE of 5 bytes from a buffer that is not memory: a fault at the BKPT. */
#include "hostile.h"
int main(void)
{
    volatile uint32_t block[3] = {1, NOT_MEMORY, 5};
    semihost(SYS_WRITE, (uint32_t)block);
    return 0;
}
