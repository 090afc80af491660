/* The host side of an allocator image that is not host calls: the ISR hook of the ABI.

   Scenarios that need an allocator call inside an interrupt (isr-reentrancy, the spin-lock
   deadlock) fill sl_isr_request, then pend IRQ 0 through the NVIC at the moment they choose;
   SL_IRQ0_Handler runs the operation and sets done = 1. */
#include "sramlab.h"

struct sl_isr_request {
    uint32_t op; /* 0 none, 1 alloc, 2 dealloc, 3 realloc */
    uint32_t size;
    uint32_t align;
    uint32_t ptr;
    uint32_t new_size;
    uint32_t result;
    uint32_t done;
};

enum { SL_OP_NONE, SL_OP_ALLOC, SL_OP_DEALLOC, SL_OP_REALLOC };

volatile struct sl_isr_request sl_isr_request;

void SL_IRQ0_Handler(void);
int main(void);

void SL_IRQ0_Handler(void)
{
    volatile struct sl_isr_request *q = &sl_isr_request;
    void *ptr = (void *)q->ptr;
    switch (q->op) {
    case SL_OP_ALLOC:
        q->result = (uint32_t)sl_alloc(q->size, q->align);
        break;
    case SL_OP_DEALLOC:
        sl_dealloc(ptr, q->size, q->align);
        q->result = 0;
        break;
    case SL_OP_REALLOC:
        q->result = (uint32_t)sl_realloc(ptr, q->size, q->align, q->new_size);
        break;
    default:
        break;
    }
    q->done = 1;
}

/* Nothing to do: the host makes every call. Returning lets Reset_Handler idle in WFI, which
   is the "ready" signal. Kept empty so images stay minimal. */
int main(void)
{
    return 0;
}
