// sramlab fuzz: random sequences with every check on, shrunk to a replayable one on failure.

import chalk from 'chalk';
import { Command, Option } from 'commander';
import { Session } from '../checks/session.ts';
import { decode, execute, type FuzzResult, fuzzSearch } from '../runners/fuzz.ts';
import { AllocatorImage, shellWord } from '../runners/image.ts';
import { DEFAULT_HEAP } from '../scenarios/index.ts';
import { imageDigest, itemsOfShard, parseShardOption, type ShardInfo, shardInfo, shardLine } from '../shard/info.ts';
import type { Shard } from '../shard/partition.ts';
import {
  ALLOCATOR_HELP,
  allocatorArg,
  asInvoked,
  type Ctx,
  countIn,
  EXAMPLES,
  forceOption,
  mcuOption,
  parseDuration,
  parseSeed,
  parseSize,
  profileFrom,
  showProgress,
  UsageError,
} from './common.ts';
import { checkHeapFits } from './heap.ts';
import { type Io, println } from './io.ts';

interface FuzzCliOptions {
  alloc: string;
  mcu: string;
  time: number;
  seed: number;
  heap?: number;
  replay?: string;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
  sequences?: number;
  shard?: Shard;
}

/** The most sequences a campaign may fix: a week of searching at the fastest. */
const MAX_SEQUENCES = 100_000_000;

/** The `shard` member of a sharded search: the number of the sequence that failed, in the whole search (null: none). */
export type FuzzShardInfo = ShardInfo & { failedSequence: number | null };

/** sramlab.fuzz/1, with the `shard` member of a sharded run. */
export type ShardedFuzzResult = FuzzResult & { shard?: FuzzShardInfo };

function fuzzCmd(opts: FuzzCliOptions, io: Io): number {
  const say = (line: string) => println(io, line);
  profileFrom(opts);
  allocatorArg(opts.alloc);
  const target = {
    allocator: opts.alloc,
    mcu: opts.mcu,
    heap: opts.heap ?? DEFAULT_HEAP,
    ...(opts.force ? { load: { force: true } } : {}),
  };
  let ops: ReturnType<typeof decode> | undefined;
  if (opts.replay !== undefined) {
    try {
      ops = decode(opts.replay);
    } catch (e) {
      throw new UsageError(`--replay: ${(e as Error).message}`);
    }
    // An empty sequence is one fuzz prints: sl_init and the leak rule alone already broke a rule.
  }
  if (ops !== undefined && opts.shard)
    throw new UsageError('--shard with --replay: a replay is one sequence, there is nothing to share out');
  if (opts.heap !== undefined) checkFuzzHeap(target);
  if (ops !== undefined) {
    const v = execute(target, ops);
    if (opts.json)
      io.out(`${JSON.stringify({ schema: 'sramlab.fuzz-replay/1', ...target, operations: ops.length, violation: v }, null, 2)}\n`);
    else if (v) say(`${chalk.red('FAIL')} rule ${chalk.bold(v.rule)} at operation ${v.operation}: ${v.message}`);
    else say(`${chalk.green('PASS')} ${ops.length} operations, every check held`);
    return v ? 1 : 0;
  }
  const tty = showProgress(opts);
  const t0 = performance.now();
  if (opts.shard && !opts.json) {
    const s = opts.shard,
      total = opts.sequences;
    say(
      total === undefined
        ? `shard ${s.index}/${s.count}: sequences ${s.index - 1}, ${s.index - 1 + s.count}, ${s.index - 1 + 2 * s.count}, … of the search (numbered from 0), for ${opts.time} s`
        : shardLine(s, itemsOfShard(total, s), total, 'sequences'),
    );
  }
  const { result, failedSequence } = fuzzSearch(
    target,
    opts.seed,
    opts.time,
    { sequences: opts.sequences, shard: opts.shard },
    tty
      ? (n) => {
          if (n % 10 === 0)
            io.err(
              opts.sequences === undefined
                ? `\r${n} sequences, ${((performance.now() - t0) / 1000).toFixed(0)} s of ${opts.time} s`
                : `\r${n} sequences, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
            );
        }
      : undefined,
  );
  const r: ShardedFuzzResult = result;
  if (tty) io.err(`\r${' '.repeat(50)}\r`);
  // The replay as this process was started, with the allocator (a path, maybe) as one shell word.
  if (r.minimal !== null) {
    r.replay = asInvoked(
      `sramlab fuzz --alloc ${shellWord(opts.alloc)} --mcu ${opts.mcu} --heap ${target.heap}${opts.force ? ' --force' : ''} --replay '${r.minimal}'`,
    );
  }
  if (opts.shard) {
    const run = {
      alloc: opts.alloc,
      sha256: imageDigest(opts.alloc),
      mcu: opts.mcu,
      seed: opts.seed,
      heap: target.heap,
      sequences: opts.sequences ?? null,
      time: opts.sequences === undefined ? opts.time : null,
      force: opts.force === true,
    };
    const total = opts.sequences ?? null;
    r.shard = {
      ...shardInfo(opts.shard, 'fuzz', run, total, total === null ? r.sequences : itemsOfShard(total, opts.shard)),
      failedSequence,
    };
  }
  if (opts.json) {
    io.out(`${JSON.stringify(r, null, 2)}\n`);
  } else printFuzzResult(r, say);
  return r.violation ? 1 : 0;
}

/** The terminal report of a search (`sramlab merge` prints a merged one with it). */
export function printFuzzResult(r: FuzzResult, say: (line: string) => void): void {
  if (r.violation) {
    say(`${chalk.red('FAIL')} ${r.allocator} on ${r.mcu}: rule ${chalk.bold(r.violation.rule)} after ${r.sequences} sequences`);
    say(`  ${r.violation.message}`);
    say(`  minimal sequence (${r.minimal!.split(',').length} ops): ${r.minimal}`);
    say(`  replay: ${r.replay}`);
  } else {
    say(`${chalk.green('PASS')} ${r.allocator} on ${r.mcu}: ${r.sequences} sequences, ${r.operations} operations, every check held`);
  }
}

/**
 * Fuzzing runs its own set-up (runners/fuzz.ts execute: sl_init, no scenario), so the heap is
 * probed the way it runs: a session on a fresh image, handed to the probe before sl_init.
 */
function checkFuzzHeap(t: { allocator: string; mcu: string; heap: number; load?: { force?: boolean } }): void {
  checkHeapFits(
    (heap, observe) => {
      const image = AllocatorImage.load(t.allocator, t.mcu, t.load);
      const region = image.layout.heapRegion.end - image.layout.heapRegion.start;
      if (heap > region) throw new UsageError(`--heap ${heap}: does not fit ${image.label}'s heap region of ${region} bytes`);
      const s = new Session(image);
      observe(s);
      s.init(heap);
      return null;
    },
    t.heap,
    `${t.allocator} on ${t.mcu}`,
  );
}

export function fuzzCommand(ctx: Ctx): Command {
  return new Command('fuzz')
    .description('Random operation sequences with every check on; a failure is shrunk to a minimal sequence you can replay.')
    .requiredOption('--alloc <allocator>', ALLOCATOR_HELP)
    .addOption(mcuOption())
    .addOption(new Option('--time <duration>', 'how long to search (30s, 2m, 1h; at most a week)').argParser(parseDuration).default(30))
    .addOption(
      new Option(
        '--sequences <n>',
        'search exactly this many sequences instead of for a time: the same campaign on any machine, in any shards',
      )
        .argParser(countIn(1, MAX_SEQUENCES))
        .conflicts('time'),
    )
    .option('--seed <n>', 'seed of the search (0 to 4294967295)', parseSeed, 1)
    .option('--heap <size>', 'heap bytes given to sl_init (default 16K)', parseSize)
    .option('--replay <ops>', "run one sequence again, as printed: 'a24:8,a100:4,f0,r1:300' ('' is sl_init and the leak rule alone)")
    .option('--json', 'print the result as JSON (schema sramlab.fuzz/1)')
    .option('--quiet', 'no progress line')
    .addOption(forceOption())
    .option(
      '--shard <k/n>',
      'run only sequences k-1, k-1+n, k-1+2n, … of the search (numbered from 0); join the parts with `sramlab merge`',
      parseShardOption,
    )
    .addHelpText(
      'after',
      `${EXAMPLES([
        'sramlab fuzz --alloc emballoc --mcu cortex-m0 --time 30s',
        "sramlab fuzz --alloc chunk --replay 'a900:4,r0:150,f0'",
        'sramlab fuzz --alloc ./fw.elf --mcu cortex-m3 --time 1m          # your own image',
        'sramlab fuzz --alloc galloc --sequences 8000 --shard 3/8 --json > shard-3.json   # one of 8 CI jobs; then: sramlab merge shard-*.json',
      ])}\nOps: aSIZE:ALIGN allocates; fN frees the block op N allocated; rN:SIZE reallocs it.\n`,
    )
    .action((opts: FuzzCliOptions) => {
      ctx.status = fuzzCmd(opts, ctx.io);
    });
}
