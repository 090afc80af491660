/*
 * The checked-speed anchor of `npm run bench` (bench/mips.ts): Unicorn running the benchmark's
 * bench_main with a native C memory hook on every load and store, doing the range checks that
 * sramlab's containment checker does (heap, allocator state, code for loads, live stack). The
 * bench builds this with gcc against libunicorn-dev when both are present.
 *
 *   unicorn-hooks <flash.bin> <model: m0|m3> <flash size> <sram size> <entry> <sp>
 *                 <heap start> <heap end> <state start> <state end> <code start> <code end>
 *                 <stack top> <hooks: 0|1>
 *
 * Prints one JSON line: {"seconds":…,"r0":…,"violations":…}. Exit status 1 if bench_main did
 * not return.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#define SRAM_BASE 0x20000000u
/* LR at entry: reaching it means bench_main returned (uc_emu_start stops there). */
#define RETURN_TRAP 0xdeadbeeeu

struct layout {
  uint32_t heap_start, heap_end, state_start, state_end, code_start, code_end, stack_top;
  uint64_t violations;
};

/* The containment rule (checks/checkers.ts) for code that is all allocator code. */
static void on_access(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user) {
  struct layout *l = user;
  uint32_t a = (uint32_t)address, end = a + (uint32_t)size;
  (void)value;
  if (a >= l->heap_start && end <= l->heap_end) return;
  if (type == UC_MEM_READ && a - l->code_start < l->code_end - l->code_start) return;
  if (a >= l->state_start && end <= l->state_end) return;
  uint32_t sp;
  uc_reg_read(uc, UC_ARM_REG_SP, &sp);
  /* Unicorn (QEMU) writes SP back after a PUSH's or STMDB's stores, so the hook sees those 1..9
     words below the SP register; sramlab moves SP first. Allow that much below it. */
  if (a >= sp - 36 && end <= l->stack_top) return;
  l->violations++;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user) {
  (void)intno;
  (void)user;
  uc_emu_stop(uc);
}

static uint32_t arg(char **argv, int k) { return (uint32_t)strtoul(argv[k], NULL, 0); }

int main(int argc, char **argv) {
  if (argc != 15) {
    fprintf(stderr, "usage: unicorn-hooks flash.bin m0|m3 flash-size sram-size entry sp heap-start heap-end state-start state-end code-start code-end stack-top hooks\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  uint32_t flash_size = arg(argv, 3), sram_size = arg(argv, 4);
  uint8_t *flash = calloc(1, flash_size);
  size_t n = fread(flash, 1, flash_size, f);
  fclose(f);
  struct layout l = {arg(argv, 7), arg(argv, 8), arg(argv, 9), arg(argv, 10), arg(argv, 11), arg(argv, 12), arg(argv, 13), 0};
  uc_engine *uc;
  uc_err err = uc_open(UC_ARCH_ARM, UC_MODE_THUMB, &uc);
  if (err) {
    fprintf(stderr, "uc_open: %s\n", uc_strerror(err));
    return 2;
  }
  uc_ctl_set_cpu_model(uc, strcmp(argv[2], "m0") == 0 ? UC_CPU_ARM_CORTEX_M0 : UC_CPU_ARM_CORTEX_M3);
  uc_mem_map(uc, 0, flash_size, UC_PROT_READ | UC_PROT_EXEC);
  uc_mem_map(uc, SRAM_BASE, sram_size, UC_PROT_ALL);
  uc_mem_write(uc, 0, flash, n);
  uc_hook h1, h2;
  if (arg(argv, 14)) uc_hook_add(uc, &h1, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_access, &l, 1, 0);
  uc_hook_add(uc, &h2, UC_HOOK_INTR, (void *)on_interrupt, NULL, 1, 0);
  uint32_t sp = arg(argv, 6), lr = RETURN_TRAP | 1, entry = arg(argv, 5);
  uc_reg_write(uc, UC_ARM_REG_SP, &sp);
  uc_reg_write(uc, UC_ARM_REG_LR, &lr);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  err = uc_emu_start(uc, entry | 1, RETURN_TRAP, 0, 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  uint32_t pc, r0;
  uc_reg_read(uc, UC_ARM_REG_PC, &pc);
  uc_reg_read(uc, UC_ARM_REG_R0, &r0);
  if ((pc & ~1u) != (RETURN_TRAP & ~1u)) {
    fprintf(stderr, "bench_main did not return: pc 0x%08" PRIx32 " (%s)\n", pc, uc_strerror(err));
    return 1;
  }
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"seconds\":%.6f,\"r0\":%" PRIu32 ",\"violations\":%" PRIu64 "}\n", secs, r0, l.violations);
  uc_close(uc);
  return 0;
}
