/* Exception entry and return on ARMv6-M: SVC, PendSV, NVIC interrupts pended by software,
   priorities and preemption, PRIMASK, MSP/PSP and the 8-byte stack alignment of the frame.
   Everything printed is a fact the architecture fixes, so QEMU and sramlab must agree.
   ARMv6-M gives software no per-exception active bits (no NVIC_IABR, no SHCSR), so the
   active exception is read from IPSR and ICSR.VECTACTIVE. */
#include "cm0.h"
#include "semihost.h"

#define ICSR_VECTACTIVE(v) ((v) & 0x3Fu)
#define ICSR_VECTPENDING(v) (((v) >> 12) & 0x3Fu)
#define ICSR_ISRPENDING (1u << 22)

/* Events are logged from handlers and printed later from thread mode, so the order of
   the lines is the order in which the handlers ran. */
#define LOG_MAX 32
static const char *log_text[LOG_MAX];
static uint32_t log_value[LOG_MAX];
static uint8_t log_is_hex[LOG_MAX];
static volatile uint32_t log_len;

static void log_add(const char *text, uint32_t value, uint8_t hex)
{
    if (log_len < LOG_MAX) {
        log_text[log_len] = text;
        log_value[log_len] = value;
        log_is_hex[log_len] = hex;
        log_len++;
    }
}
static void log_event(const char *text, uint32_t value) { log_add(text, value, 0); }
static void log_hex(const char *text, uint32_t value) { log_add(text, value, 1); }

static void log_flush(void)
{
    for (uint32_t i = 0; i < log_len; i++) {
        if (log_is_hex[i]) sh_line_hex(log_text[i], log_value[i]);
        else sh_line(log_text[i], log_value[i]);
    }
    log_len = 0;
}

/* ---- SVC ---- */

static volatile uint32_t svc_number, svc_ipsr, svc_exc_return, svc_frame;
static volatile uint32_t svc_regs[4], svc_xpsr;

uint32_t svc_main(frame_t *f, uint32_t exc_return)
{
    /* SVC #imm8 is 0xDFxx; the stacked PC is the instruction after it. */
    svc_number = ((const uint8_t *)f->pc)[-2];
    svc_ipsr = get_ipsr();
    svc_exc_return = exc_return;
    svc_frame = (uint32_t)f;
    svc_xpsr = f->xpsr;
    svc_regs[0] = f->r0;
    svc_regs[1] = f->r1;
    svc_regs[2] = f->r2;
    svc_regs[3] = f->r3;
    f->r0 = f->r0 + 1; /* the caller sees this in r0: a result passed through the frame */
    return exc_return;
}
FRAME_HANDLER(SVC_Handler, svc_main)

static void test_svc(void)
{
    register uint32_t r0 __asm("r0") = 0x10203040u;
    register uint32_t r1 __asm("r1") = 0x11111111u;
    register uint32_t r2 __asm("r2") = 0x22222222u;
    register uint32_t r3 __asm("r3") = 0x33333333u;
    __asm volatile("svc #42" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3) : "memory");
    uint32_t result = r0;
    sh_line("svc.number", svc_number);
    sh_line("svc.ipsr", svc_ipsr);
    sh_line_hex("svc.exc_return", svc_exc_return);
    sh_line_hex("svc.r0", svc_regs[0]);
    sh_line_hex("svc.r1", svc_regs[1]);
    sh_line_hex("svc.r2", svc_regs[2]);
    sh_line_hex("svc.r3", svc_regs[3]);
    sh_line_hex("svc.result", result);
    sh_line("svc.ipsr_after", get_ipsr());
}

/* ---- PendSV ---- */

void PendSV_Handler(void)
{
    log_event("pendsv.ipsr", get_ipsr());
    log_event("pendsv.vectactive", ICSR_VECTACTIVE(SCB_ICSR));
    /* Pending is cleared when the exception becomes active. */
    log_event("pendsv.pendsvset_in_handler", (SCB_ICSR & ICSR_PENDSVSET) != 0);
}

static void test_pendsv(void)
{
    irq_disable();
    SCB_ICSR = ICSR_PENDSVSET;
    barrier();
    log_event("pendsv.pending_while_masked", (SCB_ICSR & ICSR_PENDSVSET) != 0);
    log_event("pendsv.vectpending", ICSR_VECTPENDING(SCB_ICSR));
    irq_enable();
    log_event("pendsv.pending_after_cpsie", (SCB_ICSR & ICSR_PENDSVSET) != 0);
    log_flush();
}

/* ---- NVIC interrupts ---- */

/* IRQs 20-23 are the nRF51's software interrupts (SWI0-3): no QEMU peripheral drives
   them, so only the ISPR writes below make them pending. */
#define IRQ_A 20u
#define IRQ_LOW 21u  /* priority 0x80 */
#define IRQ_HIGH 22u /* priority 0x40: preempts IRQ_LOW */
#define IRQ_SAME 23u /* priority 0x80: waits for IRQ_LOW */

static volatile uint32_t pend_pendsv_from_irq;
static volatile uint32_t pend_others_from_21;

static void irq_low(void)
{
    log_event("irq21.enter", get_ipsr());
    if (!pend_others_from_21) return;
    NVIC_ISPR = 1u << IRQ_HIGH;
    barrier();
    log_event("irq21.after_pending_22", get_ipsr());
    NVIC_ISPR = 1u << IRQ_SAME;
    barrier();
    /* Equal priority cannot preempt: 23 is still pending, and 21 itself is active, not pending. */
    log_event("irq21.ispr_bits_20_23", (NVIC_ISPR >> IRQ_A) & 0xFu);
    log_event("irq21.vectpending", ICSR_VECTPENDING(SCB_ICSR));
    log_event("irq21.exit", get_ipsr());
}

uint32_t irq_main(frame_t *f, uint32_t exc_return)
{
    (void)f;
    uint32_t irq = get_ipsr() - 16u;
    switch (irq) {
    case IRQ_A:
        log_event("irq20.ipsr", get_ipsr());
        log_event("irq20.vectactive", ICSR_VECTACTIVE(SCB_ICSR));
        log_hex("irq20.exc_return", exc_return);
        log_event("irq20.ispr_bit", (NVIC_ISPR >> IRQ_A) & 1u);
        if (pend_pendsv_from_irq) {
            /* PendSV has the lowest priority, so it runs only after this handler returns. */
            SCB_ICSR = ICSR_PENDSVSET;
            barrier();
            log_event("irq20.pendsv_pending", (SCB_ICSR & ICSR_PENDSVSET) != 0);
        }
        break;
    case IRQ_LOW:
        irq_low();
        break;
    case IRQ_HIGH:
        log_event("irq22.ipsr", get_ipsr());
        log_event("irq22.vectactive", ICSR_VECTACTIVE(SCB_ICSR));
        log_hex("irq22.exc_return", exc_return);
        break;
    case IRQ_SAME:
        log_event("irq23.ipsr", get_ipsr());
        break;
    default:
        log_event("irq.unexpected", irq);
        break;
    }
    return exc_return;
}
FRAME_HANDLER(IRQ_Handler, irq_main)

static void test_nvic_single(void)
{
    nvic_set_priority(IRQ_A, 0x80);
    NVIC_ICPR = 0xFFFFFFFFu;
    NVIC_ISER = 1u << IRQ_A;
    log_event("nvic.iser_bit20", (NVIC_ISER >> IRQ_A) & 1u);
    NVIC_ISPR = 1u << IRQ_A;
    barrier();
    log_event("nvic.after_pend", get_ipsr());
    log_flush();

    /* A pending interrupt that is disabled waits; enabling it lets it in. */
    NVIC_ICER = 1u << IRQ_A;
    NVIC_ISPR = 1u << IRQ_A;
    barrier();
    log_event("nvic.disabled_pending", (NVIC_ISPR >> IRQ_A) & 1u);
    NVIC_ISER = 1u << IRQ_A;
    barrier();
    log_event("nvic.enabled_pending", (NVIC_ISPR >> IRQ_A) & 1u);
    log_flush();

    /* ICPR removes the pending state before it is taken. */
    NVIC_ICER = 1u << IRQ_A;
    NVIC_ISPR = 1u << IRQ_A;
    NVIC_ICPR = 1u << IRQ_A;
    NVIC_ISER = 1u << IRQ_A;
    barrier();
    log_event("nvic.cleared_then_enabled", (NVIC_ISPR >> IRQ_A) & 1u);
    log_flush();
}

static void test_preemption(void)
{
    nvic_set_priority(IRQ_LOW, 0x80);
    nvic_set_priority(IRQ_HIGH, 0x40);
    nvic_set_priority(IRQ_SAME, 0x80);
    NVIC_ISER = (1u << IRQ_LOW) | (1u << IRQ_HIGH) | (1u << IRQ_SAME);
    pend_others_from_21 = 1;
    NVIC_ISPR = 1u << IRQ_LOW;
    barrier();
    pend_others_from_21 = 0;
    log_event("preempt.done", get_ipsr());
    log_flush();
}

static void test_primask(void)
{
    irq_disable();
    log_event("primask.value", get_primask());
    NVIC_ISPR = (1u << IRQ_SAME) | (1u << IRQ_LOW) | (1u << IRQ_HIGH);
    barrier();
    /* Nothing ran: all three are pending and the highest priority one is named. */
    log_event("primask.ispr_bits_20_23", (NVIC_ISPR >> IRQ_A) & 0xFu);
    log_event("primask.isrpending", (SCB_ICSR & ICSR_ISRPENDING) != 0);
    log_event("primask.vectpending", ICSR_VECTPENDING(SCB_ICSR));
    /* On CPSIE they run by priority, then by exception number: 22, 21, 23. */
    irq_enable();
    log_event("primask.after_cpsie", get_primask());
    log_flush();
}

static void test_pendsv_after_irq(void)
{
    SCB_SHPR3 = (SCB_SHPR3 & 0xFF00FFFFu) | (0xC0u << 16); /* PendSV lowest */
    pend_pendsv_from_irq = 1;
    NVIC_ISPR = 1u << IRQ_A;
    barrier();
    pend_pendsv_from_irq = 0;
    SCB_SHPR3 &= 0xFF00FFFFu;
    log_event("tailchain.done", get_ipsr());
    log_flush();
}

/* ---- Process stack ---- */

static uint32_t psp_stack[256] __attribute__((aligned(8)));
static volatile uint32_t psp_sp_before, psp_sp_after, psp_control, psp_msp_in_handler;

/* Runs fn in thread mode on the process stack, then switches back to the main stack. */
__attribute__((naked)) static void run_on_psp(void (*fn)(void), uint32_t psp_top)
{
    (void)fn;
    (void)psp_top;
    __asm volatile("push {r4, lr}\n\t"
                   "msr psp, r1\n\t"
                   "movs r2, #2\n\t"
                   "msr control, r2\n\t"
                   "isb\n\t"
                   "blx r0\n\t"
                   "movs r2, #0\n\t"
                   "msr control, r2\n\t"
                   "isb\n\t"
                   "pop {r4, pc}\n");
}

static void on_psp(void)
{
    uint32_t sp;
    psp_control = get_control();
    __asm volatile("mov %0, sp" : "=r"(sp));
    psp_sp_before = sp;
    __asm volatile("svc #7" ::: "r0", "r1", "r2", "r3", "memory");
    __asm volatile("mov %0, sp" : "=r"(sp));
    psp_sp_after = sp;
}

static void test_psp(void)
{
    uint32_t top = (uint32_t)&psp_stack[256];
    uint32_t msp_before = get_msp();
    run_on_psp(on_psp, top);
    sh_line("psp.control_in_thread", psp_control);
    sh_line("psp.sp_is_psp_stack", psp_sp_before < top && psp_sp_before >= (uint32_t)psp_stack);
    sh_line("psp.svc_number", svc_number);
    sh_line_hex("psp.exc_return", svc_exc_return);
    sh_line("psp.frame_below_sp", psp_sp_before - svc_frame);
    sh_line("psp.sp_restored", psp_sp_after == psp_sp_before);
    sh_line("psp.msp_unchanged", get_msp() == msp_before);
    sh_line("psp.control_after", get_control());
}

/* ---- 8-byte alignment of the exception frame ---- */

/* Not static: the naked asm below refers to them by name. */
volatile uint32_t align_sp_before, align_sp_after;

/* Sets SP to an 8-byte boundary minus `misalign` (0 or 4), takes SVC #3, and records SP
   on both sides. */
__attribute__((naked)) static void svc_with_sp(uint32_t misalign)
{
    (void)misalign;
    __asm volatile("push {r4, r5, r6, lr}\n\t"
                   "mov r4, sp\n\t"
                   "mov r6, sp\n\t"
                   "movs r5, #7\n\t"
                   "bics r6, r5\n\t"
                   "subs r6, #16\n\t"
                   "subs r6, r6, r0\n\t"
                   "mov sp, r6\n\t"
                   "ldr r5, =align_sp_before\n\t"
                   "str r6, [r5]\n\t"
                   "svc #3\n\t"
                   "mov r6, sp\n\t"
                   "ldr r5, =align_sp_after\n\t"
                   "str r6, [r5]\n\t"
                   "mov sp, r4\n\t"
                   "pop {r4, r5, r6, pc}\n\t"
                   ".ltorg\n");
}

static void test_alignment(uint32_t misalign)
{
    svc_with_sp(misalign);
    sh_puts(misalign ? "align4." : "align8.");
    sh_line("sp_mod_8", align_sp_before & 7u);
    sh_puts(misalign ? "align4." : "align8.");
    sh_line("xpsr_bit9", (svc_xpsr >> 9) & 1u);
    sh_puts(misalign ? "align4." : "align8.");
    sh_line("sp_minus_frame", align_sp_before - svc_frame);
    sh_puts(misalign ? "align4." : "align8.");
    sh_line("sp_restored", align_sp_after == align_sp_before);
}

int main(void)
{
    sh_puts("exceptions: start\n");
    sh_line("thread.ipsr", get_ipsr());
    test_svc();
    test_pendsv();
    test_nvic_single();
    test_preemption();
    test_primask();
    test_pendsv_after_irq();
    test_psp();
    test_alignment(0);
    test_alignment(4);
    sh_puts("exceptions: done\n");
    return 0;
}
