// sramlab demo: the bundled free-list workload on an emulated Cortex-M0, every access trapped.

import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command } from 'commander';
import { Machine } from '../emulator/machine.ts';
import { type Ctx, EXAMPLES, loadInto, profileFrom } from './common.ts';
import { type Io, println } from './io.ts';

function demo(io: Io): number {
  const say = (line: string) => println(io, line);
  const elf = fileURLToPath(new URL('../bench/firmware/freelist-m0.elf', import.meta.url));
  say(chalk.bold('sramlab demo: a free-list allocator workload, real Thumb code on an emulated Cortex-M0'));
  const m = new Machine(profileFrom({ mcu: 'cortex-m0' }));
  loadInto(m, elf);
  m.semihosting = true;
  let loads = 0, stores = 0;
  m.addChecker((_pc, _a, _s, kind) => { if (kind === 'load') loads++; else stores++; });
  m.reset();
  const t0 = performance.now();
  const r = m.run({ maxCycles: 5e9 });
  const secs = (performance.now() - t0) / 1000;
  say(`stopped: ${r.stop}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`);
  say(`${r.instructions.toLocaleString('en')} instructions, ${r.cycles.toLocaleString('en')} cycles, ` +
    `${loads.toLocaleString('en')} loads and ${stores.toLocaleString('en')} stores trapped`);
  say(`${(r.instructions / secs / 1e6).toFixed(1)} MIPS on this host`);
  return r.stop === 'exit' ? r.exitCode ?? 0 : 1;
}

export function demoCommand(ctx: Ctx): Command {
  return new Command('demo')
    .description('Run a bundled allocator workload on an emulated Cortex-M0 and show what was trapped.')
    .addHelpText('after', EXAMPLES(['sramlab demo']))
    .action(() => { ctx.status = demo(ctx.io); });
}
