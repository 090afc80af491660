// What each program of the hostile corpus must end in on each profile (from the comment at the
// top of its source, which cites the ARM ARM), shared by tests/hostile.test.ts (in-process, in
// `npm test`) and tests/long/hostile-cli.test.ts (every image through the binary).

export const MCUS = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'] as const;
export type Mcu = (typeof MCUS)[number];
export const V7 = (mcu: Mcu) => mcu === 'cortex-m3' || mcu === 'cortex-m4';

/** status, and what stderr's one line must say. */
export type Expect = [number, RegExp];
const BUDGET: Expect = [1, /did not exit within 200000 cycles/];
const semihostingFault = (op: string, what: RegExp): Expect => [
  1,
  new RegExp(`^sramlab: semihosting at pc 0x[0-9a-f]{8} .*\\(bkpt #171\\): ${op}: ${what.source}`),
];

/** Program → what it must end in on a profile (from the comment at the top of each source). */
export const PROGRAMS: Record<string, (mcu: Mcu) => Expect> = {
  'sh-writec': () => semihostingFault('SYS_WRITEC', /the character at 0x60000000 \(unmapped\) is not in flash or SRAM/),
  'sh-write0': () => semihostingFault('SYS_WRITE0', /the string at 0x60000000 \(unmapped\) is not in flash or SRAM/),
  'sh-write0-runoff': (mcu) =>
    semihostingFault('SYS_WRITE0', new RegExp(`the string at 0x[0-9a-f]{8} has no NUL before the end of sram at 0x${sramEnd(mcu)}`)),
  'sh-write': () => semihostingFault('SYS_WRITE', /the 5-byte buffer at 0x60000000 \(unmapped\) is not in flash or SRAM/),
  'sh-exit-extended': () => semihostingFault('SYS_EXIT_EXTENDED', /the argument block \{reason, status\} at 0x60000000/),
  'vtor-unmapped': (mcu) =>
    mcu === 'cortex-m0' ? [3, /^$/] : [1, /^sramlab: lockup: .*vector 3 \(HardFault\) could not be read at 0x3000000c/],
  'vtor-irq-partial': (mcu) => (mcu === 'cortex-m0' ? [4, /^$/] : [3, /^$/]),
  'stacking-unmapped': () => [1, /^sramlab: lockup: .*stacking for exception 3 \(HardFault\) faulted/],
  'handler-stack-overflow': () => [1, /^sramlab: lockup: .*stacking for exception 3 \(HardFault\) faulted/],
  'fault-in-hardfault': () => [1, /^sramlab: lockup: .*word load from unmapped memory at 0x30000000/],
  'fault-in-nmi': () => [1, /^sramlab: lockup: .*UDF #0/],
  'endless-loop': () => BUDGET,
  'exception-storm': () => BUDGET,
  'sleep-forever': () => [1, /went to sleep \(WFI\/WFE\) with nothing left that could wake it/],
  'bad-exc-return': () => [3, /^$/],
  'scs-scribble': (mcu) => (mcu === 'cortex-m0' ? [5, /^$/] : [1, /^sramlab: lockup: .*vector 2 \(NMI\) could not be read at 0xffffff88/]),
};

/** Misdeed → what the first failed scenario's report must name (exit 1 on every profile). */
export const MISDEEDS: Record<string, (mcu: Mcu) => RegExp> = {
  semihost: () => /BKPT #171 with no debugger attached/,
  vtor: () => /UDF #0/,
  // The Cortex-M0 has no VTOR: its NMI vector is read from address 8 (allocator code) and sent
  // somewhere unmapped.
  nmi: (mcu) => (mcu === 'cortex-m0' ? /fetch from unmapped memory/ : /vector 2 \(NMI\) could not be read at 0x30000008/),
  // AIRCR.SYSRESETREQ halts the machine; the call never returns.
  // Arguments print in decimal, or in hex where they are huge (contract-edges' 0x7fffffff).
  reset: () => /sl_alloc\((?:0x[0-9a-f]+|\d+), (?:0x[0-9a-f]+|\d+)\) did not return/,
  recurse: () => /below the stack limit/,
  loop: () => /did not return: still running after 10000000 cycles/,
  // The tick is taken during a later call through address 0x3C, which holds allocator code.
  systick: () => /sl_(alloc|realloc)\(.*\) did not return: .*fetch from/,
  scs: (mcu) => (mcu === 'cortex-m0' ? /fetch from unmapped memory/ : /vector 2 \(NMI\) could not be read at 0xffffff88/),
};

function sramEnd(mcu: Mcu): string {
  return { 'cortex-m0': '20008000', 'cortex-m0plus': '20008000', 'cortex-m3': '20010000', 'cortex-m4': '20020000' }[mcu];
}
