/* Priorities and masking on ARMv7-M (DDI 0403E B1.5.4 priority grouping and execution
   priority, B1.4.3 BASEPRI/FAULTMASK/PRIMASK, B3.3 SysTick, B3.4 NVIC, A7.3 IT blocks,
   A3.4 exclusive monitors). Everything printed is fixed by the architecture, whatever the
   machine's speed or number of priority bits:
   - only priority values whose low five bits are zero are used: ARMv7-M guarantees at
     least the top three bits (QEMU 7.2's NVIC implements all eight, sramlab's Cortex-M3
     three and its Cortex-M4 four), so IPR/SHPR/BASEPRI readbacks are printed as "the top
     three bits are implemented and the implemented bits are the top ones", not as raw
     values;
   - where an interrupt pended by a store may be taken anywhere between the store and the
     instruction after the ISB that follows it (B3.4: the effect of an SCS write is only
     guaranteed after a DSB and an ISB), only facts that hold at every one of those
     boundaries are printed.

   Left out: the raw readback of a priority field written with 0xFF (IMPLEMENTATION
   DEFINED, see above: 0xFF on QEMU, 0xE0/0xF0 on sramlab's M3/M4), and the raw stacked
   ITSTATE of an interrupt pended inside an IT block (QEMU with -icount takes it right
   after the store, 0x1E; without -icount after the ISB, 0x18: both allowed). The ICI
   bits (an LDM/STM interrupted part-way) are not checked either: whether it continues or
   restarts is IMPLEMENTATION DEFINED (QEMU does not model continuation).

   Events are logged from handlers and printed later from thread mode, so the order of the
   lines is the order in which the handlers ran. */
#include "v7m.h"
#include "../firmware/semihost.h"

#define LOG_MAX 48
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

static void set_prigroup(uint32_t g)
{
    SCB_AIRCR = AIRCR_VECTKEY | ((g & 7u) << 8);
    barrier();
}

static void pend(unsigned irq)
{
    NVIC_ISPR = 1u << irq;
    barrier();
}

/* NVIC bits of IRQs 20-27 (all the interrupts used here). */
#define BITS_20_27(reg) (((reg) >> 20) & 0xFFu)

/* ---- interrupts ----
   IRQs 20-27 are not wired to any device on QEMU's MPS2 boards or on sramlab: only the
   ISPR/STIR writes below make them pending. Each may have a hook that runs in its handler. */

static void (*volatile irq_hook[32])(frame_t *f);

uint32_t irq_main(frame_t *f, uint32_t exc_return)
{
    uint32_t irq = get_ipsr() - 16u;
    switch (irq) {
    case 20: log_event("irq20.ipsr", get_ipsr()); break;
    case 21: log_event("irq21.ipsr", get_ipsr()); break;
    case 22: log_event("irq22.ipsr", get_ipsr()); break;
    case 23: log_event("irq23.ipsr", get_ipsr()); break;
    case 24: log_event("irq24.ipsr", get_ipsr()); break;
    case 25: log_event("irq25.ipsr", get_ipsr()); break;
    case 26: log_event("irq26.ipsr", get_ipsr()); break;
    default: log_event("irq.unexpected", irq); break;
    }
    void (*hook)(frame_t *) = irq < 32u ? irq_hook[irq] : 0;
    if (hook) hook(f);
    return exc_return;
}
FRAME_HANDLER(IRQ_Handler, irq_main)

static void reset_nvic(void)
{
    NVIC_ICER = 0xFFFFFFFFu;
    NVIC_ICPR = 0xFFFFFFFFu;
    for (unsigned i = 0; i < 32; i++) irq_hook[i] = 0;
    for (unsigned i = 20; i < 28; i++) NVIC_IPR8(i) = 0;
    NVIC_ISER = 0xFFu << 20;
    barrier();
}

/* ---- priority fields ---- */

/* At least the top three bits are implemented, and the implemented bits are the top ones
   (the unimplemented low bits read as zero, B1.5.4). */
static void print_field(const char *name, uint32_t v)
{
    uint32_t unimplemented = ~v & 0xFFu;
    sh_puts(name);
    sh_puts(".top3_implemented=");
    sh_dec((v & 0xE0u) == 0xE0u);
    sh_puts(" low_bits_contiguous=");
    sh_dec((unimplemented & (unimplemented + 1u)) == 0u);
    sh_putc('\n');
}

static void test_fields(void)
{
    sh_line("reset.prigroup", AIRCR_PRIGROUP(SCB_AIRCR));
    sh_line_hex("reset.ipr20", NVIC_IPR8(20));
    sh_line_hex("reset.basepri", get_basepri());
    NVIC_IPR8(20) = 0xFF;
    print_field("ipr20", NVIC_IPR8(20));
    NVIC_IPR8(20) = 0xA0;
    sh_line_hex("ipr20.0xa0", NVIC_IPR8(20));
    NVIC_IPR8(20) = 0;
    set_shpr(15, 0xFF);
    print_field("shpr3.systick", SCB_SHPR3 >> 24);
    set_shpr(15, 0);
    __asm volatile("msr basepri, %0" ::"r"(0xFFu));
    print_field("basepri", get_basepri());
    set_basepri(0);
}

/* ---- preemption by group priority (PRIGROUP = 0: every priority used is its own group) ---- */

static void preempt_21(frame_t *f)
{
    (void)f;
    log_hex("irq21.iabr_20_27", BITS_20_27(NVIC_IABR));
    pend(22); /* 0x40: preempts right here */
    log_event("irq21.after_pending_22", get_ipsr());
    pend(23); /* 0x80, like 21: waits */
    log_hex("irq21.ispr_20_27", BITS_20_27(NVIC_ISPR));
    log_event("irq21.vectpending", (SCB_ICSR >> 12) & 0x1FFu);
    log_event("irq21.exit", get_ipsr());
}

static void preempt_22(frame_t *f)
{
    (void)f;
    log_hex("irq22.iabr_20_27", BITS_20_27(NVIC_IABR));
}

static void test_preemption(void)
{
    sh_puts("-- preemption, PRIGROUP=0\n");
    reset_nvic();
    NVIC_IPR8(21) = 0x80;
    NVIC_IPR8(22) = 0x40;
    NVIC_IPR8(23) = 0x80;
    irq_hook[21] = preempt_21;
    irq_hook[22] = preempt_22;
    pend(21);
    log_event("preempt.done", get_ipsr());
    log_hex("preempt.iabr_20_27", BITS_20_27(NVIC_IABR));
    log_flush();
}

/* ---- PRIGROUP: priorities 0x40 and 0x60 share a group when PRIGROUP >= 5 ---- */

static void group_21(frame_t *f)
{
    (void)f;
    pend(22);
    log_hex("irq21.ispr_20_27", BITS_20_27(NVIC_ISPR));
    log_event("irq21.exit", get_ipsr());
}

static void test_prigroup(uint32_t prigroup)
{
    sh_puts("-- PRIGROUP=");
    sh_dec(prigroup);
    sh_puts(": IRQ 22 at 0x40 pended from IRQ 21 at 0x60\n");
    reset_nvic();
    set_prigroup(prigroup);
    sh_line("aircr.prigroup", AIRCR_PRIGROUP(SCB_AIRCR));
    NVIC_IPR8(21) = 0x60;
    NVIC_IPR8(22) = 0x40;
    irq_hook[21] = group_21;
    pend(21);
    log_event("group.done", get_ipsr());
    log_flush();
    set_prigroup(0);
}

/* With several pending in the same group: the lower subpriority first, then the lower
   exception number. */
static void test_subpriority_order(void)
{
    sh_puts("-- order of pending interrupts in one group, PRIGROUP=5\n");
    reset_nvic();
    set_prigroup(5);
    NVIC_IPR8(22) = 0x60;
    NVIC_IPR8(23) = 0x40;
    NVIC_IPR8(24) = 0x60;
    irq_disable();
    NVIC_ISPR = (1u << 22) | (1u << 23) | (1u << 24);
    barrier();
    log_event("order.vectpending", (SCB_ICSR >> 12) & 0x1FFu);
    log_hex("order.ispr_20_27", BITS_20_27(NVIC_ISPR));
    irq_enable(); /* 23 (subpriority 0x00), then 22 and 24 (0x20) by number */
    log_event("order.done", get_ipsr());
    log_flush();
    set_prigroup(0);
}

/* ---- BASEPRI and BASEPRI_MAX ---- */

static void test_basepri(void)
{
    sh_puts("-- BASEPRI\n");
    reset_nvic();
    NVIC_IPR8(22) = 0x40;
    NVIC_IPR8(24) = 0x20;
    set_basepri(0x40);
    log_hex("basepri.value", get_basepri());
    pend(22); /* 0x40 is not above BASEPRI 0x40: masked */
    log_hex("basepri.ispr_after_pending_22", BITS_20_27(NVIC_ISPR));
    pend(24); /* 0x20 is: taken at once */
    log_hex("basepri.ispr_after_pending_24", BITS_20_27(NVIC_ISPR));
    set_basepri(0x60); /* masks only 0x60 and below: 22 (0x40) is taken */
    log_hex("basepri.0x60_ispr", BITS_20_27(NVIC_ISPR));
    set_basepri(0);
    log_event("basepri.done", get_ipsr());
    log_flush();

    /* BASEPRI counts by group priority too: with PRIGROUP=5, BASEPRI=0x60 boosts the
       execution priority to the group 0x40, which an interrupt at 0x40 cannot preempt. */
    sh_puts("-- BASEPRI with PRIGROUP=5\n");
    set_prigroup(5);
    set_basepri(0x60);
    pend(22);
    log_hex("basepri_group.ispr_at_0x60", BITS_20_27(NVIC_ISPR));
    set_basepri(0x80);
    log_hex("basepri_group.ispr_at_0x80", BITS_20_27(NVIC_ISPR));
    set_basepri(0);
    set_prigroup(0);
    log_flush();

    sh_puts("-- BASEPRI_MAX\n");
    set_basepri(0x80);
    set_basepri_max(0xC0); /* lower priority than 0x80: ignored */
    sh_line_hex("basepri_max.after_0xc0", get_basepri());
    set_basepri_max(0x40); /* higher: taken */
    sh_line_hex("basepri_max.after_0x40", get_basepri());
    set_basepri_max(0); /* 0 never lowers it */
    sh_line_hex("basepri_max.after_0", get_basepri());
    uint32_t via_max;
    __asm volatile("mrs %0, basepri_max" : "=r"(via_max));
    sh_line_hex("basepri_max.mrs", via_max);
    set_basepri(0);
    sh_line_hex("basepri_max.cleared", get_basepri());
}

/* ---- FAULTMASK and PRIMASK ---- */

static void set_faultmask_in_handler(frame_t *f)
{
    (void)f;
    fault_disable();
    log_event("irq24.faultmask_in_handler", get_faultmask());
}

static void test_masks(void)
{
    sh_puts("-- FAULTMASK\n");
    reset_nvic();
    NVIC_IPR8(24) = 0x00; /* the highest configurable priority */
    fault_disable();
    log_event("faultmask.value", get_faultmask());
    pend(24);
    log_hex("faultmask.ispr", BITS_20_27(NVIC_ISPR));
    fault_enable();
    log_event("faultmask.after_cpsie_f", get_faultmask());
    log_flush();
    /* Returning from any exception but NMI clears FAULTMASK (B1.5.8, DeActivate). */
    irq_hook[24] = set_faultmask_in_handler;
    pend(24);
    log_event("faultmask.after_return", get_faultmask());
    log_flush();
    irq_hook[24] = 0;

    sh_puts("-- PRIMASK\n");
    irq_disable();
    log_event("primask.value", get_primask());
    pend(24);
    log_hex("primask.ispr", BITS_20_27(NVIC_ISPR));
    log_event("primask.vectpending", (SCB_ICSR >> 12) & 0x1FFu);
    log_event("primask.isrpending", (SCB_ICSR >> 22) & 1u);
    irq_enable();
    log_event("primask.after_cpsie_i", get_primask());
    log_flush();

    sh_puts("-- STIR\n");
    NVIC_STIR = 25;
    barrier();
    log_event("stir.done", get_ipsr());
    log_flush();
}

/* ---- SVC: active bit, and an SVC inside an IT block ---- */

static volatile uint32_t svc_log_it;
static volatile uint32_t it_svc_pc, it_svc_xpsr, it_tail_pc, it_tail_xpsr, svc_pends;

uint32_t svc_main(frame_t *f, uint32_t exc_return)
{
    log_event("svc.ipsr", get_ipsr());
    log_event("svc.shcsr_svcallact", (SCB_SHCSR >> 7) & 1u);
    if (svc_log_it) {
        it_svc_pc = f->pc;
        it_svc_xpsr = f->xpsr;
    }
    if (svc_pends) {
        /* Below SVCall's priority: runs when the SVC handler returns, tail-chained, on the
           same frame. */
        NVIC_ISPR = 1u << svc_pends;
        barrier();
        log_hex("svc.ispr_20_27", BITS_20_27(NVIC_ISPR));
    }
    return exc_return;
}
FRAME_HANDLER(SVC_Handler, svc_main)

static void tail_frame(frame_t *f)
{
    it_tail_pc = f->pc;
    it_tail_xpsr = f->xpsr;
}

/* r0 = 0; then, with NE true: SVC (T), +1 (E, skipped), +2 (T), +4 (E, skipped).
   Returns r0, which must be 2. (The NOP keeps BX LR out of the block on a machine that
   returns from the SVC with the wrong ITSTATE: it shows as a wrong result instead.) */
__attribute__((naked)) static uint32_t it_block_svc(void)
{
    __asm volatile("movs r0, #0\n\t"
                   "movs r1, #1\n\t"
                   "cmp r1, #0\n\t"
                   "itete ne\n\t"
                   "svcne #5\n"
                   ".global after_it_svc\n"
                   "after_it_svc: addeq r0, #1\n\t"
                   "addne r0, #2\n\t"
                   "addeq r0, #4\n\t"
                   "nop\n\t"
                   "bx lr\n");
}

/* The same block with the interrupt pended by a store inside it: r2 = 0, then STR (pend),
   DSB, ISB, +8, all T. The interrupt is taken after the STR, the DSB or the ISB; which of
   those is up to the machine. Returns r2, which must be 8. */
__attribute__((naked)) static uint32_t it_block_irq(uint32_t ispr, uint32_t bit)
{
    (void)ispr;
    (void)bit;
    __asm volatile("movs r2, #0\n\t"
                   "movs r3, #1\n\t"
                   "cmp r3, #0\n\t"
                   "itttt ne\n\t"
                   "strne r1, [r0]\n"
                   ".global it_irq_dsb\n"
                   "it_irq_dsb: dsbne\n"
                   ".global it_irq_isb\n"
                   "it_irq_isb: isbne\n"
                   ".global it_irq_add\n"
                   "it_irq_add: addne r2, #8\n\t"
                   "mov r0, r2\n\t"
                   "bx lr\n");
}

extern const char after_it_svc[], it_irq_dsb[], it_irq_isb[], it_irq_add[];

static void print_offset(const char *name, uint32_t pc, const void *label)
{
    int32_t d = (int32_t)(pc - ((uint32_t)label & ~1u));
    sh_puts(name);
    sh_putc('=');
    sh_putc(d < 0 ? '-' : '+');
    sh_dec(d < 0 ? (uint32_t)-d : (uint32_t)d);
    sh_putc('\n');
}

static void test_it_blocks(void)
{
    sh_puts("-- SVC in an IT block\n");
    reset_nvic();
    set_shpr(11, 0x00); /* SVCall */
    NVIC_IPR8(25) = 0x80;
    irq_hook[25] = tail_frame;
    svc_log_it = 1;
    svc_pends = 25;
    uint32_t r = it_block_svc();
    svc_log_it = 0;
    svc_pends = 0;
    log_flush();
    sh_line("it_svc.result", r);
    print_offset("it_svc.stacked_pc", it_svc_pc, after_it_svc);
    sh_line_hex("it_svc.stacked_itstate", xpsr_itstate(it_svc_xpsr));
    sh_line("it_svc.stacked_t", (it_svc_xpsr >> 24) & 1u);
    /* IRQ 25 was tail-chained onto the SVC's frame: it sees the same PC and ITSTATE. */
    print_offset("it_tail.stacked_pc", it_tail_pc, after_it_svc);
    sh_line_hex("it_tail.stacked_itstate", xpsr_itstate(it_tail_xpsr));

    sh_puts("-- interrupt pended inside an IT block\n");
    it_tail_pc = 0;
    r = it_block_irq((uint32_t)&NVIC_ISPR, 1u << 25);
    log_flush();
    sh_line("it_irq.result", r);
    /* ITTTT NE has ITSTATE 0x1F at its first instruction; each one shifts IT[4:0] left. */
    uint32_t pc = it_tail_pc, it = xpsr_itstate(it_tail_xpsr), want = 0;
    if (pc == ((uint32_t)it_irq_dsb & ~1u)) want = 0x1E;
    else if (pc == ((uint32_t)it_irq_isb & ~1u)) want = 0x1C;
    else if (pc == ((uint32_t)it_irq_add & ~1u)) want = 0x18;
    sh_line("it_irq.taken_inside_block", want != 0);
    sh_line("it_irq.itstate_matches_pc", want != 0 && it == want);
    sh_line("it_irq.stacked_cond_ne", (it >> 4) == 1u);
    irq_hook[25] = 0;
}

/* ---- exclusive monitor ---- */

uint32_t excl_word = 100;
uint8_t excl_byte = 7;
uint16_t excl_half = 300;

static uint32_t ldrex_strex(volatile uint32_t *p, uint32_t add, uint32_t between)
{
    uint32_t v, status;
    __asm volatile("ldrex %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    if (between == 1) __asm volatile("clrex" ::: "memory");
    if (between == 2) __asm volatile("svc #6" ::: "r0", "r1", "r2", "r3", "r12", "lr", "memory");
    if (between == 3) pend(26);
    v += add;
    __asm volatile("strex %0, %2, [%1]" : "=&r"(status) : "r"(p), "r"(v) : "memory");
    return status;
}

static void test_exclusive(void)
{
    sh_puts("-- LDREX/STREX\n");
    reset_nvic();
    NVIC_IPR8(26) = 0x80;
    uint32_t s = ldrex_strex(&excl_word, 1, 0);
    sh_line("excl.plain_status", s);
    sh_line("excl.plain_value", excl_word);
    s = ldrex_strex(&excl_word, 1, 1);
    sh_line("excl.clrex_status", s);
    sh_line("excl.clrex_value", excl_word);
    s = ldrex_strex(&excl_word, 1, 2);
    log_flush();
    sh_line("excl.svc_between_status", s);
    sh_line("excl.svc_between_value", excl_word);
    s = ldrex_strex(&excl_word, 1, 3);
    log_flush();
    sh_line("excl.irq_between_status", s);
    sh_line("excl.irq_between_value", excl_word);
    /* No LDREX since the last STREX: the monitor is open, the store is not done. */
    uint32_t st;
    __asm volatile("strex %0, %2, [%1]" : "=&r"(st) : "r"(&excl_word), "r"(555u) : "memory");
    sh_line("excl.no_ldrex_status", st);
    sh_line("excl.no_ldrex_value", excl_word);

    uint32_t b, h;
    __asm volatile("ldrexb %0, [%1]" : "=r"(b) : "r"(&excl_byte) : "memory");
    __asm volatile("strexb %0, %2, [%1]" : "=&r"(st) : "r"(&excl_byte), "r"(b + 1u) : "memory");
    sh_line("excl.byte_status", st);
    sh_line("excl.byte_value", excl_byte);
    __asm volatile("ldrexh %0, [%1]" : "=r"(h) : "r"(&excl_half) : "memory");
    __asm volatile("strexh %0, %2, [%1]" : "=&r"(st) : "r"(&excl_half), "r"(h + 1u) : "memory");
    sh_line("excl.half_status", st);
    sh_line("excl.half_value", excl_half);
}

/* ---- SysTick ----
   The counter runs at the core clock (CLKSOURCE=1), which is a different rate on QEMU than
   on sramlab, so only facts that hold at any rate are printed: every wait is "until
   something happens, with a generous bound", and every "nothing happens" check waits far
   longer than one period would take on either machine. */

#define WAIT_BOUND 2000000u
#define QUIET_SPIN 400000u
#define CSR_RUN_IRQ (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE)
#define CSR_RUN_POLL (CSR_ENABLE | CSR_CLKSOURCE)

static volatile uint32_t ticks, tick_ipsr, tick_active;

void SysTick_Handler(void)
{
    ticks++;
    tick_ipsr = get_ipsr();
    tick_active = (SCB_SHCSR >> 11) & 1u; /* SYSTICKACT */
}

static void spin(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) __asm volatile("" ::: "memory");
}

static uint32_t wait_ticks(uint32_t target)
{
    for (uint32_t i = 0; i < WAIT_BOUND; i++) {
        if (ticks >= target) return 1;
        __asm volatile("" ::: "memory");
    }
    return ticks >= target;
}

static void systick_stop(void)
{
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    barrier();
}

static void test_systick(void)
{
    sh_puts("-- SysTick\n");
    set_shpr(15, 0x80);

    /* TICKINT: the exception fires, as exception 15, with its active bit set. */
    systick_stop();
    ticks = 0;
    SYST_RVR = 1999;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_IRQ;
    sh_line("systick.reached_3_ticks", wait_ticks(3));
    systick_stop();
    sh_line("systick.ipsr_in_handler", tick_ipsr);
    sh_line("systick.systickact_in_handler", tick_active);
    uint32_t stopped_at = ticks;
    spin(QUIET_SPIN);
    sh_line("systick.no_ticks_after_stop", ticks == stopped_at);

    /* Without TICKINT: COUNTFLAG is set by the 1 -> 0 transition, nothing is pended, and
       the read that sees COUNTFLAG clears it. Read again half a period later, when no
       further 1 -> 0 transition can have come in between. */
    ticks = 0;
    SYST_RVR = 0x1000;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_POLL;
    uint32_t seen = 0;
    for (uint32_t i = 0; i < WAIT_BOUND && !seen; i++) seen = (SYST_CSR & CSR_COUNTFLAG) != 0;
    for (uint32_t i = 0, cvr = 0; i < WAIT_BOUND && (cvr == 0 || cvr > 0x800); i++) cvr = SYST_CVR;
    uint32_t again = (SYST_CSR & CSR_COUNTFLAG) != 0;
    sh_line("poll.countflag_seen", seen);
    sh_line("poll.countflag_after_read", again);
    sh_line("poll.pendstset", (SCB_ICSR & ICSR_PENDSTSET) != 0);
    sh_line("poll.ticks", ticks);
    /* Let it wrap without reading CSR, then write CVR: that clears COUNTFLAG. */
    uint32_t wrapped = 0, prev = SYST_CVR;
    for (uint32_t i = 0; i < WAIT_BOUND && !wrapped; i++) {
        uint32_t now = SYST_CVR;
        wrapped = now > prev;
        prev = now;
    }
    SYST_CVR = 12345;
    sh_line("cvrwrite.wrapped_first", wrapped);
    sh_line("cvrwrite.countflag_after_write", (SYST_CSR & CSR_COUNTFLAG) != 0);
    systick_stop();

    /* BASEPRI at SysTick's priority holds the tick pending; lowering it lets it in. */
    ticks = 0;
    set_basepri(0x80);
    SYST_RVR = 1999;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_IRQ;
    uint32_t pending = 0;
    for (uint32_t i = 0; i < WAIT_BOUND && !pending; i++) pending = (SCB_ICSR & ICSR_PENDSTSET) != 0;
    SYST_CSR = 0; /* stopping the counter leaves the pending exception pending */
    sh_line("basepri.systick_pendstset", pending);
    sh_line("basepri.ticks_while_masked", ticks);
    set_basepri(0);
    sh_line("basepri.ticks_after_lowering", ticks);
    systick_stop();
    set_shpr(15, 0);
}

int main(void)
{
    sh_puts("priorities: start\n");
    sh_line_hex("cpuid.partno", (SCB_CPUID >> 4) & 0xFFFu);
    test_fields();
    test_preemption();
    test_prigroup(4);
    test_prigroup(5);
    test_subpriority_order();
    test_basepri();
    test_masks();
    test_it_blocks();
    test_exclusive();
    test_systick();
    sh_puts("priorities: done\n");
    return 0;
}
