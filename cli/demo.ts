// sramlab demo: the bundled free-list workload on an emulated Cortex-M0, every access trapped.

import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command } from 'commander';
import { Machine } from '../emulator/machine.ts';
import { EXAMPLES, loadInto, profileFrom, setExitStatus } from './common.ts';

function demo(): number {
  const elf = fileURLToPath(new URL('../bench/firmware/freelist-m0.elf', import.meta.url));
  console.log(chalk.bold('sramlab demo: a free-list allocator workload, real Thumb code on an emulated Cortex-M0'));
  const m = new Machine(profileFrom({ mcu: 'cortex-m0' }));
  loadInto(m, elf);
  m.semihosting = true;
  let loads = 0, stores = 0;
  m.addChecker((_pc, _a, _s, kind) => { if (kind === 'load') loads++; else stores++; });
  m.reset();
  const t0 = performance.now();
  const r = m.run({ maxCycles: 5e9 });
  const secs = (performance.now() - t0) / 1000;
  console.log(`stopped: ${r.stop}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}`);
  console.log(`${r.instructions.toLocaleString('en')} instructions, ${r.cycles.toLocaleString('en')} cycles, ` +
    `${loads.toLocaleString('en')} loads and ${stores.toLocaleString('en')} stores trapped`);
  console.log(`${(r.instructions / secs / 1e6).toFixed(1)} MIPS on this host`);
  return r.stop === 'exit' ? r.exitCode ?? 0 : 1;
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('Run a bundled allocator workload on an emulated Cortex-M0 and show what was trapped.')
    .addHelpText('after', EXAMPLES(['sramlab demo']))
    .action(() => { setExitStatus(demo()); });
}
