/* PendSV pends itself from its own handler: tail-chained forever, stopped by --max-cycles. */
#include "hostile.h"
void PendSV_Handler(void) { ICSR = 1u << 28; }
int main(void)
{
    ICSR = 1u << 28; /* PENDSVSET */
    for (;;) {
    }
}
