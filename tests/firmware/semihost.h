/* Output and exit through ARM semihosting (BKPT 0xAB), understood by QEMU with
   -semihosting-config enable=on and by sramlab's machine with semihosting on. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdint.h>

void sh_putc(char c);
void sh_puts(const char *s);              /* no newline added */
void sh_hex(uint32_t v);                  /* 8 hex digits */
void sh_dec(uint32_t v);                  /* decimal, no division (ARMv6-M has none) */
void sh_line(const char *label, uint32_t v);      /* "label=<dec>\n" */
void sh_line_hex(const char *label, uint32_t v);  /* "label=<hex>\n" */
__attribute__((noreturn)) void sh_exit(uint32_t status);

#endif
