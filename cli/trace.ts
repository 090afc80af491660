// sramlab trace: every load and store allocator code makes in the first operations of a
// scenario, one line each (or one JSON object a line), written as they happen.

import chalk from 'chalk';
import { Command } from 'commander';
import type { OperationEvent } from '../checks/session.ts';
import { hex } from '../emulator/elf.ts';
import { TRACE_REGIONS, type TraceAccess, type TraceException, type TraceRegion, type TraceSink, trace } from '../runners/trace.ts';
import { runScenario, SCENARIOS } from '../scenarios/index.ts';
import { callOf } from '../views/heap-map.ts';
import { type Fold, LoopFolder } from '../views/loop-fold.ts';
import {
  ALLOCATOR_HELP,
  allocatorArg,
  type Ctx,
  countIn,
  EXAMPLES,
  forceOption,
  listOption,
  MAX_OPS,
  mcuOption,
  oneOf,
  parseOps,
  parseSeed,
  parseSize,
  profileFrom,
  UsageError,
} from './common.ts';
import { checkHeapFits } from './heap.ts';
import type { Io } from './io.ts';

interface TraceCliOptions {
  alloc: string;
  mcu: string;
  seed: number;
  ops: number;
  heap?: number;
  first?: number;
  op?: number;
  region?: string;
  json?: boolean;
  force?: boolean;
}

/**
 * Lines to stdout in 64 KiB chunks, so memory stays flat however long the trace; the writes
 * block, so a closed pipe (OutputClosed, from io) stops the emulation at once.
 */
class LineWriter {
  private chunk = '';

  constructor(private readonly io: Io) {}

  line(text: string): void {
    this.chunk += `${text}\n`;
    if (this.chunk.length >= 65536) this.flush();
  }

  flush(): void {
    const text = this.chunk;
    this.chunk = '';
    this.io.out(text);
  }
}

function traceCmd(scenario: string, opts: TraceCliOptions, io: Io): number {
  profileFrom(opts);
  allocatorArg(opts.alloc);
  oneOf(
    scenario,
    SCENARIOS.map((s) => s.name),
    'scenario',
  );
  if (opts.first !== undefined && opts.op !== undefined) throw new UsageError('give --first or --op, not both');
  const [from, to] = opts.op !== undefined ? [opts.op, opts.op] : [1, opts.first ?? 1];
  const regions = opts.region === undefined ? undefined : new Set(listOption(opts.region, TRACE_REGIONS, 'region') as TraceRegion[]);
  const params = { scenario, allocator: opts.alloc, mcu: opts.mcu, seed: opts.seed, ops: opts.ops, heap: opts.heap };
  const load = opts.force ? { force: true } : {};
  if (opts.heap !== undefined) {
    checkHeapFits(
      (heap, observe) => runScenario(scenario, opts.alloc, opts.mcu, { ...params, heap }, { observe, ...load }),
      opts.heap,
      `${opts.alloc} on ${opts.mcu} in ${scenario}`,
    );
  }
  const out = new LineWriter(io);
  // The heading waits for the first traced operation: an --op past the workload's end is then
  // refused with nothing printed.
  let begun = false;
  const begin = () => {
    if (begun) return;
    begun = true;
    if (!opts.json) {
      out.line(
        chalk.dim(
          `${scenario} · ${opts.alloc} on ${opts.mcu} · ${from === to ? `operation ${from}` : `operations ${from}–${to}`} · ` +
            `${regions ? `regions ${[...regions].join(', ')}` : 'every region'} · loads and stores made by allocator code (.alloc_text)`,
        ),
      );
    }
  };
  const sink: TraceSink & { flush?(): void } = opts.json ? jsonSink(out) : textSink(out);
  const summary = trace(
    { ...params, from, to, regions, force: opts.force },
    {
      access: (a) => sink.access(a),
      operation: (e) => {
        begin();
        sink.operation?.(e);
      },
      exception: (e) => sink.exception?.(e),
    },
  );
  sink.flush?.();
  const v = summary.result?.violation;
  if (!begun && !v) {
    throw new UsageError(
      `--op ${from}: ${scenario} on ${opts.alloc} has only ${summary.result?.operations ?? 0} operations (0 is sl_init)`,
    );
  }
  begin();
  if (opts.json) out.line(JSON.stringify({ type: 'end', accesses: summary.accesses, violation: v ?? null }));
  else
    out.line(
      chalk.dim(`${summary.accesses} accesses traced`) +
        (v ? chalk.red(`; rule ${v.rule} broken at operation ${v.operation}: ${v.message}`) : ''),
    );
  out.flush();
  return v ? 1 : 0;
}

/** One JSON object a line: {"type":"op",…} at each operation's start and end, {"type":"access",…} per access. */
function jsonSink(out: LineWriter): TraceSink {
  return {
    access: (a) => out.line(JSON.stringify({ type: 'access', ...a })),
    exception: (e) => out.line(JSON.stringify({ type: 'exception', ...e })),
    operation: (e) =>
      out.line(
        JSON.stringify({
          type: 'op',
          phase: e.phase,
          op: e.number,
          kind: e.kind,
          call: callOf(e),
          ...(e.phase === 'end' && e.result !== undefined ? { result: e.result ? e.result.ptr : null } : {}),
        }),
      ),
  };
}

/**
 * A line per access, except that a loop repeating the same accesses (same PCs, addresses and
 * values) is shown twice and then counted: "… the same 7-instruction loop 1,428,572 more times".
 */
function textSink(out: LineWriter): TraceSink & { flush(): void } {
  let loads = 0,
    stores = 0;
  const folder = new LoopFolder<TraceAccess>(
    (a) => `${a.pc} ${a.kind} ${a.size} ${a.address} ${a.value}`,
    (a) => {
      if (a.kind === 'load') loads++;
      else stores++;
      out.line(accessLine(a));
    },
    (f) => out.line(chalk.magenta(foldLine(f))),
    32,
    (a) => a.instructions,
  );
  return {
    flush: () => folder.flush(),
    access: (a) => folder.push(a),
    exception: (e) => {
      folder.flush();
      out.line(chalk.magenta(exceptionLine(e)));
    },
    operation: (e) => {
      folder.flush();
      if (e.phase === 'start') {
        loads = stores = 0;
        out.line(chalk.bold(`── op ${e.number}: ${callOf(e)}`));
        out.line(
          chalk.dim(
            `  ${'pc'.padEnd(10)}  ${'symbol'.padEnd(SYMBOL_WIDTH)} ${'source'.padEnd(16)} ${'access'.padEnd(7)} ${'address'.padEnd(10)}  ${'value'.padEnd(10)}  ${'region'.padEnd(10)} instruction`,
          ),
        );
      } else {
        out.line(chalk.dim(`   ${endOf(e)} · ${loads} loads, ${stores} stores shown`));
      }
    },
  };
}

/** "… the same 7-instruction loop (1 access an iteration, at sl_alloc+0x34 lock.h:175) 1,428,572 more times". */
export function foldLine(f: Fold<TraceAccess>): string {
  const it = f.iteration;
  const places = [...new Set(it.map((a) => [a.symbol ?? hex(a.pc), a.source].filter(Boolean).join(' ')))];
  const per = f.instructionsPerIteration;
  return (
    `  … the same ${per > 0 ? `${per}-instruction` : `${it.length}-access`} loop (${it.length} access${it.length === 1 ? '' : 'es'} an iteration, at ${places.join(', ')}) ` +
    `${f.times.toLocaleString('en')} more time${f.times === 1 ? '' : 's'}`
  );
}

/** "⇢ exception entry: IRQ 0 (exception 16): handler code runs now; thread mode waits until it returns". */
export function exceptionLine(e: TraceException): string {
  const name = e.exception >= 16 ? `IRQ ${e.exception - 16} (exception ${e.exception})` : `exception ${e.exception}`;
  return e.phase === 'entry'
    ? `  ⇢ exception entry: ${name}; the handler runs from here, and the code it interrupted waits until it returns`
    : `  ⇠ exception return from ${name}: back in thread mode, where it was interrupted`;
}

function endOf(e: OperationEvent): string {
  if (e.result === undefined) return 'returned';
  return e.result === null ? 'returned NULL' : `returned ${hex(e.result.ptr)}`;
}

/** Wide enough for "first_aligned_chunk+0x3c"; a longer name pushes its line's columns right. */
const SYMBOL_WIDTH = 24;

function accessLine(a: TraceAccess): string {
  const access = `${a.kind === 'load' ? 'load ' : 'store'} ${a.size}`;
  const value = `0x${a.value.toString(16).padStart(a.size * 2, '0')}`;
  return (
    `  ${hex(a.pc)}  ${(a.symbol ?? '?').padEnd(SYMBOL_WIDTH)} ${(a.source ?? '').padEnd(16)} ` +
    `${(a.kind === 'store' ? chalk.yellow : chalk.cyan)(access.padEnd(7))} ${hex(a.address)}  ${value.padEnd(10)}  ${a.region.padEnd(10)} ${chalk.dim(a.instruction ?? '')}`.trimEnd()
  );
}

export function traceCommand(ctx: Ctx): Command {
  return new Command('trace')
    .description(
      'Every load and store allocator code makes in the first operations of a scenario: PC, symbol, source line, address, value, region.',
    )
    .argument('<scenario>', `scenario: ${SCENARIOS.map((x) => x.name).join(', ')}`)
    .requiredOption('--alloc <allocator>', ALLOCATOR_HELP)
    .addOption(mcuOption())
    .option('--first <n>', 'trace operations 1 to n (default 1)', countIn(1, MAX_OPS))
    .option('--op <k>', 'trace operation k only (0 is sl_init)', countIn(0, MAX_OPS))
    .option('--region <list>', `only accesses into these regions, comma-separated: ${TRACE_REGIONS.join(', ')}`)
    .option('--seed <n>', 'seed of the workload (0 to 4294967295)', parseSeed, 1)
    .option('--ops <n>', 'operations of the scenario (for scenarios that take a count; 1 to 10M)', parseOps, 1000)
    .option('--heap <size>', 'heap bytes given to sl_init', parseSize)
    .option('--json', 'JSON lines: {"type":"op"}, {"type":"access"} and a final {"type":"end"}')
    .addOption(forceOption())
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab trace smoke --alloc galloc --mcu cortex-m0',
        'sramlab trace smoke --alloc emballoc --op 0            # what sl_init writes',
        'sramlab trace random-actions --alloc galloc --first 20 --region heap,state',
        'sramlab trace smoke --alloc chunk --first 5 --json | jq -c "select(.type == \\"access\\")"',
        'sramlab trace smoke --alloc ./fw.elf --mcu cortex-m3 --first 3   # your own image',
      ]) +
        `
Regions: heap (the heap sl_init was given), heap-spare (the rest of the heap region), state
(.alloc_data/.alloc_bss), stack, flash (literal pools), sram (any other SRAM), scs, dwt, unmapped.
A loop that repeats the same accesses (PCs, addresses, values: a spin on a lock) is shown for
two iterations, then counted in one line; --json has every access. Exception entry and return
are marked where the first access after them happens ({"type":"exception"} in --json).
Exit status: 0, 1 when a check failed within the traced operations, 2 bad input.
`,
    )
    .action((scenario: string, opts: TraceCliOptions) => {
      ctx.status = traceCmd(scenario, opts, ctx.io);
    });
}
