/* Faults on ARMv6-M: each case runs one instruction that must raise HardFault. The
   handler prints the case's tag, IPSR and the stacked PC relative to the label of the
   faulting instruction, then moves the stacked PC past it so the program carries on.

   Kept only where QEMU's micro:bit does what the ARMv6-M ARM says. Left out:
   - a store to flash: QEMU's nRF51 flash ignores writes while NVMC.CONFIG.WEN is 0
     instead of faulting (sramlab faults: README.md "The checks", rule 5);
   - IT and CBZ/CBNZ: ARMv7-M only, UNDEFINED on ARMv6-M, but QEMU's Cortex-M0 runs them;
   - a fault inside HardFault (lockup): QEMU stops the CPU and never exits, so there is no
     output to compare.
   The bad EXC_RETURN case is UNPREDICTABLE in the ARMv6-M ARM; QEMU follows the ARMv7-M
   rule (the returning exception is deactivated and HardFault is taken on the existing
   frame with LR = 0xF0000000 + EXC_RETURN), which is the only defined behaviour there is,
   so sramlab follows it too. */
#include "cm0.h"
#include "semihost.h"

enum recovery {
    SKIP_INSN,     /* stacked PC is the faulting instruction: step over it */
    KEEP_PC,       /* stacked PC is already the instruction after it (SVC escalation) */
    RETURN_TO_LR,  /* a bad branch target: go back to the caller of the case */
    BAD_EXC_RETURN /* return to thread on MSP: the frame is the SVC's */
};

struct fault_case {
    const char *tag;
    uint32_t label; /* address the stacked PC is compared with */
    enum recovery recovery;
};

static const struct fault_case *current;
static volatile uint32_t fault_count;

static void print_signed(int32_t v)
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

uint32_t hardfault_main(frame_t *f, uint32_t exc_return)
{
    fault_count++;
    if (!current) {
        sh_puts("unexpected HardFault at pc=");
        sh_hex(f->pc);
        sh_putc('\n');
        sh_exit(3);
    }
    int32_t offset = (int32_t)(f->pc - current->label);
    sh_puts(current->tag);
    sh_puts(": hardfault ipsr=");
    sh_dec(get_ipsr());
    sh_puts(" pc_offset=");
    print_signed(offset);
    switch (current->recovery) {
    case SKIP_INSN:
        if (offset == 0) f->pc += insn_size(f->pc);
        break;
    case KEEP_PC:
        break;
    case RETURN_TO_LR:
        sh_puts(" xpsr_t=");
        sh_dec((f->xpsr >> 24) & 1u);
        f->pc = f->lr & ~1u;
        f->xpsr |= 1u << 24; /* a return with T=0 would fault again */
        break;
    case BAD_EXC_RETURN:
        sh_puts(" exc_return=");
        sh_hex(exc_return);
        exc_return = 0xFFFFFFF9u;
        break;
    }
    sh_putc('\n');
    current = 0;
    return exc_return;
}
/* Everything here runs on the main stack, so the frame is always at MSP. (FRAME_HANDLER
   would follow LR bit 2, which the reserved EXC_RETURN 0xFFFFFFF5 sets.) */
__attribute__((naked)) void HardFault_Handler(void)
{
    __asm volatile("mrs r0, msp\n\t"
                   "mov r1, lr\n\t"
                   "push {r1, lr}\n\t"
                   "bl hardfault_main\n\t"
                   "pop {r1, r2}\n\t"
                   "bx r0\n");
}

/* SVC #10 returns with a reserved EXC_RETURN; any other SVC returns normally. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile("mov r0, lr\n\t"
                   "ldr r1, [sp, #24]\n\t" /* stacked PC: the SVC is the halfword before */
                   "subs r1, #2\n\t"
                   "ldrb r1, [r1]\n\t"
                   "cmp r1, #10\n\t"
                   "bne 1f\n\t"
                   "ldr r0, =0xFFFFFFF5\n"
                   "1:\tbx r0\n\t"
                   ".ltorg\n");
}

/* The faulting instructions, each behind a global label the handler can compare with. */
uint32_t scratch[2] = {0x11223344u, 0x55667788u};

#define CASE_FN(name, body)                                                                \
    __attribute__((naked)) static void name(void) { __asm volatile(body "\n\t.ltorg\n"); }

CASE_FN(do_unaligned_ldr, "ldr r1, =scratch + 1\n"
                          ".global at_unaligned_ldr\n"
                          "at_unaligned_ldr: ldr r0, [r1]\n\t"
                          "bx lr")
CASE_FN(do_unaligned_strh, "ldr r1, =scratch + 1\n\t"
                           "movs r0, #0\n"
                           ".global at_unaligned_strh\n"
                           "at_unaligned_strh: strh r0, [r1]\n\t"
                           "bx lr")
CASE_FN(do_unmapped_ldr, "ldr r1, =0x60000000\n"
                         ".global at_unmapped_ldr\n"
                         "at_unmapped_ldr: ldr r0, [r1]\n\t"
                         "bx lr")
CASE_FN(do_udf, ".global at_udf\n"
                "at_udf: udf #7\n\t"
                "bx lr")
/* LDREX r0, [r1] (ARMv7-M only), as raw halfwords so the ARMv6-M assembler accepts it. */
CASE_FN(do_ldrex, "ldr r1, =scratch\n"
                  ".global at_ldrex\n"
                  "at_ldrex: .hword 0xE851, 0x0F00\n\t"
                  "bx lr")
/* SDIV r0, r0, r1: ARMv6-M has no divide. */
CASE_FN(do_sdiv, "movs r0, #9\n\t"
                 "movs r1, #3\n"
                 ".global at_sdiv\n"
                 "at_sdiv: .hword 0xFB90, 0xF0F1\n\t"
                 "bx lr")
CASE_FN(do_bkpt, ".global at_bkpt\n"
                 "at_bkpt: bkpt 0x01\n\t"
                 "bx lr")
CASE_FN(do_svc_masked, "cpsid i\n\t"
                       "svc #9\n"
                       ".global after_svc_masked\n"
                       "after_svc_masked: cpsie i\n\t"
                       "bx lr")
CASE_FN(do_bad_exc_return, "svc #10\n"
                           ".global after_svc_bad\n"
                           "after_svc_bad: bx lr")
/* Branches with link to an unmapped address and to a Thumb address with bit 0 clear. */
CASE_FN(do_exec_unmapped, "push {r4, lr}\n\t"
                          "ldr r4, =0x60000001\n\t"
                          "blx r4\n\t"
                          "pop {r4, pc}")
CASE_FN(do_arm_state, "push {r4, lr}\n\t"
                      "ldr r4, =arm_state_target\n\t"
                      "blx r4\n\t"
                      "pop {r4, pc}\n"
                      ".balign 4\n"
                      ".global arm_state_target\n"
                      "arm_state_target: bx lr")

extern const char at_unaligned_ldr[], at_unaligned_strh[], at_unmapped_ldr[], at_udf[],
    at_ldrex[], at_sdiv[], at_bkpt[], after_svc_masked[], after_svc_bad[], arm_state_target[];

static void run_case(const char *tag, void (*fn)(void), const void *label, enum recovery r)
{
    /* Labels inside Thumb functions carry bit 0 set; the stacked PC never does. */
    struct fault_case c = {tag, (uint32_t)label & ~1u, r};
    uint32_t before = fault_count;
    current = &c;
    fn();
    sh_puts(tag);
    sh_puts(": faults=");
    sh_dec(fault_count - before);
    sh_puts(" resumed=1\n");
    current = 0;
}

int main(void)
{
    sh_puts("faults: start\n");
    run_case("unaligned_ldr", do_unaligned_ldr, at_unaligned_ldr, SKIP_INSN);
    run_case("unaligned_strh", do_unaligned_strh, at_unaligned_strh, SKIP_INSN);
    sh_line_hex("unaligned_strh.memory", scratch[0]); /* the store did not happen */
    run_case("unmapped_ldr", do_unmapped_ldr, at_unmapped_ldr, SKIP_INSN);
    run_case("udf", do_udf, at_udf, SKIP_INSN);
    run_case("ldrex", do_ldrex, at_ldrex, SKIP_INSN);
    run_case("sdiv", do_sdiv, at_sdiv, SKIP_INSN);
    run_case("bkpt", do_bkpt, at_bkpt, SKIP_INSN);
    run_case("svc_masked", do_svc_masked, after_svc_masked, KEEP_PC);
    sh_line("svc_masked.primask_after", get_primask());
    run_case("exec_unmapped", do_exec_unmapped, (const void *)0x60000000u, RETURN_TO_LR);
    run_case("arm_state", do_arm_state, arm_state_target, RETURN_TO_LR);
    /* Last, being the one case the ARMv6-M ARM leaves UNPREDICTABLE (see the top). */
    run_case("bad_exc_return", do_bad_exc_return, after_svc_bad, BAD_EXC_RETURN);
    sh_line("bad_exc_return.ipsr_after", get_ipsr());
    sh_puts("faults: done\n");
    return 0;
}
