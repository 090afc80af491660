/* SYS_WRITEC whose character pointer is not memory: a fault at the BKPT, exit 1. */
#include "hostile.h"
int main(void) { semihost(SYS_WRITEC, NOT_MEMORY); return 0; }
