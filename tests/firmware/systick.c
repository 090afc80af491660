/* SysTick as the ARMv6-M ARM defines it, through the register write orders real code uses.
   The counter runs at the core clock (CLKSOURCE=1), which is a different rate on QEMU's
   micro:bit than on sramlab, so only facts that hold at any rate are printed: every wait
   is "until something happens, with a generous bound", and every "nothing happens" check
   waits far longer than one period would take at either rate.

   Left out: arduino-pico's order (CSR=7 while RVR is still 0, then RVR=n). By the ARM the
   counter reloads on every clock while it is 0, so it picks up n and fires; QEMU 7.2 stops
   its timer instead ("Timer with delta zero, disabling") and never fires. */
#include "cm0.h"
#include "semihost.h"

#define CSR_RUN_IRQ (CSR_ENABLE | CSR_TICKINT | CSR_CLKSOURCE)
#define CSR_RUN_POLL (CSR_ENABLE | CSR_CLKSOURCE)
#define ICSR_PENDSTCLR (1u << 25)

/* Bound of every wait for an event: far above what the periods below need on either
   machine (QEMU without -icount runs it in about a millisecond), yet below the 2^24
   clocks a counter that failed to reload would take. Waits end early when the event comes. */
#define WAIT_BOUND 2000000u
/* Length of every "nothing happens" spin: several periods of RVR=1999 on both machines. */
#define QUIET_SPIN 400000u

static volatile uint32_t ticks;
static volatile uint32_t tick_ipsr;
static volatile uint32_t tick_rewrites_cvr; /* Zephyr style: reprogram from inside the ISR */

void SysTick_Handler(void)
{
    ticks++;
    tick_ipsr = get_ipsr();
    if (tick_rewrites_cvr) {
        (void)SYST_CSR; /* clears COUNTFLAG, as Zephyr's ISR does */
        SYST_RVR = 1999;
        SYST_CVR = 0;
    }
}

/* Spins until `ticks` reaches target or the bound runs out; returns whether it got there. */
static uint32_t wait_ticks(uint32_t target)
{
    for (uint32_t i = 0; i < WAIT_BOUND; i++) {
        if (ticks >= target) return 1;
        __asm volatile("" ::: "memory");
    }
    return ticks >= target;
}

static void spin(uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) __asm volatile("" ::: "memory");
}

/* Stops the counter and drops a SysTick that might still be pending. */
static void systick_stop(void)
{
    SYST_CSR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;
    barrier();
}

static void test_disabled(void)
{
    systick_stop();
    ticks = 0;
    SYST_RVR = 100;
    SYST_CVR = 0;
    SYST_CSR = CSR_TICKINT | CSR_CLKSOURCE; /* everything but ENABLE */
    uint32_t cvr0 = SYST_CVR;
    spin(QUIET_SPIN);
    sh_line("disabled.ticks", ticks);
    sh_line("disabled.cvr_unchanged", SYST_CVR == cvr0);
    sh_line("disabled.countflag", (SYST_CSR & CSR_COUNTFLAG) != 0);
    systick_stop();
}

static void test_countflag(void)
{
    systick_stop();
    SYST_RVR = 0x1000;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_POLL;
    sh_line("poll.cvr_le_rvr", SYST_CVR <= 0x1000);
    /* The read that sees COUNTFLAG set also clears it: read again half a period later,
       when no 1->0 transition can have come in between. (Not right away: QEMU with -icount
       can deliver the wrap's timer callback a few instructions late.) */
    uint32_t seen = 0;
    for (uint32_t i = 0; i < WAIT_BOUND && !seen; i++) seen = (SYST_CSR & CSR_COUNTFLAG) != 0;
    for (uint32_t i = 0, cvr = 0; i < WAIT_BOUND && (cvr == 0 || cvr > 0x800); i++) cvr = SYST_CVR;
    uint32_t again = (SYST_CSR & CSR_COUNTFLAG) != 0;
    sh_line("poll.countflag_seen", seen);
    sh_line("poll.countflag_after_read", again);

    /* Let it wrap without reading CSR (CVR jumps up at the reload), then write CVR:
       that clears both the counter and COUNTFLAG, and the reload that follows does not
       set COUNTFLAG again. */
    uint32_t wrapped = 0, prev = SYST_CVR;
    for (uint32_t i = 0; i < WAIT_BOUND && !wrapped; i++) {
        uint32_t now = SYST_CVR;
        wrapped = now > prev;
        prev = now;
    }
    SYST_CVR = 12345;
    uint32_t flag_after_write = (SYST_CSR & CSR_COUNTFLAG) != 0;
    uint32_t cvr_after_write = SYST_CVR;
    spin(20);
    uint32_t flag_soon_after = (SYST_CSR & CSR_COUNTFLAG) != 0;
    sh_line("cvrwrite.wrapped_first", wrapped);
    sh_line("cvrwrite.countflag_after_write", flag_after_write);
    sh_line("cvrwrite.cvr_le_rvr", cvr_after_write <= 0x1000);
    sh_line("cvrwrite.countflag_soon_after", flag_soon_after);
    systick_stop();
}

static void test_rvr_zero(void)
{
    systick_stop();
    ticks = 0;
    SYST_RVR = 0;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_IRQ;
    spin(QUIET_SPIN);
    sh_line("rvr0.ticks", ticks);
    sh_line("rvr0.countflag", (SYST_CSR & CSR_COUNTFLAG) != 0);
    systick_stop();
}

/* FreeRTOS's vPortSetupTimerInterrupt: stop, clear the counter, set the reload, start. */
static void test_freertos_order(void)
{
    systick_stop();
    ticks = 0;
    SYST_CSR = 0;
    SYST_CVR = 0;
    SYST_RVR = 1999;
    SYST_CSR = CSR_RUN_IRQ;
    sh_line("freertos.reached_3_ticks", wait_ticks(3));
    sh_line("freertos.ipsr_in_handler", tick_ipsr);
    systick_stop();
    uint32_t stopped_at = ticks;
    spin(QUIET_SPIN);
    sh_line("freertos.no_ticks_after_stop", ticks == stopped_at);
}

/* Zephyr: the ISR reads CSR and rewrites RVR and CVR on every tick. */
static void test_zephyr_order(void)
{
    systick_stop();
    ticks = 0;
    tick_rewrites_cvr = 1;
    SYST_RVR = 1999;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_IRQ;
    sh_line("zephyr.reached_3_ticks", wait_ticks(3));
    systick_stop();
    tick_rewrites_cvr = 0;
}

/* Masked by PRIMASK, the tick stays pending and is taken on CPSIE. */
static void test_pending_under_primask(void)
{
    systick_stop();
    ticks = 0;
    irq_disable();
    SYST_RVR = 1999;
    SYST_CVR = 0;
    SYST_CSR = CSR_RUN_IRQ;
    uint32_t pending = 0;
    for (uint32_t i = 0; i < WAIT_BOUND && !pending; i++) pending = (SCB_ICSR & (1u << 26)) != 0;
    SYST_CSR = 0; /* stopping the counter leaves the pending exception pending */
    sh_line("masked.pendstset", pending);
    sh_line("masked.ticks_before_cpsie", ticks);
    irq_enable();
    sh_line("masked.ticks_after_cpsie", ticks);
    systick_stop();
}

int main(void)
{
    sh_puts("systick: start\n");
    test_disabled();
    test_countflag();
    test_rvr_zero();
    test_freertos_order();
    test_zephyr_order();
    test_pending_under_primask();
    sh_puts("systick: done\n");
    return 0;
}
