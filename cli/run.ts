// sramlab run: one scenario on one allocator image, every check on.

import chalk, { type ChalkInstance } from 'chalk';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Session } from '../checks/session.ts';
import { PointError } from '../explore/preempt.ts';
import type { PreemptPoint } from '../explore/report.ts';
import { runScenario, SCENARIOS, type ScenarioResult } from '../scenarios/index.ts';
import { explainDeadlock } from '../scenarios/isr-reentrancy.ts';
import { describeOperation, type HeapMap, HeapTracker, heapMap, type SpanKind } from '../views/heap-map.ts';
import { renderHeapAndStack } from '../views/heap-stack.ts';
import { type StackPaint, type StackState, stackState } from '../views/stack-view.ts';
import { fitCommand, fitProse, terminalColumns } from '../views/text-width.ts';
import {
  ALLOCATOR_HELP,
  allocatorArg,
  asInvoked,
  type Ctx,
  EXAMPLES,
  forceOption,
  mcuOption,
  oneOf,
  parseOps,
  parseSeed,
  parseSize,
  profileFrom,
  UsageError,
  useColor,
} from './common.ts';
import { addGdbOptions, type GdbCliOptions, GdbSession, stopForRule } from './gdb.ts';
import { checkHeapFits } from './heap.ts';
import { type Io, println } from './io.ts';

interface RunOptions extends GdbCliOptions {
  alloc: string;
  mcu: string;
  seed: number;
  ops: number;
  heap?: number;
  json?: boolean;
  show?: 'heap';
  step?: boolean;
  cell?: number;
  force?: boolean;
  preemptAt?: PreemptPoint;
}

function run(name: string, opts: RunOptions, io: Io): number {
  profileFrom(opts);
  oneOf(
    name,
    SCENARIOS.map((x) => x.name),
    'scenario',
  );
  allocatorArg(opts.alloc);
  if (opts.preemptAt && name !== 'isr-reentrancy') throw new UsageError(`--preempt-at is for isr-reentrancy, not ${name}`);
  const params = { seed: opts.seed, ops: opts.ops, heap: opts.heap, ...(opts.preemptAt ? { preemptAt: opts.preemptAt } : {}) };
  const load = opts.force ? { force: true } : {};
  if (opts.heap !== undefined) {
    checkHeapFits(
      (heap, observe) => runScenario(name, opts.alloc, opts.mcu, { ...params, heap }, { ...load, observe }),
      opts.heap,
      `${opts.alloc} on ${opts.mcu} in ${name}`,
    );
  }
  const gdb = GdbSession.open(opts, io);
  try {
    return report(name, opts, io, params, load, gdb);
  } finally {
    gdb?.close();
  }
}

function report(
  name: string,
  opts: RunOptions,
  io: Io,
  params: { seed: number; ops: number; heap?: number },
  load: { force?: boolean },
  gdb: GdbSession | null,
): number {
  // Prose wraps to the terminal; a replay command is never broken (views/text-width.ts).
  const width = terminalColumns();
  const say = (line: string) => {
    for (const l of fitProse(line, width)) println(io, l);
  };
  const sayCommand = (label: string, command: string) => {
    for (const l of fitCommand(`${label}:`, command, width)) println(io, l);
  };
  const view = opts.show === 'heap' || opts.step ? new HeapView(opts, io) : null;
  let session: Session | null = null;
  const observe = (s: Session) => {
    session = s;
    view?.watch(s);
    gdb?.attach(s.image.machine);
  };
  // Image and scenario errors are bad input by their type (cli.ts), whatever their wording.
  let r: ScenarioResult;
  try {
    r = runScenario(name, opts.alloc, opts.mcu, params, { ...load, observe });
  } catch (e) {
    if (e instanceof PointError) throw new UsageError(e.message);
    if (!(e instanceof StepQuit)) throw e;
    say(`quit after operation ${e.operation}; no verdict (the workload did not finish)`);
    return 0;
  }
  r.replay = asInvoked(r.replay);
  if (gdb && session) {
    const v = r.ok ? null : r.violation;
    gdb.finish(
      v ? stopForRule(v, (session as Session).image.machine) : null,
      v ? `rule ${v.rule} broke at operation ${v.operation}` : undefined,
    );
  }
  if (opts.json) {
    io.out(`${JSON.stringify(view ? { ...r, heapView: view.json() } : r, null, 2)}\n`);
  } else {
    view?.printFinal();
    const head = `${r.scenario} · ${r.allocator} on ${r.mcu} · heap ${r.heap} B · seed ${r.seed}`;
    if (r.ok && r.caught) {
      say(`${chalk.green('PASS')} ${head}: the ${r.caught.rule} rule caught it, as this scenario expects`);
      say(`  ${r.caught.message}`);
    } else if (r.ok) {
      say(`${chalk.green('PASS')} ${head}: ${r.operations} operations, every check held`);
      sayPreemption(r, say, sayCommand);
    } else {
      const v = r.violation!;
      say(`${chalk.red('FAIL')} ${head}`);
      say(`  rule ${chalk.bold(v.rule)} broken at operation ${v.operation}${v.kind ? ` (${v.kind})` : ''}: ${v.message}`);
      const where = [v.pc !== undefined ? `pc 0x${v.pc.toString(16).padStart(8, '0')}` : '', v.symbol, v.source].filter(Boolean).join(' ');
      if (where) say(`  at ${where}`);
      sayCommand('replay', r.replay);
      sayPreemption(r, say, sayCommand);
      const why = explainDeadlock(v);
      for (const line of why ?? []) say(line);
    }
    for (const k of ['alloc', 'dealloc', 'realloc'] as const) {
      const c = r.stats[k].cycles;
      if (c.count) say(`  ${k.padEnd(8)} cycles min ${c.min}  median ${c.median}  p99 ${c.p99}  max ${c.max}  (${c.count} calls)`);
    }
    say(
      `  peak allocator stack ${r.peakStackBytes} bytes; allocator code ${r.footprint.flashBytes} bytes of flash, state ${r.footprint.ramBytes} bytes of RAM`,
    );
    const gone = r.footprint.heapBytesGoneAtInit;
    if (gone !== null)
      say(
        `  kept inside the heap: ${gone} of ${r.heap} bytes gone right after sl_init (largest block then ${r.footprint.largestBlockAfterInit} bytes)`,
      );
    if (r.utilisationAtFirstFailure !== null)
      say(`  heap utilisation at the first failed allocation ${(100 * r.utilisationAtFirstFailure).toFixed(1)} %`);
    if (r.largestBlockAfter !== null) say(`  largest allocatable block after the workload ${r.largestBlockAfter} bytes`);
  }
  return r.ok ? 0 : 1;
}

// ---- --show heap and --step ---------------------------------------------------------------

const STACK_COLOUR: Record<Parameters<StackPaint>[0], ChalkInstance> = { used: chalk.magenta, free: chalk.dim, crossed: chalk.bgRed.white };

const HEAP_COLOUR: Record<SpanKind, ChalkInstance> = {
  live: chalk.green,
  metadata: chalk.yellow,
  free: chalk.blue,
  untouched: chalk.dim,
  violation: chalk.bgRed.white,
};

/** q, Ctrl-C, Ctrl-D, Escape. */
const QUIT_KEYS = ['q', 'Q', '\u0003', '\u0004', '\u001b'];

/** The learner pressed q during --step: the run ends there, with no verdict. */
class StepQuit extends Error {
  constructor(readonly operation: number) {
    super(`stopped after operation ${operation}`);
  }
}

/**
 * Watches the scenario's session with a HeapTracker: with --step, one heap map per operation
 * (printed as it happens, or kept for --json); at the end, the heap after the workload, or
 * where the violation stopped it.
 */
class HeapView {
  private session: Session | null = null;
  private tracker: HeapTracker | null = null;
  private readonly steps: { description: string; map: HeapMap }[] = [];
  private printed = 0;

  constructor(
    private readonly opts: RunOptions,
    private readonly io: Io,
  ) {}

  /** Starts watching the session of the run (called before its sl_init). */
  watch(s: Session): void {
    this.session = s;
    this.tracker = new HeapTracker(s);
    if (this.opts.step) {
      s.onOperation((e) => {
        if (e.phase === 'end' && e.kind !== 'init') this.step(describeOperation(e), heapMap(s, this.tracker!));
      });
    }
  }

  private step(description: string, map: HeapMap): void {
    if (this.opts.json) {
      this.steps.push({ description, map });
      return;
    }
    this.print(description, map, this.printed === 0);
    // At a terminal: wait for the learner. Piped, everything is printed at once.
    if (this.io.key) {
      this.io.out(`${chalk.dim('Enter: next operation · q: quit')} `);
      const k = this.io.key();
      this.io.out('\n');
      if (QUIT_KEYS.includes(k)) throw new StepQuit(map.operation);
    }
  }

  /** The heap now, or null when sl_init never returned (there is no heap in use to draw). */
  private finalMap(): HeapMap | null {
    return this.session?.image.heap ? heapMap(this.session, this.tracker!) : null;
  }

  /** The map after the workload; with --step only when a violation makes it differ from the last step's. */
  printFinal(): void {
    const map = this.finalMap();
    if (!map || (this.opts.step && !map.violation)) return;
    const v = map.violation;
    this.print(
      v ? `heap when rule ${v.rule} broke, at operation ${map.operation}` : `heap after the workload (${map.operation} operations)`,
      map,
    );
  }

  json(): { final: HeapMap | null; stack: StackState | null; steps?: { description: string; map: HeapMap }[] } {
    return {
      final: this.finalMap(),
      stack: this.session ? stackState(this.session) : null,
      ...(this.opts.step ? { steps: this.steps } : {}),
    };
  }

  /** One map under a title; a run of --step maps prints the legend once, with the first. */
  private print(title: string, map: HeapMap, legend = true): void {
    this.printed++;
    const drawn = renderHeapAndStack(map, stackState(this.session!), {
      width: terminalColumns(),
      cellBytes: this.opts.cell,
      legend,
      paint: useColor ? (k, t) => HEAP_COLOUR[k](t) : undefined,
      stackPaint: useColor ? (k, t) => STACK_COLOUR[k](t) : undefined,
    });
    this.io.out(`${[chalk.bold(`── ${title}`), ...drawn, ''].join('\n')}\n`);
  }
}

export function runCommand(ctx: Ctx): Command {
  const cmd = new Command('run')
    .description('Run one scenario on one allocator image with every check on.')
    .argument('<scenario>', `scenario: ${SCENARIOS.map((x) => x.name).join(', ')}`)
    .requiredOption('--alloc <allocator>', ALLOCATOR_HELP)
    .addOption(mcuOption())
    .option('--seed <n>', 'seed of the workload (0 to 4294967295)', parseSeed, 1)
    .option('--ops <n>', 'operations (for scenarios that take a count; 1 to 10M)', parseOps, 1000)
    .option('--heap <size>', 'heap bytes given to sl_init (default 16K, or the whole heap region if smaller)', parseSize)
    .option('--json', 'print the result as JSON (schema sramlab.run/1; with --show heap, a heapView member)')
    .addOption(
      new Option(
        '--show <view>',
        'draw the heap array after the workload: live blocks, allocator metadata, free and untouched bytes',
      ).choices(['heap']),
    )
    .option('--step', 'draw the heap and the stack after every operation (implies --show heap); at a terminal, wait for Enter (q quits)')
    .option('--cell <bytes>', 'bytes per character of the heap drawing (default: from the heap size)', positive)
    .option(
      '--preempt-at <op:instruction>',
      'isr-reentrancy: interrupt only operation OP after INSTRUCTION instructions (the replay of one preemption point) instead of exploring them all',
      parsePoint,
    )
    .addOption(forceOption());
  return addGdbOptions(cmd, true)
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab run smoke --alloc galloc --mcu cortex-m0',
        'sramlab run smoke --alloc chunk --mcu cortex-m3 --json',
        'sramlab run smoke --alloc emballoc --heap 1K --show heap',
        'sramlab run smoke --alloc galloc --heap 2K --step --cell 8',
        'sramlab run smoke --alloc ./fw.elf --mcu cortex-m3 --show heap      # your own image',
        'sramlab run smoke --alloc ./fw.elf --gdb 3333    # then: gdb-multiarch fw.elf -ex "target remote :3333"',
        'sramlab run isr-reentrancy --alloc galloc --mcu cortex-m0 --preempt-at 7:15   # one preemption point (docs/explore.md)',
      ]) +
        `
An allocator that contains '/' or ends in .elf is a path to your image (firmware/README.md, the
sramlab ABI); it is named by its file name in the output, and replay lines repeat the path.
With --gdb the run waits before sl_init for gdb to connect and continue (set breakpoints then),
and stops again where a rule broke (SIGSEGV for a stray access, SIGTRAP for a host-side check):
bt, info registers and x show the faulting line, the stack and the heap. --gdb-on-fail skips the
first wait. A kill from gdb ends the command with status 1.
Exit status: 0 every check held, 1 a check failed, 2 bad input.
`,
    )
    .action((name: string, opts: RunOptions) => {
      ctx.status = run(name, opts, ctx.io);
    });
}

/** isr-reentrancy's coverage line, and the command that runs its first failing point alone. */
function sayPreemption(r: ScenarioResult, say: (line: string) => void, sayCommand: (label: string, command: string) => void): void {
  const pre = r.preemption;
  if (!pre) return;
  say(`  preemption: ${pre.verdict}`);
  if (pre.replay) sayCommand('the first failing point alone', asInvoked(pre.replay));
}

/** OP:INSTRUCTION (or OP:INSTRUCTION:INNER, the nested model's), as reports print a preemption point. */
export function parsePoint(v: string): PreemptPoint {
  const m = /^(\d+):(\d+)(?::(\d+))?$/.exec(v);
  if (!m)
    throw new InvalidArgumentError(`'${v}' is not a preemption point: OP:INSTRUCTION, e.g. 7:15 (operation 7, after 15 instructions)`);
  const [op, i, inner] = [Number(m[1]), Number(m[2]), m[3] === undefined ? undefined : Number(m[3])];
  if (op < 1 || !Number.isSafeInteger(op) || !Number.isSafeInteger(i) || (inner !== undefined && !Number.isSafeInteger(inner)))
    throw new InvalidArgumentError(`'${v}': operations count from 1, instructions from 0`);
  return { operation: op, instruction: i, ...(inner !== undefined ? { inner } : {}) };
}

function positive(v: string): number {
  const n = parseSize(v);
  if (n < 1) throw new InvalidArgumentError('it must be at least 1');
  return n;
}
