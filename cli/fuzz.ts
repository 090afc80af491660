// sramlab fuzz: random sequences with every check on, shrunk to a replayable one on failure.

import chalk from 'chalk';
import { Command } from 'commander';
import { decode, execute, fuzz, type FuzzResult } from '../scenarios/fuzz.ts';
import { ALLOCATORS } from '../scenarios/image.ts';
import { DEFAULT_HEAP } from '../scenarios/index.ts';
import { EXAMPLES, listOption, mcuOption, parseCount, parseDuration, parseSize, profileFrom, setExitStatus, showProgress, UsageError } from './common.ts';

interface FuzzCliOptions { alloc: string; mcu: string; time: number; seed: number; heap?: number; replay?: string; json?: boolean; quiet?: boolean }

function fuzzCmd(opts: FuzzCliOptions): number {
  profileFrom(opts);
  listOption(opts.alloc, ALLOCATORS.map((a) => a.name), 'allocator');
  const target = { allocator: opts.alloc, mcu: opts.mcu, heap: opts.heap ?? DEFAULT_HEAP };
  if (opts.replay !== undefined) {
    let ops;
    try { ops = decode(opts.replay); } catch (e) { throw new UsageError(`--replay: ${(e as Error).message}`); }
    const v = execute(target, ops);
    if (opts.json) process.stdout.write(JSON.stringify({ schema: 'sramlab.fuzz-replay/1', ...target, operations: ops.length, violation: v }, null, 2) + '\n');
    else if (v) console.log(`${chalk.red('FAIL')} rule ${chalk.bold(v.rule)} at operation ${v.operation}: ${v.message}`);
    else console.log(`${chalk.green('PASS')} ${ops.length} operations, every check held`);
    return v ? 1 : 0;
  }
  const tty = showProgress(opts);
  const t0 = performance.now();
  const r: FuzzResult = fuzz(target, opts.seed, opts.time, tty ? (n) => {
    if (n % 10 === 0) process.stderr.write(`\r${n} sequences, ${((performance.now() - t0) / 1000).toFixed(0)} s of ${opts.time} s`);
  } : undefined);
  if (tty) process.stderr.write('\r' + ' '.repeat(50) + '\r');
  if (opts.json) {
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  } else if (r.violation) {
    console.log(`${chalk.red('FAIL')} ${r.allocator} on ${r.mcu}: rule ${chalk.bold(r.violation.rule)} after ${r.sequences} sequences`);
    console.log(`  ${r.violation.message}`);
    console.log(`  minimal sequence (${r.minimal!.split(',').length} ops): ${r.minimal}`);
    console.log(`  replay: ${r.replay}`);
  } else {
    console.log(`${chalk.green('PASS')} ${r.allocator} on ${r.mcu}: ${r.sequences} sequences, ${r.operations} operations, every check held`);
  }
  return r.violation ? 1 : 0;
}

export function fuzzCommand(): Command {
  return new Command('fuzz')
    .description('Random operation sequences with every check on; a failure is shrunk to a minimal sequence you can replay.')
    .requiredOption('--alloc <allocator>', `allocator: ${ALLOCATORS.map((a) => a.name).join(', ')}`)
    .addOption(mcuOption())
    .option('--time <duration>', 'how long to search (30s, 2m, …)', parseDuration, 30)
    .option('--seed <n>', 'seed of the search', (v) => parseCount(v), 1)
    .option('--heap <size>', 'heap bytes given to sl_init (default 16K)', parseSize)
    .option('--replay <ops>', "run one sequence again, as printed: 'a24:8,a100:4,f0,r1:300'")
    .option('--json', 'print the result as JSON (schema sramlab.fuzz/1)')
    .option('--quiet', 'no progress line')
    .addHelpText('after', EXAMPLES(['sramlab fuzz --alloc emballoc --mcu cortex-m0 --time 30s', "sramlab fuzz --alloc chunk --replay 'a900:4,r0:150,f0'"]) +
      '\nOps: aSIZE:ALIGN allocates; fN frees the block op N allocated; rN:SIZE reallocs it.\n')
    .action((opts: FuzzCliOptions) => { setExitStatus(fuzzCmd(opts)); });
}
