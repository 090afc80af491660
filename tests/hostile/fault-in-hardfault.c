/* UDF, then a HardFault handler that loads from unmapped memory: a fault while HardFault is
   active cannot be taken, so the core locks up (every profile). */
#include "hostile.h"
void HardFault_Handler(void) { (void)REG(UNMAPPED); }
int main(void) { udf(); }
