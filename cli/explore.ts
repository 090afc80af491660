// sramlab explore: every preemption point of a workload on one image, under an interrupt model
// (docs/explore.md). The models are a table: a name, a line of help, the bounds it takes, and
// the function that runs it; every model reports an ExploreReport (sramlab.explore/1).

import chalk from 'chalk';
import { Command, Option } from 'commander';
import { getDualProfile } from '../emulator/dual.ts';
import type { Bounds, ModelName } from '../explore/preempt.ts';
import { PointError } from '../explore/preempt.ts';
import type { ExploreReport, PreemptPoint } from '../explore/report.ts';
import { explorePreemption } from '../explore/run.ts';
import { exploreTwoCoreRequest } from '../explore/two-core/run.ts';
import { DEFAULT_HEAP } from '../scenarios/index.ts';
import { imageDigest, parseShardOption, shardInfo } from '../shard/info.ts';
import type { Shard } from '../shard/partition.ts';
import { fitCommand, fitProse, terminalColumns } from '../views/text-width.ts';
import {
  ALLOCATOR_HELP,
  allocatorArg,
  asInvoked,
  type Ctx,
  EXAMPLES,
  forceOption,
  mcuOption,
  parseSize,
  profileFrom,
  UsageError,
} from './common.ts';
import { type Io, println } from './io.ts';
import { parsePoint } from './run.ts';

/** A bound a model takes: its default and range, and what it means (for --help). */
export interface BoundSpec {
  default: number;
  min: number;
  max: number;
  help: string;
}

/** What a model is given to run. */
export interface ModelRequest {
  allocator: string;
  mcu: string;
  heap: number;
  /** Every bound of the model, defaults filled in. */
  bounds: Record<string, number>;
  shard: Shard | null;
  /** --preempt-at as given: the one point to run (each model reads its own form). */
  at?: string;
  force?: boolean;
  /** The command that runs this exploration again. */
  replay: string;
}

export interface ExploreModel {
  name: string;
  description: string;
  bounds: Record<string, BoundSpec>;
  run(req: ModelRequest): ExploreReport;
}

const OPERATIONS: BoundSpec = {
  default: 3,
  min: 1,
  max: 3,
  help: 'explored operations of the workload (sl_alloc, sl_dealloc, sl_realloc)',
};

/** The preemption models of explore/preempt.ts, run on isr-reentrancy's workload. */
function preemptModel(name: ModelName, description: string, bounds: Record<string, BoundSpec>): ExploreModel {
  return {
    name,
    description,
    bounds,
    run(req) {
      const b: Bounds = {
        operations: req.bounds.operations!,
        inner: req.bounds.inner ?? 0,
        ticks: req.bounds.ticks ?? 1,
        period: req.bounds.period ?? 0,
      };
      let at: PreemptPoint | undefined;
      if (req.at !== undefined) {
        try {
          at = parsePoint(req.at);
        } catch (e) {
          throw new UsageError(`--preempt-at ${(e as Error).message}`);
        }
      }
      try {
        return explorePreemption({
          model: name,
          allocator: req.allocator,
          mcu: req.mcu,
          heap: req.heap,
          bounds: b,
          shard: req.shard,
          ...(at ? { at } : {}),
          ...(req.force ? { force: true } : {}),
          replay: req.replay,
        });
      } catch (e) {
        if (e instanceof PointError) throw new UsageError(e.message);
        throw e;
      }
    },
  };
}

/** Every model `sramlab explore --model` knows, in the order --help lists them. */
export const MODELS: ExploreModel[] = [
  preemptModel('isr', 'IRQ 0 pended at every instruction boundary of each call; its handler allocates, reallocates and frees', {
    operations: OPERATIONS,
  }),
  preemptModel('nested', "IRQ 0 at every boundary of the call, and IRQ 1 (higher priority) at boundaries inside IRQ 0's handler", {
    operations: { ...OPERATIONS, default: 1 },
    inner: { default: 16, min: 1, max: 100_000, help: "boundaries of IRQ 0's handler where IRQ 1 is pended, at most (evenly spread)" },
  }),
  preemptModel('systick', 'SysTick, its first tick at every boundary of the call, then periodic; its handler allocates', {
    operations: OPERATIONS,
    ticks: { default: 3, min: 1, max: 100, help: 'SysTick activations per call, at most' },
    period: { default: 0, min: 0, max: 0x1000000, help: "cycles between ticks (0: the handler's cost plus a quarter of the call's)" },
  }),
  {
    name: 'two-core',
    description:
      'two cores (--mcu rp2040 or dual-cortex-m3) call the allocator at once; every schedule with few switches (docs/two-cores.md)',
    bounds: {
      preemptions: { default: 2, min: 0, max: 8, help: 'context switches per schedule, at most' },
      window: {
        default: 0,
        min: 0,
        max: 10_000_000,
        help: "a switch falls in the first N instructions of the call it stops (0: the longer call's length)",
      },
      free: { default: 0, min: 0, max: 1, help: '1: core 1 frees a live block while core 0 allocates (0: both allocate)' },
      monitor: { default: 1, min: 0, max: 1, help: 'dual-cortex-m3: the global exclusive monitor (0: off, to see what it is for)' },
      sio: { default: 0, min: 0, max: 1, help: 'rp2040, a built-in allocator: 1 runs its SIO-spinlock build (firmware/images/sio)' },
    },
    run(req) {
      try {
        return exploreTwoCoreRequest({
          allocator: req.allocator,
          mcu: req.mcu,
          heap: req.heap,
          preemptions: req.bounds.preemptions!,
          ...(req.bounds.window ? { window: req.bounds.window } : {}),
          workload: req.bounds.free ? 'alloc-free' : 'alloc-alloc',
          ...(req.bounds.monitor === 0 ? { globalMonitor: false } : {}),
          sioBuild: req.bounds.sio === 1,
          shard: req.shard,
          ...(req.at !== undefined ? { schedule: req.at } : {}),
          ...(req.force ? { force: true } : {}),
          replay: req.replay,
        });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(e.message);
        throw e;
      }
    },
  },
];

/** The two-core model's --mcu is a two-core chip (emulator/dual.ts), not a single-core profile. */
function twoCoreMcu(mcu: string): void {
  try {
    getDualProfile(mcu);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

interface ExploreOptions {
  mcu: string;
  model: string;
  bound?: string;
  heap?: number;
  shard?: Shard;
  preemptAt?: string;
  json?: boolean;
  force?: boolean;
}

/** --bound k=v,k=v against the model's bounds: every key known, every value whole and in range. */
export function parseBounds(text: string | undefined, model: ExploreModel): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(Object.entries(model.bounds).map(([k, b]) => [k, b.default]));
  if (text === undefined) return out;
  for (const part of text.split(',')) {
    const m = /^([a-z]+)=(\d+)$/.exec(part.trim());
    if (!m) throw new UsageError(`--bound '${part}': expected name=count, e.g. ${Object.keys(model.bounds)[0]}=1`);
    const spec = model.bounds[m[1]!];
    if (!spec) throw new UsageError(`--bound ${m[1]}: the ${model.name} model takes ${Object.keys(model.bounds).join(', ')}`);
    const v = Number(m[2]);
    if (v < spec.min || v > spec.max) throw new UsageError(`--bound ${m[1]}=${m[2]}: ${spec.min} to ${spec.max.toLocaleString('en')}`);
    out[m[1]!] = v;
  }
  return out;
}

function explore(alloc: string, opts: ExploreOptions, io: Io): number {
  if (opts.model === 'two-core') twoCoreMcu(opts.mcu);
  else profileFrom(opts);
  allocatorArg(alloc);
  const model = MODELS.find((m) => m.name === opts.model);
  if (!model) throw new UsageError(`--model '${opts.model}': one of ${MODELS.map((m) => m.name).join(', ')}`);
  const bounds = parseBounds(opts.bound, model);
  const heap = opts.heap ?? DEFAULT_HEAP;
  const bound = Object.entries(bounds)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const replay = `sramlab explore ${alloc} --mcu ${opts.mcu} --model ${model.name} --heap ${heap} --bound ${bound}${opts.force ? ' --force' : ''}`;
  const r = model.run({
    allocator: alloc,
    mcu: opts.mcu,
    heap,
    bounds,
    shard: opts.shard ?? null,
    ...(opts.preemptAt !== undefined ? { at: opts.preemptAt } : {}),
    ...(opts.force ? { force: true } : {}),
    replay,
  });
  if (opts.shard) {
    const run = { allocator: alloc, image: imageDigest(alloc), mcu: opts.mcu, model: model.name, heap, bound, at: opts.preemptAt ?? null };
    r.shard = shardInfo(opts.shard, 'explore', run, r.distinct, r.explored);
  }
  r.replay = asInvoked(r.replay);
  if (r.failure) r.failure.replay = asInvoked(r.failure.replay);
  if (opts.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
  else printReport(r, (l) => println(io, l));
  return r.ok ? 0 : 1;
}

/** The terminal report: what was explored, per operation, the verdict and the first failure. */
export function printReport(r: ExploreReport, say: (line: string) => void): void {
  // Prose wraps to the terminal; a command is never broken (views/text-width.ts).
  const width = terminalColumns();
  const wrap = (line: string, indent = '  ') => {
    for (const l of fitProse(indent + line, width)) say(l);
  };
  const command = (label: string, cmd: string) => {
    for (const l of fitCommand(label, cmd, width)) say(l);
  };
  say(chalk.bold(`explore ${r.allocator} on ${r.mcu} · model ${r.model} · heap ${r.heap} B`));
  wrap(`workload: ${r.workload}`);
  wrap(`handler: ${r.isr}`);
  wrap(
    `bounds: ${Object.entries(r.bounds)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  for (const o of r.operations) {
    wrap(
      `operation ${o.operation} ${o.call}: ${o.instructions} instructions, ${o.points.toLocaleString('en')} points, ${o.distinct.toLocaleString('en')} distinct states${o.deferred ? `, ${o.deferred} taken late` : ''}${o.failing ? chalk.red(`, ${o.failing} failing`) : ''}`,
    );
  }
  wrap(`${r.ok ? chalk.green('SAFE') : chalk.red('UNSAFE')} ${r.verdict.replace(/^(safe|unsafe): ?/, '')}`, '');
  if (r.failure) {
    const v = r.failure.violation;
    wrap(`first failing point ${r.failure.at}: rule ${v.rule} at operation ${v.operation}: ${v.message}`);
    const where = [v.pc !== undefined ? `pc 0x${v.pc.toString(16).padStart(8, '0')}` : '', v.symbol, v.source].filter(Boolean).join(' ');
    if (where) say(`  at ${where}`);
    command('replay:', r.failure.replay);
    for (const line of r.failure.explanation ?? []) wrap(line.trim(), line.startsWith('  ') ? '    ' : '  ');
  }
  command(`${r.seconds.toFixed(2)} s; explore again:`, r.replay);
}

export function exploreCommand(ctx: Ctx): Command {
  const models = MODELS.map((m) => {
    const b = Object.entries(m.bounds)
      .map(([k, s]) => `    ${k}=N  ${s.help} (default ${s.default}; ${s.min} to ${s.max.toLocaleString('en')})`)
      .join('\n');
    return `  ${m.name}: ${m.description}\n${b}`;
  });
  return new Command('explore')
    .description('Interrupt every call of a workload at every instruction boundary, and say whether the allocator is safe at all of them.')
    .argument('<allocator>', ALLOCATOR_HELP)
    .addOption(mcuOption())
    .addOption(new Option('--model <model>', 'the interrupt model').choices(MODELS.map((m) => m.name)).default('isr'))
    .option('--bound <name=N,…>', "the model's bounds (below)")
    .option('--heap <size>', 'heap bytes given to sl_init (default 16K, or the whole heap region if smaller)', parseSize)
    .option('--preempt-at <point>', 'run one point only: OP:INSTRUCTION (nested: OP:INSTRUCTION:INNER), as a failure names it')
    .option('--shard <k/n>', 'explore the k-th of n parts of the distinct states (then: sramlab merge)', parseShardOption)
    .option('--json', 'print the report as JSON (schema sramlab.explore/1, docs/json.md)')
    .addOption(forceOption())
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab explore slab --mcu cortex-m0',
        'sramlab explore galloc --mcu cortex-m3 --json',
        'sramlab explore ./fw.elf --mcu cortex-m4 --model nested --bound inner=64',
        'sramlab explore ./fw.elf --model systick --bound ticks=2,period=500',
        'sramlab explore galloc --mcu cortex-m0 --preempt-at 7:15       # one point, as a failure names it',
        'sramlab explore slab --shard 2/4 --json > part-2.json         # then: sramlab merge part-*.json',
        'sramlab explore galloc --model two-core --mcu rp2040          # two cores at once; --preempt-at 0:8,1:15,0 replays one schedule',
      ]) +
        `
Models and their bounds (--bound name=N,name=N):
${models.join('\n')}
Points are "after I instructions of operation OP"; points whose interrupt finds the same state
(registers, masks, written SRAM) are run once. docs/explore.md says what a pass means.
Exit status: 0 safe at every point explored, 1 a point failed, 2 bad input.
`,
    )
    .action((alloc: string, opts: ExploreOptions) => {
      ctx.status = explore(alloc, opts, ctx.io);
    });
}
