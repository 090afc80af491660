/* SYS_EXIT_EXTENDED whose argument block is not memory: a fault at the BKPT, not an exit. */
#include "hostile.h"
int main(void) { semihost(SYS_EXIT_EXTENDED, NOT_MEMORY); return 0; }
