/* BusFault and MemManage on ARMv7-M (DDI 0403E B1.5.14, B3.2.15-B3.2.18), with the same
   case runner as usagefaults.c. 0x6000_0000 is the address used for "nothing there": it is
   unmapped on QEMU's MPS2 boards (a load raises a precise BusFault; 0x1000_0000 and the
   0x4000_0000 peripheral region read as zero there) and on sramlab.
   - A load from it: precise BusFault, BFSR.PRECISERR + BFARVALID, BFAR = the address the
     instruction computed (IPSR 5), stacked PC on the load.
   - A fetch from it: BFSR.IBUSERR, BFAR not valid, stacked PC = the branch target.
   - A fetch from an Execute Never region of the default memory map (0xA000_0000, Device):
     MemManage, MMFSR.IACCVIOL, MMFAR not valid (IPSR 4), even with the MPU off.
   Then BusFault and MemManage disabled (HardFault with HFSR.FORCED, CFSR and BFAR as
   before) and enabled but masked by BASEPRI (escalated the same way).

   Left out: a store to an unmapped address. Whether a BusFault on a store is precise
   (PRECISERR, BFAR, stacked PC on the store) or imprecise (IMPRECISERR, taken later, no
   BFAR) is IMPLEMENTATION DEFINED (B3.2.15); QEMU makes it precise and a Cortex-M3's write
   buffer usually makes it imprecise, so there is no one answer to check. */
#include "faultlib.h"
#include "../firmware/semihost.h"

#define UNMAPPED 0x60000000u

CASE_FN(do_ldr_unmapped, "ldr r1, =0x60000000\n"
                         ".global at_ldr_unmapped\n"
                         "at_ldr_unmapped: ldr r0, [r1]\n\t"
                         "bx lr")
/* BFAR is the address the access used: base + offset. */
CASE_FN(do_ldr_offset_unmapped, "ldr r1, =0x60000000\n"
                                ".global at_ldr_offset_unmapped\n"
                                "at_ldr_offset_unmapped: ldr r0, [r1, #0x124]\n\t"
                                "bx lr")
CASE_FN(do_ldrb_unmapped, "ldr r1, =0x60000003\n"
                          ".global at_ldrb_unmapped\n"
                          "at_ldrb_unmapped: ldrb r0, [r1]\n\t"
                          "bx lr")
CASE_FN(do_ldrh_unmapped, "ldr r1, =0x60000002\n"
                          ".global at_ldrh_unmapped\n"
                          "at_ldrh_unmapped: ldrh.w r0, [r1]\n\t"
                          "bx lr")
/* Branches with link to an unmapped address and into an Execute Never region. */
CASE_FN(do_exec_unmapped, "push {r4, lr}\n\t"
                          "ldr r4, =0x60000001\n\t"
                          "blx r4\n\t"
                          "pop {r4, pc}")
CASE_FN(do_exec_xn, "push {r4, lr}\n\t"
                    "ldr r4, =0xA0000001\n\t"
                    "blx r4\n\t"
                    "pop {r4, pc}")

extern const char at_ldr_unmapped[], at_ldr_offset_unmapped[], at_ldrb_unmapped[],
    at_ldrh_unmapped[];

static void bus_cases(void)
{
    run_case("ldr_unmapped", do_ldr_unmapped, at_ldr_unmapped, SKIP_INSN);
    run_case("ldr_offset_unmapped", do_ldr_offset_unmapped, at_ldr_offset_unmapped, SKIP_INSN);
    run_case("ldrb_unmapped", do_ldrb_unmapped, at_ldrb_unmapped, SKIP_INSN);
    run_case("ldrh_unmapped", do_ldrh_unmapped, at_ldrh_unmapped, SKIP_INSN);
    run_case("exec_unmapped", do_exec_unmapped, (const void *)UNMAPPED, RETURN_TO_LR);
}

static void memmanage_cases(void)
{
    run_case("exec_xn", do_exec_xn, (const void *)0xA0000000u, RETURN_TO_LR);
}

static void print_enables(void)
{
    uint32_t shcsr = SCB_SHCSR;
    sh_line("shcsr.memfaultena", (shcsr >> 16) & 1u);
    sh_line("shcsr.busfaultena", (shcsr >> 17) & 1u);
}

int main(void)
{
    sh_puts("busfaults: start\n");
    sh_line_hex("cpuid.partno", (SCB_CPUID >> 4) & 0xFFFu);

    sh_puts("-- BusFault and MemManage enabled, priorities 0x40 and 0x20\n");
    set_shpr(4, 0x20);
    set_shpr(5, 0x40);
    SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA;
    barrier();
    print_enables();
    bus_cases();
    memmanage_cases();

    sh_puts("-- disabled: escalation to HardFault\n");
    SCB_SHCSR &= ~(SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA);
    barrier();
    print_enables();
    bus_cases();
    memmanage_cases();

    sh_puts("-- enabled but masked by BASEPRI: escalation to HardFault\n");
    SCB_SHCSR |= SHCSR_MEMFAULTENA | SHCSR_BUSFAULTENA;
    barrier();
    set_basepri(0x40); /* BusFault (0x40) cannot preempt; MemManage (0x20) still can */
    run_case("ldr_unmapped_basepri_0x40", do_ldr_unmapped, at_ldr_unmapped, SKIP_INSN);
    run_case("exec_xn_basepri_0x40", do_exec_xn, (const void *)0xA0000000u, RETURN_TO_LR);
    set_basepri(0x20);
    run_case("exec_xn_basepri_0x20", do_exec_xn, (const void *)0xA0000000u, RETURN_TO_LR);
    set_basepri(0);
    run_case("ldr_unmapped_unmasked", do_ldr_unmapped, at_ldr_unmapped, SKIP_INSN);

    sh_puts("busfaults: done\n");
    return 0;
}
