// sramlab run: one scenario on one allocator image, every check on.

import chalk from 'chalk';
import { Command } from 'commander';
import { ALLOCATORS, ImageError } from '../scenarios/image.ts';
import { runScenario, SCENARIOS, type ScenarioResult } from '../scenarios/index.ts';
import { EXAMPLES, mcuOption, parseCount, parseSize, profileFrom, setExitStatus, UsageError } from './common.ts';

interface RunOptions { alloc: string; mcu: string; seed: number; ops: number; heap?: number; json?: boolean }

function run(name: string, opts: RunOptions): number {
  profileFrom(opts);
  let r: ScenarioResult;
  try {
    r = runScenario(name, opts.alloc, opts.mcu, { seed: opts.seed, ops: opts.ops, heap: opts.heap });
  } catch (e) {
    if (e instanceof ImageError || /^unknown scenario|does not fit/.test((e as Error).message)) throw new UsageError((e as Error).message);
    throw e;
  }
  if (opts.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  } else {
    const head = `${r.scenario} · ${r.allocator} on ${r.mcu} · heap ${r.heap} B · seed ${r.seed}`;
    if (r.ok) {
      console.log(`${chalk.green('PASS')} ${head}: ${r.operations} operations, every check held`);
    } else {
      const v = r.violation!;
      console.log(`${chalk.red('FAIL')} ${head}`);
      console.log(`  rule ${chalk.bold(v.rule)} broken at operation ${v.operation}${v.kind ? ` (${v.kind})` : ''}: ${v.message}`);
      const where = [v.pc !== undefined ? `pc 0x${v.pc.toString(16).padStart(8, '0')}` : '', v.symbol, v.source].filter(Boolean).join(' ');
      if (where) console.log(`  at ${where}`);
      console.log(`  replay: ${r.replay}`);
    }
    for (const k of ['alloc', 'dealloc', 'realloc'] as const) {
      const c = r.stats[k].cycles;
      if (c.count) console.log(`  ${k.padEnd(8)} cycles min ${c.min}  median ${c.median}  p99 ${c.p99}  max ${c.max}  (${c.count} calls)`);
    }
    console.log(`  peak allocator stack ${r.peakStackBytes} bytes; allocator code ${r.footprint.flashBytes} bytes of flash, state ${r.footprint.ramBytes} bytes of RAM`);
    if (r.utilisationAtFirstFailure !== null) console.log(`  heap utilisation at the first failed allocation ${(100 * r.utilisationAtFirstFailure).toFixed(1)} %`);
    if (r.largestBlockAfter !== null) console.log(`  largest allocatable block after the workload ${r.largestBlockAfter} bytes`);
  }
  return r.ok ? 0 : 1;
}

export function runCommand(): Command {
  return new Command('run')
    .description('Run one scenario on one allocator image with every check on.')
    .argument('<scenario>', `scenario: ${SCENARIOS.map((x) => x.name).join(', ')}`)
    .requiredOption('--alloc <allocator>', `allocator: ${ALLOCATORS.map((a) => a.name).join(', ')}`)
    .addOption(mcuOption())
    .option('--seed <n>', 'seed of the workload', (v) => parseCount(v), 1)
    .option('--ops <n>', 'operations (for scenarios that take a count)', (v) => parseCount(v), 1000)
    .option('--heap <size>', 'heap bytes given to sl_init (default 16K, or the whole heap region if smaller)', parseSize)
    .option('--json', 'print the result as JSON (schema sramlab.run/1)')
    .addHelpText('after', EXAMPLES(['sramlab run smoke --alloc galloc --mcu cortex-m0', 'sramlab run smoke --alloc chunk --mcu cortex-m3 --json']) +
      '\nExit status: 0 every check held, 1 a check failed, 2 bad input.\n')
    .action((name: string, opts: RunOptions) => { setExitStatus(run(name, opts)); });
}
