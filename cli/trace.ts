// sramlab trace: every load and store allocator code makes in the first operations of a
// scenario, one line each (or one JSON object a line), written as they happen.

import { writeSync } from 'node:fs';
import chalk from 'chalk';
import { Command } from 'commander';
import { hex } from '../emulator/elf.ts';
import { callOf } from '../scenarios/heap-map.ts';
import { ALLOCATORS, ImageError } from '../scenarios/image.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import type { OperationEvent } from '../scenarios/session.ts';
import { trace, TRACE_REGIONS, type TraceAccess, type TraceRegion, type TraceSink } from '../scenarios/trace.ts';
import { EXAMPLES, listOption, mcuOption, parseCount, parseSize, profileFrom, setExitStatus, UsageError } from './common.ts';

interface TraceCliOptions { alloc: string; mcu: string; seed: number; ops: number; heap?: number; first?: number; op?: number; region?: string; json?: boolean }

/** The reader closed the pipe (`| head`): stop emulating, quietly. */
class OutputClosed extends Error {}

/**
 * Lines to stdout in 64 KiB chunks with blocking writes, so memory stays flat however long the
 * trace and a closed pipe stops the run at once (an async stream would buffer and carry on).
 */
class LineWriter {
  private chunk = '';

  line(text: string): void {
    this.chunk += text + '\n';
    if (this.chunk.length >= 65536) this.flush();
  }

  flush(): void {
    let buf = Buffer.from(this.chunk);
    this.chunk = '';
    while (buf.length > 0) {
      try {
        buf = buf.subarray(writeSync(1, buf));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // stdout is non-blocking: wait for the reader
        if (code === 'EPIPE') throw new OutputClosed();
        throw e;
      }
    }
  }
}

function traceCmd(scenario: string, opts: TraceCliOptions): number {
  profileFrom(opts);
  listOption(opts.alloc, ALLOCATORS.map((a) => a.name), 'allocator');
  listOption(scenario, SCENARIOS.map((s) => s.name), 'scenario');
  if (opts.first !== undefined && opts.op !== undefined) throw new UsageError('give --first or --op, not both');
  const [from, to] = opts.op !== undefined ? [opts.op, opts.op] : [1, opts.first ?? 1];
  const regions = opts.region === undefined ? undefined : new Set(listOption(opts.region, TRACE_REGIONS, 'region') as TraceRegion[]);
  const out = new LineWriter();
  const sink = opts.json ? jsonSink(out) : textSink(out);
  if (!opts.json) {
    out.line(chalk.dim(`${scenario} · ${opts.alloc} on ${opts.mcu} · ${from === to ? `operation ${from}` : `operations ${from}–${to}`} · ` +
      `${regions ? `regions ${[...regions].join(', ')}` : 'every region'} · loads and stores made by allocator code (.alloc_text)`));
  }
  try {
    const summary = trace({ scenario, allocator: opts.alloc, mcu: opts.mcu, seed: opts.seed, ops: opts.ops, heap: opts.heap, from, to, regions }, sink);
    const v = summary.result?.violation;
    if (opts.json) out.line(JSON.stringify({ type: 'end', accesses: summary.accesses, violation: v ?? null }));
    else out.line(chalk.dim(`${summary.accesses} accesses traced`) + (v ? chalk.red(`; rule ${v.rule} broken at operation ${v.operation}: ${v.message}`) : ''));
    out.flush();
    return v ? 1 : 0;
  } catch (e) {
    if (e instanceof OutputClosed) return 0;
    if (e instanceof ImageError || /does not fit/.test((e as Error).message)) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** One JSON object a line: {"type":"op",…} at each operation's start and end, {"type":"access",…} per access. */
function jsonSink(out: LineWriter): TraceSink {
  return {
    access: (a) => out.line(JSON.stringify({ type: 'access', ...a })),
    operation: (e) => out.line(JSON.stringify({
      type: 'op', phase: e.phase, op: e.number, kind: e.kind, call: callOf(e),
      ...(e.phase === 'end' && e.result !== undefined ? { result: e.result ? e.result.ptr : null } : {}),
    })),
  };
}

function textSink(out: LineWriter): TraceSink {
  let loads = 0, stores = 0;
  return {
    access: (a) => {
      if (a.kind === 'load') loads++; else stores++;
      out.line(accessLine(a));
    },
    operation: (e) => {
      if (e.phase === 'start') {
        loads = stores = 0;
        out.line(chalk.bold(`── op ${e.number}: ${callOf(e)}`));
        out.line(chalk.dim(`  ${'pc'.padEnd(10)}  ${'symbol'.padEnd(SYMBOL_WIDTH)} ${'source'.padEnd(16)} ${'access'.padEnd(7)} ${'address'.padEnd(10)}  ${'value'.padEnd(10)}  ${'region'.padEnd(10)} instruction`));
      } else {
        out.line(chalk.dim(`   ${endOf(e)} · ${loads} loads, ${stores} stores shown`));
      }
    },
  };
}

function endOf(e: OperationEvent): string {
  if (e.result === undefined) return 'returned';
  return e.result === null ? 'returned NULL' : `returned ${hex(e.result.ptr)}`;
}

/** Wide enough for "first_aligned_chunk+0x3c"; a longer name pushes its line's columns right. */
const SYMBOL_WIDTH = 24;

function accessLine(a: TraceAccess): string {
  const access = `${a.kind === 'load' ? 'load ' : 'store'} ${a.size}`;
  const value = '0x' + a.value.toString(16).padStart(a.size * 2, '0');
  return `  ${hex(a.pc)}  ${(a.symbol ?? '?').padEnd(SYMBOL_WIDTH)} ${(a.source ?? '').padEnd(16)} ` +
    `${(a.kind === 'store' ? chalk.yellow : chalk.cyan)(access.padEnd(7))} ${hex(a.address)}  ${value.padEnd(10)}  ${a.region.padEnd(10)} ${chalk.dim(a.instruction ?? '')}`.trimEnd();
}

export function traceCommand(): Command {
  return new Command('trace')
    .description('Every load and store allocator code makes in the first operations of a scenario: PC, symbol, source line, address, value, region.')
    .argument('<scenario>', `scenario: ${SCENARIOS.map((x) => x.name).join(', ')}`)
    .requiredOption('--alloc <allocator>', `allocator: ${ALLOCATORS.map((a) => a.name).join(', ')}`)
    .addOption(mcuOption())
    .option('--first <n>', 'trace operations 1 to n (default 1)', (v) => parseCount(v))
    .option('--op <k>', 'trace operation k only (0 is sl_init)', (v) => parseCount(v))
    .option('--region <list>', `only accesses into these regions, comma-separated: ${TRACE_REGIONS.join(', ')}`)
    .option('--seed <n>', 'seed of the workload', (v) => parseCount(v), 1)
    .option('--ops <n>', 'operations of the scenario (for scenarios that take a count)', (v) => parseCount(v), 1000)
    .option('--heap <size>', 'heap bytes given to sl_init', parseSize)
    .option('--json', 'JSON lines: {"type":"op"}, {"type":"access"} and a final {"type":"end"}')
    .addHelpText('after', EXAMPLES([
      'sramlab trace smoke --alloc galloc --mcu cortex-m0',
      'sramlab trace smoke --alloc emballoc --op 0            # what sl_init writes',
      'sramlab trace random-actions --alloc galloc --first 20 --region heap,state',
      'sramlab trace smoke --alloc chunk --first 5 --json | jq -c "select(.type == \\"access\\")"',
    ]) + `
Regions: heap (the heap sl_init was given), heap-spare (the rest of the heap region), state
(.alloc_data/.alloc_bss), stack, flash (literal pools), sram (any other SRAM), scs, dwt, unmapped.
Exit status: 0, 1 when a check failed within the traced operations, 2 bad input.
`)
    .action((scenario: string, opts: TraceCliOptions) => { setExitStatus(traceCmd(scenario, opts)); });
}
