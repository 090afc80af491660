#include "semihost.h"

#define SYS_WRITEC 0x03u
#define SYS_WRITE0 0x04u
#define SYS_EXIT 0x18u
#define SYS_EXIT_EXTENDED 0x20u
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

static uint32_t semihost(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    /* "memory": the host reads the buffer r1 points at. */
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_putc(char c) { semihost(SYS_WRITEC, &c); }

void sh_puts(const char *s) { semihost(SYS_WRITE0, s); }

void sh_hex(uint32_t v)
{
    char buf[9];
    for (int i = 7; i >= 0; i--) {
        buf[i] = "0123456789abcdef"[v & 0xf];
        v >>= 4;
    }
    buf[8] = 0;
    sh_puts(buf);
}

void sh_dec(uint32_t v)
{
    static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u,
                                     100000u,     10000u,     1000u,     100u,
                                     10u,         1u};
    char buf[11];
    int n = 0;
    for (unsigned i = 0; i < sizeof pow10 / sizeof pow10[0]; i++) {
        char d = '0';
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d != '0' || n > 0 || i == 9) buf[n++] = d;
    }
    buf[n] = 0;
    sh_puts(buf);
}

void sh_line(const char *label, uint32_t v)
{
    sh_puts(label);
    sh_putc('=');
    sh_dec(v);
    sh_putc('\n');
}

void sh_line_hex(const char *label, uint32_t v)
{
    sh_puts(label);
    sh_putc('=');
    sh_hex(v);
    sh_putc('\n');
}

void sh_exit(uint32_t status)
{
    if (status == 0) {
        /* On AArch32, SYS_EXIT takes the reason code itself in r1. */
        semihost(SYS_EXIT, (const void *)ADP_STOPPED_APPLICATION_EXIT);
    } else {
        /* SYS_EXIT_EXTENDED takes a pointer to {reason, status}. */
        static uint32_t block[2];
        block[0] = ADP_STOPPED_APPLICATION_EXIT;
        block[1] = status;
        semihost(SYS_EXIT_EXTENDED, block);
    }
    for (;;) {
    }
}
