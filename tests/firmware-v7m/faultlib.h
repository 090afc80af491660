/* The fault-case runner shared by usagefaults.c and busfaults.c. A case is a naked
   function whose faulting instruction carries a global label; the fault handler (one C
   function behind HardFault, MemManage, BusFault and UsageFault) prints the case's tag,
   IPSR, CFSR, HFSR (and BFAR when BFARVALID says it holds the address), the stacked PC
   relative to the label, then clears CFSR and HFSR (write one to clear) and recovers so
   that the program carries on. */
#ifndef FAULTLIB_H
#define FAULTLIB_H

#include "v7m.h"

enum recovery {
    SKIP_INSN,    /* stacked PC is the faulting instruction: step over it */
    KEEP_PC,      /* stacked PC is already the instruction after it (an escalated SVC) */
    RETURN_TO_LR, /* a bad branch target: go back to the caller of the case (LR) */
    INVPC_THREAD, /* a bad EXC_RETURN, taken on the existing frame: return to Thread mode */
    INVPC_HANDLER /* the same, nested in an interrupt handler: return to it */
};

/* Runs fn with `label` (the faulting instruction) as the case, and prints afterwards how
   many faults it took and what CFSR and HFSR read once the handler cleared them. */
void run_case(const char *tag, void (*fn)(void), const void *label, enum recovery r);

/* Called by the handlers; returns the EXC_RETURN to leave with. */
uint32_t fault_main(frame_t *f, uint32_t exc_return);

/* Optional hook: a program may run something from inside its UsageFault handler. */
extern void (*volatile in_handler_hook)(void);

/* Defines a case function: naked, its body an asm string ending in "bx lr". */
#define CASE_FN(name, body)                                                                \
    __attribute__((naked)) static void name(void) { __asm volatile(body "\n\t.ltorg\n"); }

void print_signed(int32_t v);

#endif
