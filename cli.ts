// The sramlab command line. Exit codes: 0 all good (or the firmware's own exit status for
// `exec`), 1 a check failed or the firmware did not finish, 2 bad input (flags, ELF, MCU).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ElfError } from './emulator/elf.ts';
import type { FaultReport } from './emulator/fault.ts';
import { Machine, type RunResult } from './emulator/machine.ts';
import { getProfile, PROFILES, type ProfileOverrides } from './emulator/profiles.ts';
import { footprint } from './firmware/footprint.ts';
import { ALLOCATORS, ImageError, imagePath } from './scenarios/image.ts';
import { compare, jobsOf, type CompareReport } from './scenarios/compare.ts';
import { decode, execute, fuzz, type FuzzResult } from './scenarios/fuzz.ts';
import { DEFAULT_HEAP, runScenario, SCENARIOS, type ScenarioResult } from './scenarios/index.ts';

/** Bad input: reported in one line, exit status 2. */
class UsageError extends Error {}

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
if (!useColor) chalk.level = 0;

const EXAMPLES = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

function parseCount(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(value.replace(/_/g, ''));
  if (!m) throw new InvalidArgumentError(`'${value}' is not a count (try 1000000 or 1M)`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * scale);
}

function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a duration (try 30s, 2m or 500ms)`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[(m[2] ?? 's') as 'ms' | 's' | 'm'];
}

function parseSize(value: string): number {
  const m = /^(\d+)([kKmM]?)(i?[bB])?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a size (try 32768, 32K or 32KiB)`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase() as '' | 'k' | 'm'];
}

const mcuOption = (): Option =>
  new Option('--mcu <profile>', `MCU profile: ${Object.keys(PROFILES).join(', ')}`).default('cortex-m0');

function profileFrom(opts: { mcu: string; flash?: number; sram?: number; clock?: number }) {
  const overrides: ProfileOverrides = { flashSize: opts.flash, sramSize: opts.sram, clockHz: opts.clock };
  try {
    return getProfile(opts.mcu, overrides);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function readElf(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read '${path}': ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

function loadInto(m: Machine, path: string): void {
  try {
    m.loadElf(readElf(path));
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

export function formatFault(f: FaultReport): string {
  const where = [f.symbol, f.source].filter(Boolean).join(' ');
  const insn = f.disassembly ? ` (${f.disassembly})` : '';
  return `${f.kind} at pc 0x${f.pc.toString(16).padStart(8, '0')}${where ? ` [${where}]` : ''}${insn}: ${f.message}`;
}

// ---- exec ------------------------------------------------------------------------------------

interface ExecOptions { mcu: string; maxCycles: number; json?: boolean; flash?: number; sram?: number; clock?: number }

function exec(elfPath: string, opts: ExecOptions): number {
  const m = new Machine(profileFrom(opts));
  loadInto(m, elfPath);
  let output = '';
  m.semihosting = true;
  m.cpu.faultMode = 'vector';
  if (opts.json) m.onOutput = (t) => { output += t; };
  m.reset();
  const r = m.run({ maxCycles: opts.maxCycles });
  if (opts.json) {
    process.stdout.write(JSON.stringify({
      elf: elfPath, mcu: m.profile.name, stop: r.stop, exitCode: r.exitCode ?? null,
      cycles: r.cycles, instructions: r.instructions, output, faults: r.faults,
    }, null, 2) + '\n');
  } else {
    const line = stopLine(r, opts.maxCycles);
    if (line) process.stderr.write(chalk.red(`sramlab: ${line}`) + '\n');
  }
  if (r.stop === 'exit') return r.exitCode ?? 0;
  return 1;
}

function stopLine(r: RunResult, budget: number): string | null {
  switch (r.stop) {
    case 'exit': return null;
    case 'budget': return `the firmware did not exit within ${budget} cycles (raise --max-cycles)`;
    case 'lockup': return `lockup: ${r.faults.map(formatFault).join('; ')}`;
    case 'fault': return formatFault(r.fault!);
    case 'sleep': return 'the core went to sleep (WFI/WFE) with nothing left that could wake it';
    case 'halt': return 'the firmware requested a system reset (AIRCR.SYSRESETREQ)';
    case 'returned': return 'the firmware returned from its reset handler';
  }
}

// ---- list ------------------------------------------------------------------------------------

function list(opts: { json?: boolean }): number {
  const profiles = Object.values(PROFILES).map((p) => ({
    name: p.name, arch: p.arch, summary: p.summary, flashSize: p.flashSize, sramSize: p.sramSize, clockHz: p.clockHz,
  }));
  const allocators = ALLOCATORS.map((a) => ({
    name: a.name, description: a.description,
    footprint: Object.fromEntries(profiles.map((p) => [p.name, safeFootprint(a.name, p.name)])),
  }));
  const scenarios = SCENARIOS.map((s) => ({ name: s.name, description: s.description }));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ schema: 'sramlab.list/1', profiles, allocators, scenarios }, null, 2) + '\n');
    return 0;
  }
  console.log(chalk.bold('MCU profiles'));
  for (const p of profiles) {
    console.log(`  ${chalk.cyan(p.name.padEnd(14))} ${p.arch.padEnd(5)} flash ${kib(p.flashSize)}, SRAM ${kib(p.sramSize)}, ${p.clockHz / 1e6} MHz — ${p.summary}`);
  }
  console.log(chalk.bold('\nAllocators') + chalk.dim('  (flash bytes of code / RAM bytes of state on cortex-m0)'));
  for (const a of allocators) {
    const f = a.footprint['cortex-m0'];
    const fp = f ? `${String(f.flashBytes).padStart(5)} / ${String(f.ramBytes).padStart(4)}` : '      n/a';
    console.log(`  ${chalk.cyan(a.name.padEnd(12))} ${fp}  ${a.description}`);
  }
  console.log(chalk.bold('\nScenarios'));
  for (const sc of scenarios) console.log(`  ${chalk.cyan(sc.name.padEnd(16))} ${sc.description}`);
  return 0;
}

function safeFootprint(allocator: string, profile: string): { flashBytes: number; ramBytes: number } | null {
  try {
    const f = footprint(readFileSync(imagePath(allocator, profile)));
    return { flashBytes: f.flashBytes, ramBytes: f.ramBytes };
  } catch {
    return null;
  }
}

// ---- run -------------------------------------------------------------------------------------

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

const kib = (n: number): string => `${n / 1024} KiB`;

// ---- compare ---------------------------------------------------------------------------------

interface CompareCliOptions { alloc?: string; mcu?: string; scenario?: string; seed: number; ops: number; heap?: number; json?: boolean; workers?: number; quiet?: boolean }

function listOption(value: string | undefined, known: readonly string[], what: string): string[] {
  if (!value) return [...known];
  const items = value.split(',').map((x) => x.trim()).filter(Boolean);
  for (const x of items) if (!known.includes(x)) throw new UsageError(`unknown ${what} '${x}' (known: ${known.join(', ')})`);
  return items;
}

async function compareCmd(opts: CompareCliOptions): Promise<number> {
  const o = {
    allocators: listOption(opts.alloc, ALLOCATORS.map((a) => a.name), 'allocator'),
    mcus: listOption(opts.mcu, Object.keys(PROFILES), 'MCU'),
    scenarios: listOption(opts.scenario, SCENARIOS.map((x) => x.name), 'scenario'),
    seed: opts.seed, ops: opts.ops, heap: opts.heap, workers: opts.workers,
  };
  const total = jobsOf(o).length;
  const tty = process.stderr.isTTY === true && !opts.quiet && !opts.json;
  const t0 = performance.now();
  const report = await compare(o, tty ? (done) => {
    const width = 30, filled = Math.round((done / total) * width);
    process.stderr.write(`\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} runs`);
    if (done === total) process.stderr.write('\r' + ' '.repeat(width + 20) + '\r');
  } : undefined);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else printCompare(report, o.scenarios, (performance.now() - t0) / 1000);
  return report.results.every((r) => r.ok) ? 0 : 1;
}

function printCompare(report: CompareReport, scenarios: string[], secs: number): void {
  const colWidth = Math.max(10, ...scenarios.map((s) => s.length)) + 1;
  console.log(chalk.bold('allocator / mcu'.padEnd(28)) + scenarios.map((s) => chalk.bold(s.padEnd(colWidth))).join(''));
  const rows = new Map<string, ScenarioResult[]>();
  for (const r of report.results) {
    const key = `${r.allocator} / ${r.mcu}`;
    rows.set(key, [...(rows.get(key) ?? []), r]);
  }
  for (const [key, rs] of rows) {
    const cells = scenarios.map((sc) => {
      const r = rs.find((x) => x.scenario === sc)!;
      const text = r.ok ? `✓ ${r.stats.alloc.cycles.median || ''}`.trimEnd() : `✗ ${r.violation!.rule}`;
      const padded = text.padEnd(colWidth);
      return r.ok ? chalk.green(padded) : chalk.red(padded);
    });
    console.log(key.padEnd(28) + cells.join(''));
  }
  const failed = report.results.filter((r) => !r.ok).length;
  console.log(chalk.dim(`✓ n: every check held; n = median alloc cycles. ✗ rule: the rule that broke (sramlab run <scenario> --alloc A --mcu P for the report).`));
  console.log(`${report.results.length} runs, ${failed} with a broken rule, in ${secs.toFixed(1)} s`);
}

// ---- fuzz ------------------------------------------------------------------------------------

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
  const tty = process.stderr.isTTY === true && !opts.quiet && !opts.json;
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

// ---- demo ------------------------------------------------------------------------------------

function demo(): number {
  const elf = fileURLToPath(new URL('./bench/firmware/freelist-m0.elf', import.meta.url));
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

// ---- program ---------------------------------------------------------------------------------

async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = new Command('sramlab')
    .description('A Cortex-M microcontroller emulated in TypeScript: run allocator firmware and check every load and store.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program.command('exec')
    .description('Run a firmware image from reset, with ARM semihosting for output and exit (like qemu-system-arm -semihosting).')
    .argument('<elf>', 'ELF image built for the MCU (vector table at address 0)')
    .addOption(mcuOption())
    .option('--max-cycles <n>', 'stop after this many cycles', parseCount, 1_000_000_000)
    .option('--flash <size>', 'override the profile\'s flash size', parseSize)
    .option('--sram <size>', 'override the profile\'s SRAM size', parseSize)
    .option('--json', 'print a JSON summary (the firmware output goes into it)')
    .addHelpText('after', EXAMPLES(['sramlab exec hello.elf --mcu cortex-m0', 'sramlab exec test.elf --mcu cortex-m0plus --max-cycles 50M --json']) +
      '\nExit status: the firmware\'s (SYS_EXIT / SYS_EXIT_EXTENDED), 1 when it faulted, locked up or ran out of cycles, 2 for bad input.\n')
    .action((elf: string, opts: ExecOptions) => { status = exec(elf, opts); });

  program.command('list')
    .description('List the MCU profiles sramlab emulates.')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXAMPLES(['sramlab list', 'sramlab list --json']))
    .action((opts: { json?: boolean }) => { status = list(opts); });

  program.command('run')
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
    .action((name: string, opts: RunOptions) => { status = run(name, opts); });

  program.command('compare')
    .description('Run scenarios on allocators × MCU profiles with every check on; a table, or JSON (schema sramlab.compare/1).')
    .option('--alloc <list>', 'allocators, comma-separated (default: all)')
    .option('--mcu <list>', 'MCU profiles, comma-separated (default: all)')
    .option('--scenario <list>', 'scenarios, comma-separated (default: all)')
    .option('--seed <n>', 'seed of the workloads', (v) => parseCount(v), 1)
    .option('--ops <n>', 'operations per scenario that takes a count', (v) => parseCount(v), 1000)
    .option('--heap <size>', 'heap bytes given to sl_init', parseSize)
    .option('--workers <n>', 'worker threads (default: one per core)', (v) => parseCount(v))
    .option('--json', 'print every result as JSON')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', EXAMPLES(['sramlab compare', 'sramlab compare --alloc galloc,emballoc --mcu cortex-m0,cortex-m3', 'sramlab compare --scenario fill-and-drain --json > results.json']) +
      '\nExit status: 0 every check held in every run, 1 some rule broke somewhere, 2 bad input.\n')
    .action(async (opts: CompareCliOptions) => { status = await compareCmd(opts); });

  program.command('fuzz')
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
    .action((opts: FuzzCliOptions) => { status = fuzzCmd(opts); });

  program.command('demo')
    .description('Run a bundled allocator workload on an emulated Cortex-M0 and show what was trapped.')
    .addHelpText('after', EXAMPLES(['sramlab demo']))
    .action(() => { status = demo(); });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed the one-line error otherwise.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    throw e;
  }
  return status;
}

try {
  process.exitCode = await main(process.argv);
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`sramlab: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`sramlab: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.SRAMLAB_DEBUG) console.error(e);
    process.exitCode = 70;
  }
}
