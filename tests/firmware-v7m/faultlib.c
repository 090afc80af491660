#include "faultlib.h"
#include "../firmware/semihost.h"

#define CFSR_BFARVALID (1u << 15)

struct fault_case {
    const char *tag;
    uint32_t label; /* address the stacked PC is compared with */
    enum recovery recovery;
};

static const struct fault_case *volatile current;
static volatile uint32_t fault_count;
void (*volatile in_handler_hook)(void);

void print_signed(int32_t v)
{
    sh_putc(v < 0 ? '-' : '+');
    sh_dec(v < 0 ? (uint32_t)-v : (uint32_t)v);
}

/* 32-bit Thumb instructions start with 0b11101, 0b11110 or 0b11111. */
static uint32_t insn_size(uint32_t pc)
{
    uint16_t hw = *(const uint16_t *)pc;
    return (hw >> 11) >= 0x1Du ? 4u : 2u;
}

uint32_t fault_main(frame_t *f, uint32_t exc_return)
{
    const struct fault_case *c = current;
    uint32_t ipsr = get_ipsr();
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR, bfar = SCB_BFAR;
    fault_count++;
    if (!c) {
        sh_puts("unexpected fault: ipsr=");
        sh_dec(ipsr);
        sh_puts(" cfsr=");
        sh_hex(cfsr);
        sh_puts(" hfsr=");
        sh_hex(hfsr);
        sh_puts(" pc=");
        sh_hex(f->pc);
        sh_putc('\n');
        sh_exit(3);
    }
    int32_t offset = (int32_t)(f->pc - c->label);
    sh_puts(c->tag);
    sh_puts(": exc=");
    sh_dec(ipsr);
    sh_puts(" cfsr=");
    sh_hex(cfsr);
    sh_puts(" hfsr=");
    sh_hex(hfsr);
    if (cfsr & CFSR_BFARVALID) {
        sh_puts(" bfar=");
        sh_hex(bfar);
    }
    sh_puts(" pc_offset=");
    print_signed(offset);
    /* Write one to clear: writing back what was read clears exactly the bits that were set. */
    SCB_CFSR = cfsr;
    SCB_HFSR = hfsr;
    switch (c->recovery) {
    case SKIP_INSN:
        /* Past the case's instruction even if the stacked PC was wrong, so a mismatch shows
           as a line of output rather than a loop. */
        f->pc = c->label + insn_size(c->label);
        break;
    case KEEP_PC:
        break;
    case RETURN_TO_LR:
        sh_puts(" xpsr_t=");
        sh_dec((f->xpsr >> 24) & 1u);
        f->pc = f->lr & ~1u;
        f->xpsr |= 1u << 24; /* a return with T=0 would fault again */
        break;
    case INVPC_THREAD:
    case INVPC_HANDLER:
        sh_puts(" lr=");
        sh_hex(exc_return);
        exc_return = c->recovery == INVPC_THREAD ? 0xFFFFFFF9u : 0xFFFFFFF1u;
        break;
    }
    sh_putc('\n');
    current = 0;
    if (in_handler_hook && ipsr != 3u) {
        void (*hook)(void) = in_handler_hook;
        in_handler_hook = 0;
        hook();
    }
    return exc_return;
}
/* Everything here runs on the main stack, so the frame is always at MSP. */
MSP_FRAME_HANDLER(HardFault_Handler, fault_main)
MSP_FRAME_HANDLER(MemManage_Handler, fault_main)
MSP_FRAME_HANDLER(BusFault_Handler, fault_main)
MSP_FRAME_HANDLER(UsageFault_Handler, fault_main)

void run_case(const char *tag, void (*fn)(void), const void *label, enum recovery r)
{
    /* Labels inside Thumb functions carry bit 0 set; the stacked PC never does. */
    struct fault_case c = {tag, (uint32_t)label & ~1u, r};
    const struct fault_case *outer = current;
    uint32_t before = fault_count;
    current = &c;
    fn();
    current = outer;
    sh_puts(tag);
    sh_puts(": faults=");
    sh_dec(fault_count - before);
    sh_puts(" cfsr_after=");
    sh_hex(SCB_CFSR);
    sh_puts(" hfsr_after=");
    sh_hex(SCB_HFSR);
    sh_putc('\n');
}
