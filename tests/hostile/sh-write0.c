/* SYS_WRITE0 of a string that is not memory (the example of issue 9): a fault at the BKPT. */
#include "hostile.h"
int main(void) { semihost(SYS_WRITE0, NOT_MEMORY); return 0; }
