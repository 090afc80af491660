// `npm run bench:two-core`: schedules per second of the two-core explorer (explore/two-core.ts),
// each schedule run to the end with every check on: the SIO-spinlock arena on the rp2040 and
// the LDREX/STREX arena on dual-cortex-m3 at the default bounds (2 preemptions), and the galloc
// port at 1 preemption on dual-cortex-m3 (a 160-instruction call). One warm-up run first.

import { join } from 'node:path';
import { exploreTwoCore, type TwoCoreOptions } from '../explore/two-core.ts';

const dir = join(import.meta.dirname, '..', 'tests', 'two-core-allocators');
const cases: [string, string, TwoCoreOptions][] = [
  ['arena-sio on rp2040', join(dir, 'arena-sio-m0plus.elf'), { mcu: 'rp2040' }],
  ['arena-ldrex on dual-cortex-m3', join(dir, 'arena-ldrex-m3.elf'), { mcu: 'dual-cortex-m3' }],
  ['galloc on dual-cortex-m3, 1 preemption', 'galloc', { mcu: 'dual-cortex-m3', preemptions: 1 }],
];
exploreTwoCore(cases[0][1], cases[0][2]);
let schedules = 0,
  seconds = 0;
for (const [name, allocator, opts] of cases) {
  const r = exploreTwoCore(allocator, opts);
  schedules += r.schedules;
  seconds += r.seconds;
  console.log(
    `${name}: ${r.schedules.toLocaleString('en')} schedules in ${r.seconds.toFixed(2)} s (${Math.round(r.schedules / r.seconds).toLocaleString('en')}/s): ${r.verdict}`,
  );
}
console.log(
  `two-core explorer: ${Math.round(schedules / seconds).toLocaleString('en')} schedules/s (${schedules.toLocaleString('en')} in ${seconds.toFixed(2)} s, every check on)`,
);
