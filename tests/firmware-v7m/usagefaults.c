/* UsageFault on ARMv7-M (DDI 0403E B1.5.14, B3.2.15): each case runs one instruction that
   must fault; the handler prints IPSR, CFSR (UFSR is bits 31:16), HFSR and the stacked PC
   relative to the faulting instruction's label, clears CFSR and HFSR (write one to clear)
   and steps over the instruction. First with UsageFault enabled (SHCSR.USGFAULTENA) at
   priority 0x40, so it is taken as exception 6; then with it disabled, so the same faults
   escalate to HardFault with HFSR.FORCED while CFSR still says what happened; then enabled
   but unable to preempt (BASEPRI, PRIMASK, a fault in the UsageFault handler itself), which
   escalates too (B1.5.4: a synchronous fault that cannot be taken at its own priority).
   Last, an SVC while PRIMASK is set: escalated to HardFault (FORCED), stacked PC after it.

   Kept only where QEMU does what the ARMv7-M ARM says. Left out:
   - EXC_RETURN values with bits 27:4 not all ones: UNPREDICTABLE on ARMv7-M;
   - an unaligned STREX while the monitor is open (as it must be: an unaligned LDREX
     faults). ExclusiveMonitorsPass checks alignment first ("if address != Align(address,
     size) then AlignmentFault"), so it is a UsageFault UNALIGNED; QEMU 7.2 compares the
     address with the monitor first and fails the STREX without faulting; sramlab faults;
   - BKPT (other than semihosting's 0xAB) with halting debug and the DebugMonitor off: it
     escalates to HardFault, and HFSR says why with DEBUGEVT ("set only when halting debug
     is disabled and a Debug event occurs", B3.2.16; C1.5: "a breakpoint debug event
     escalates to a HardFault"). QEMU 7.2 escalates it like a configurable fault and sets
     FORCED instead (hfsr=40000000, DEBUGEVT clear); sramlab sets DEBUGEVT. */
#include "faultlib.h"
#include "../firmware/semihost.h"

/* Data the loads and stores below work on; 8-byte aligned so that +4 is word-aligned but
   not doubleword-aligned, which LDRD/STRD do not need (A3.2.1: word alignment). */
uint32_t scratch[4] __attribute__((aligned(8))) = {0x11223344u, 0x55667788u, 0x99AABBCCu,
                                                   0xDDEEFF00u};
/* Results of the instructions that must not fault, stored by the case functions. */
uint32_t result[2];

static void reset_scratch(void)
{
    scratch[0] = 0x11223344u;
    scratch[1] = 0x55667788u;
    scratch[2] = 0x99AABBCCu;
    scratch[3] = 0xDDEEFF00u;
}

/* ---- the faulting instructions ---- */

CASE_FN(do_udf, ".global at_udf\n"
                "at_udf: udf #7\n\t"
                "bx lr")
CASE_FN(do_udf_w, ".global at_udf_w\n"
                  "at_udf_w: udf.w #0x1234\n\t"
                  "bx lr")
CASE_FN(do_sdiv0, "movs r0, #9\n\t"
                  "movs r1, #0\n"
                  ".global at_sdiv0\n"
                  "at_sdiv0: sdiv r0, r0, r1\n\t"
                  "ldr r1, =result\n\t"
                  "str r0, [r1]\n\t"
                  "bx lr")
CASE_FN(do_udiv0, "movs r0, #9\n\t"
                  "movs r1, #0\n"
                  ".global at_udiv0\n"
                  "at_udiv0: udiv r0, r0, r1\n\t"
                  "ldr r1, =result\n\t"
                  "str r0, [r1]\n\t"
                  "bx lr")
/* INT_MIN / -1 overflows to INT_MIN: never a fault, whatever DIV_0_TRP says. */
CASE_FN(do_sdiv_overflow, "mov r0, #0x80000000\n\t"
                          "mov r1, #-1\n"
                          ".global at_sdiv_overflow\n"
                          "at_sdiv_overflow: sdiv r0, r0, r1\n\t"
                          "ldr r1, =result\n\t"
                          "str r0, [r1]\n\t"
                          "bx lr")
CASE_FN(do_ldr_unaligned, "ldr r1, =scratch + 1\n\t"
                          "movs r0, #0\n"
                          ".global at_ldr_unaligned\n"
                          "at_ldr_unaligned: ldr r0, [r1]\n\t"
                          "ldr r1, =result\n\t"
                          "str r0, [r1]\n\t"
                          "bx lr")
CASE_FN(do_ldrh_unaligned, "ldr r1, =scratch + 1\n\t"
                           "movs r0, #0\n"
                           ".global at_ldrh_unaligned\n"
                           "at_ldrh_unaligned: ldrh r0, [r1]\n\t"
                           "ldr r1, =result\n\t"
                           "str r0, [r1]\n\t"
                           "bx lr")
CASE_FN(do_str_unaligned, "ldr r1, =scratch + 1\n\t"
                          "ldr r0, =0xAABBCCDD\n"
                          ".global at_str_unaligned\n"
                          "at_str_unaligned: str r0, [r1]\n\t"
                          "bx lr")
/* LDRD, STRD, LDM and LDREX make aligned accesses (MemA, A3.2.1): unaligned, they fault
   whatever CCR.UNALIGN_TRP says. */
CASE_FN(do_ldrd_unaligned, "push {r4, r5}\n\t"
                           "ldr r1, =scratch + 2\n"
                           ".global at_ldrd_unaligned\n"
                           "at_ldrd_unaligned: ldrd r4, r5, [r1]\n\t"
                           "pop {r4, r5}\n\t"
                           "bx lr")
CASE_FN(do_strd_unaligned, "ldr r1, =scratch + 2\n\t"
                           "movs r2, #0\n\t"
                           "movs r3, #0\n"
                           ".global at_strd_unaligned\n"
                           "at_strd_unaligned: strd r2, r3, [r1]\n\t"
                           "bx lr")
/* Word-aligned but not doubleword-aligned: LDRD needs no more than word alignment. */
CASE_FN(do_ldrd_word_aligned, "ldr r1, =scratch + 4\n"
                              ".global at_ldrd_word_aligned\n"
                              "at_ldrd_word_aligned: ldrd r2, r3, [r1]\n\t"
                              "ldr r1, =result\n\t"
                              "strd r2, r3, [r1]\n\t"
                              "bx lr")
CASE_FN(do_ldm_unaligned, "ldr r1, =scratch + 2\n"
                          ".global at_ldm_unaligned\n"
                          "at_ldm_unaligned: ldm r1, {r2, r3}\n\t"
                          "bx lr")
CASE_FN(do_ldrex_unaligned, "ldr r1, =scratch + 1\n"
                            ".global at_ldrex_unaligned\n"
                            "at_ldrex_unaligned: ldrex r0, [r1]\n\t"
                            "clrex\n\t"
                            "bx lr")
/* BLX to a Thumb function's address with bit 0 clear: EPSR.T becomes 0 and the first
   instruction there faults (INVSTATE), with the stacked PC on that instruction. */
CASE_FN(do_invstate, "push {r4, lr}\n\t"
                     "ldr r4, =invstate_target\n\t"
                     "blx r4\n\t"
                     "pop {r4, pc}\n"
                     ".balign 4\n"
                     ".global invstate_target\n"
                     "invstate_target: bx lr")
/* VMOV s0, r0 (coprocessor 10): on the M3 there is no coprocessor; on the M4 the FPU is
   off (CPACR.CP10 = 0). Either way: NOCP. As raw halfwords, since -mfloat-abi=soft. */
CASE_FN(do_nocp_vmov, ".global at_nocp_vmov\n"
                      "at_nocp_vmov: .hword 0xEE00, 0x0A10\n\t"
                      "bx lr")
/* MRC p0, 0, r0, c0, c0, 0: a coprocessor that no Cortex-M3/M4 has. */
CASE_FN(do_nocp_mrc, ".global at_nocp_mrc\n"
                     "at_nocp_mrc: .hword 0xEE10, 0x0010\n\t"
                     "bx lr")
/* SVC handlers that return with a bad EXC_RETURN (see SVC_Handler). */
CASE_FN(do_invpc_reserved, "svc #1\n"
                           ".global after_svc_reserved\n"
                           "after_svc_reserved: bx lr")
/* SVC where SVCall cannot be taken (PRIMASK): HardFault, FORCED, stacked PC after it. */
CASE_FN(do_svc_masked, "cpsid i\n\t"
                       "svc #0\n"
                       ".global after_svc_masked\n"
                       "after_svc_masked: cpsie i\n\t"
                       "bx lr")
CASE_FN(do_invpc_to_handler, "svc #2\n"
                             ".global after_svc_to_handler\n"
                             "after_svc_to_handler: bx lr")

extern const char at_udf[], at_udf_w[], at_sdiv0[], at_udiv0[], at_sdiv_overflow[],
    at_ldr_unaligned[], at_ldrh_unaligned[], at_str_unaligned[], at_ldrd_unaligned[],
    at_strd_unaligned[], at_ldrd_word_aligned[], at_ldm_unaligned[], at_ldrex_unaligned[],
    invstate_target[], at_nocp_vmov[], at_nocp_mrc[], after_svc_reserved[],
    after_svc_to_handler[], after_svc_nested[], after_svc_masked[];

/* ---- bad exception returns ----
   SVC #1 returns with 0xFFFFFFF5 (a reserved mode), SVC #2 with 0xFFFFFFF1 while no other
   exception is active, SVC #3 (from inside IRQ 20) with 0xFFFFFFF9 while IRQ 20 is still
   active and CCR.NONBASETHRDENA is 0. ExceptionReturn (B1.5.8) deactivates the SVC, sets
   INVPC and takes UsageFault on the SVC's frame with LR = 0xF0000000 + EXC_RETURN<27:0>. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile("ldr r1, [sp, #24]\n\t" /* stacked PC: SVC #imm8 is the halfword before */
                   "ldrb r1, [r1, #-2]\n\t"
                   "mov r0, lr\n\t"
                   "cmp r1, #1\n\t"
                   "it eq\n\t"
                   "mvneq r0, #10\n\t" /* 0xFFFFFFF5 */
                   "cmp r1, #2\n\t"
                   "it eq\n\t"
                   "mvneq r0, #14\n\t" /* 0xFFFFFFF1 */
                   "cmp r1, #3\n\t"
                   "it eq\n\t"
                   "mvneq r0, #6\n\t" /* 0xFFFFFFF9 */
                   "bx r0\n");
}

/* IRQ 20 makes the nested SVC #3: the UsageFault handler returns to it with 0xFFFFFFF1. */
__attribute__((naked)) void IRQ_Handler(void)
{
    __asm volatile("push {r4, lr}\n\t"
                   "svc #3\n"
                   ".global after_svc_nested\n"
                   "after_svc_nested: pop {r4, pc}\n");
}

#define IRQ_NESTED 20u

static void do_invpc_to_thread_nested(void)
{
    NVIC_IPR8(IRQ_NESTED) = 0x80; /* below UsageFault's 0x40, so UsageFault can preempt it */
    NVIC_ISER = 1u << IRQ_NESTED;
    NVIC_ISPR = 1u << IRQ_NESTED;
    barrier();
    NVIC_ICER = 1u << IRQ_NESTED;
}

/* ---- a fault inside the UsageFault handler ---- */

static void nested_udf(void)
{
    run_case("udf_in_usagefault_handler", do_udf, at_udf, SKIP_INSN);
}

/* ---- the sequences ---- */

static void print_result(const char *tag, uint32_t v)
{
    sh_puts(tag);
    sh_puts(": result=");
    sh_hex(v);
    sh_putc('\n');
}

/* Every fault kind once, with a recovery that works whichever handler takes it. */
static void core_cases(void)
{
    run_case("udf", do_udf, at_udf, SKIP_INSN);
    run_case("udf_w", do_udf_w, at_udf_w, SKIP_INSN);

    SCB_CCR |= CCR_DIV_0_TRP;
    barrier();
    run_case("sdiv0_trap", do_sdiv0, at_sdiv0, SKIP_INSN);
    run_case("udiv0_trap", do_udiv0, at_udiv0, SKIP_INSN);
    SCB_CCR &= ~CCR_DIV_0_TRP;
    barrier();

    SCB_CCR |= CCR_UNALIGN_TRP;
    barrier();
    run_case("ldr_unaligned_trap", do_ldr_unaligned, at_ldr_unaligned, SKIP_INSN);
    run_case("ldrh_unaligned_trap", do_ldrh_unaligned, at_ldrh_unaligned, SKIP_INSN);
    reset_scratch();
    run_case("str_unaligned_trap", do_str_unaligned, at_str_unaligned, SKIP_INSN);
    sh_line_hex("str_unaligned_trap.memory0", scratch[0]); /* the store did not happen */
    sh_line_hex("str_unaligned_trap.memory1", scratch[1]);
    SCB_CCR &= ~CCR_UNALIGN_TRP;
    barrier();

    run_case("ldrd_unaligned", do_ldrd_unaligned, at_ldrd_unaligned, SKIP_INSN);
    run_case("strd_unaligned", do_strd_unaligned, at_strd_unaligned, SKIP_INSN);
    run_case("ldm_unaligned", do_ldm_unaligned, at_ldm_unaligned, SKIP_INSN);
    run_case("ldrex_unaligned", do_ldrex_unaligned, at_ldrex_unaligned, SKIP_INSN);
    run_case("invstate", do_invstate, invstate_target, RETURN_TO_LR);
    run_case("nocp_vmov", do_nocp_vmov, at_nocp_vmov, SKIP_INSN);
    run_case("nocp_mrc", do_nocp_mrc, at_nocp_mrc, SKIP_INSN);
    run_case("invpc_reserved", do_invpc_reserved, after_svc_reserved, INVPC_THREAD);
    sh_line("invpc_reserved.ipsr_after", get_ipsr());
    run_case("invpc_to_handler", do_invpc_to_handler, after_svc_to_handler, INVPC_THREAD);
    sh_line("invpc_to_handler.ipsr_after", get_ipsr());
}

/* The instructions that must not fault, with the traps off. */
static void no_trap_cases(void)
{
    SCB_CCR &= ~(CCR_DIV_0_TRP | CCR_UNALIGN_TRP);
    barrier();
    sh_line_hex("ccr.div_0_trp_unalign_trp", SCB_CCR & (CCR_DIV_0_TRP | CCR_UNALIGN_TRP));
    result[0] = 0xDEADu;
    run_case("sdiv0_no_trap", do_sdiv0, at_sdiv0, SKIP_INSN);
    print_result("sdiv0_no_trap", result[0]);
    result[0] = 0xDEADu;
    run_case("udiv0_no_trap", do_udiv0, at_udiv0, SKIP_INSN);
    print_result("udiv0_no_trap", result[0]);
    SCB_CCR |= CCR_DIV_0_TRP;
    barrier();
    run_case("sdiv_overflow_with_trap", do_sdiv_overflow, at_sdiv_overflow, SKIP_INSN);
    print_result("sdiv_overflow_with_trap", result[0]);
    SCB_CCR &= ~CCR_DIV_0_TRP;
    barrier();

    reset_scratch();
    run_case("ldr_unaligned_no_trap", do_ldr_unaligned, at_ldr_unaligned, SKIP_INSN);
    print_result("ldr_unaligned_no_trap", result[0]);
    run_case("ldrh_unaligned_no_trap", do_ldrh_unaligned, at_ldrh_unaligned, SKIP_INSN);
    print_result("ldrh_unaligned_no_trap", result[0]);
    run_case("str_unaligned_no_trap", do_str_unaligned, at_str_unaligned, SKIP_INSN);
    sh_line_hex("str_unaligned_no_trap.memory0", scratch[0]);
    sh_line_hex("str_unaligned_no_trap.memory1", scratch[1]);
    reset_scratch();
    run_case("ldrd_word_aligned", do_ldrd_word_aligned, at_ldrd_word_aligned, SKIP_INSN);
    print_result("ldrd_word_aligned.lo", result[0]);
    print_result("ldrd_word_aligned.hi", result[1]);
}

int main(void)
{
    sh_puts("usagefaults: start\n");
    sh_line_hex("cpuid.partno", (SCB_CPUID >> 4) & 0xFFFu);
    SCB_CPACR = 0; /* the M4's FPU stays off: FP instructions are NOCP */
    barrier();

    sh_puts("-- UsageFault enabled, priority 0x40\n");
    set_shpr(6, 0x40);
    SCB_SHCSR |= SHCSR_USGFAULTENA;
    barrier();
    sh_line("shcsr.usgfaultena", (SCB_SHCSR >> 18) & 1u);
    core_cases();
    run_case("invpc_to_thread_nested", do_invpc_to_thread_nested, after_svc_nested,
             INVPC_HANDLER);
    no_trap_cases();

    sh_puts("-- UsageFault disabled: escalation to HardFault\n");
    SCB_SHCSR &= ~SHCSR_USGFAULTENA;
    barrier();
    sh_line("shcsr.usgfaultena", (SCB_SHCSR >> 18) & 1u);
    core_cases();

    sh_puts("-- UsageFault enabled but masked: escalation to HardFault\n");
    SCB_SHCSR |= SHCSR_USGFAULTENA;
    barrier();
    set_basepri(0x40); /* masks priority 0x40 and below: UsageFault cannot preempt */
    run_case("udf_basepri_0x40", do_udf, at_udf, SKIP_INSN);
    set_basepri(0x60); /* UsageFault at 0x40 is above it: taken */
    run_case("udf_basepri_0x60", do_udf, at_udf, SKIP_INSN);
    set_basepri(0);
    irq_disable();
    run_case("udf_primask", do_udf, at_udf, SKIP_INSN);
    irq_enable();
    /* The UsageFault handler runs a UDF itself: UsageFault is active at its own priority. */
    in_handler_hook = nested_udf;
    run_case("udf_then_udf_in_handler", do_udf, at_udf, SKIP_INSN);
    sh_line("ipsr_after", get_ipsr());

    sh_puts("-- other causes of HardFault\n");
    run_case("svc_masked", do_svc_masked, after_svc_masked, KEEP_PC);
    sh_line("svc_masked.primask_after", get_primask());

    sh_puts("usagefaults: done\n");
    return 0;
}
