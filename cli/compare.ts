// sramlab compare: scenarios × allocators × profiles on worker threads; a table or JSON.

import chalk from 'chalk';
import { Command } from 'commander';
import { PROFILES } from '../emulator/profiles.ts';
import { heapMapViews } from '../report/heap-maps.ts';
import { renderCompareHtml } from '../report/html.ts';
import { type CompareReport, compare, jobsOf, shardJobsOf } from '../runners/compare.ts';
import { AllocatorImage, allocatorName, isElfPath, type LoadOptions, shellWord } from '../runners/image.ts';
import { runScenario, SCENARIOS, type ScenarioParams } from '../scenarios/index.ts';
import { imageDigest, parseShardOption, type ShardInfo, shardInfo, shardLine } from '../shard/info.ts';
import type { Shard } from '../shard/partition.ts';
import { renderCompare } from '../views/compare-table.ts';
import { terminalColumns } from '../views/text-width.ts';
import { chooseScenarios } from './check.ts';
import {
  ALLOCATOR_HELP,
  allocatorListArg,
  asInvoked,
  type Ctx,
  checkReportPath,
  countIn,
  EXAMPLES,
  forceOption,
  invocation,
  listOption,
  paintErr,
  parseNonEmpty,
  parseOps,
  parseSeed,
  parseSize,
  showProgress,
  UsageError,
  writeReportAtomically,
} from './common.ts';
import { checkHeapFits } from './heap.ts';
import { type Io, println } from './io.ts';

interface CompareCliOptions {
  alloc?: string;
  mcu?: string;
  scenario?: string;
  seed: number;
  ops: number;
  heap?: number;
  json?: boolean;
  html?: string;
  workers?: number;
  quiet?: boolean;
  wide?: boolean;
  force?: boolean;
  shard?: Shard;
}

/** sramlab.compare/1, with the `shard` member of a sharded run. */
export type ShardedCompareReport = CompareReport & { shard?: ShardInfo };

async function compareCmd(opts: CompareCliOptions, io: Io): Promise<number> {
  const allocators = allocatorListArg(opts.alloc);
  const mcus = listOption(opts.mcu, Object.keys(PROFILES), 'MCU');
  const load: LoadOptions = opts.force ? { force: true } : {};
  const o = {
    allocators,
    mcus,
    scenarios:
      userImageScenarios(allocators, mcus, opts.scenario, load) ??
      listOption(
        opts.scenario,
        SCENARIOS.map((x) => x.name),
        'scenario',
      ),
    seed: opts.seed,
    ops: opts.ops,
    heap: opts.heap,
    workers: opts.workers,
    load,
    shard: opts.shard,
  };
  if (opts.html !== undefined) checkReportPath(opts.html, '--html');
  if (opts.html !== undefined && opts.shard)
    throw new UsageError('--html with --shard: a page of one part is no report; write it with `sramlab merge … --html`');
  if (o.heap !== undefined) {
    for (const j of shardJobsOf(o)) {
      checkHeapFits(
        (heap, observe) => runScenario(j.scenario, j.allocator, j.mcu, { seed: o.seed, ops: o.ops, heap }, { ...load, observe }),
        o.heap,
        `${j.allocator} on ${j.mcu} in ${j.scenario}`,
      );
    }
  }
  const total = shardJobsOf(o).length;
  const t0 = performance.now();
  const report: ShardedCompareReport = await compare(
    o,
    showProgress(opts)
      ? (done) => {
          const width = 30,
            filled = Math.round((done / total) * width);
          io.err(`\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} runs`);
          if (done === total) io.err(`\r${' '.repeat(width + 20)}\r`);
        }
      : undefined,
  );
  for (const r of report.results) r.replay = asInvoked(r.replay);
  const secs = (performance.now() - t0) / 1000;
  if (opts.shard) {
    const run = {
      alloc: o.allocators,
      sha256: o.allocators.map((a) => imageDigest(a) ?? '-'),
      mcu: o.mcus,
      scenario: o.scenarios,
      seed: o.seed,
      ops: o.ops,
      heap: o.heap ?? null,
      force: opts.force === true,
    };
    report.shard = { ...shardInfo(opts.shard, 'compare', run, jobsOf(o).length, total), seconds: secs };
  }
  if (opts.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (opts.shard) printShard(report, opts.shard, jobsOf(o).length, secs, (line) => println(io, line));
  else printCompare(report, o.scenarios, secs, opts.wide === true, (line) => println(io, line));
  if (opts.html !== undefined) writeHtml(opts.html, report, o.allocators, o.mcus[0]!, { seed: o.seed, ops: o.ops, heap: o.heap }, opts, io);
  return report.results.every((r) => r.ok) ? 0 : 1;
}

/**
 * With users' images among the allocators: each is brought up on each profile now, so what
 * cannot run (unreadable, a missing ABI symbol, the wrong architecture) is refused in one line
 * before any worker starts; and the scenarios are check's for each image (undefined: none given).
 */
function userImageScenarios(allocators: string[], mcus: string[], requested: string | undefined, load: LoadOptions): string[] | undefined {
  const paths = allocators.filter(isElfPath);
  if (paths.length === 0) return undefined;
  let chosen: string[] | undefined;
  for (const path of paths) {
    for (const mcu of mcus) {
      const fits = chooseScenarios(requested, AllocatorImage.load(path, mcu, load));
      chosen = chosen === undefined ? fits : chosen.filter((n) => fits.includes(n));
    }
  }
  return chosen;
}

/** The page, with heap maps of each allocator on the first profile compared (one short run each, in this thread). */
export function writeHtml(
  file: string,
  report: CompareReport,
  allocators: string[],
  mcu: string,
  params: ScenarioParams,
  opts: Pick<CompareCliOptions, 'quiet' | 'force'>,
  io: Io,
): void {
  // A user's image is named by its file name on the page, as in the results.
  const maps = heapMapViews(allocators, mcu, params, undefined, opts.force ? { force: true } : {}).map((v) => ({
    ...v,
    allocator: allocatorName(v.allocator),
  }));
  const heap = params.heap === undefined ? '' : ` --heap ${params.heap}`;
  const command =
    `${invocation()} compare --alloc ${shellWord(allocators.join(','))} --mcu ${[...new Set(report.results.map((r) => r.mcu))].join(',')} ` +
    `--scenario ${[...new Set(report.results.map((r) => r.scenario))].join(',')} --seed ${params.seed} --ops ${params.ops}${heap} --html ${shellWord(file)}${opts.force ? ' --force' : ''}`;
  writeReportAtomically(file, renderCompareHtml(report, maps, command), '--html');
  // On stderr, so that --json keeps stdout a single JSON document.
  if (!opts.quiet) io.err(`${paintErr.dim('HTML report:')} ${file}\n`);
}

/** A shard's part is no table (its rows have holes): one line per run, then the count. */
function printShard(report: CompareReport, s: Shard, whole: number, secs: number, say: (line: string) => void): void {
  say(shardLine(s, report.results.length, whole, 'runs'));
  for (const r of report.results) {
    const what = r.ok ? chalk.green(r.caught ? `✓ caught ${r.caught.rule}` : '✓') : chalk.red(`✗ ${r.violation?.rule}`);
    say(`  ${what} ${r.allocator} / ${r.mcu} / ${r.scenario}`);
  }
  const failed = report.results.filter((r) => !r.ok).length;
  say(
    `${report.results.length} runs, ${failed} with a broken rule, in ${secs.toFixed(1)} s; join the shards with \`${invocation()} merge\``,
  );
}

/** The table, laid out for the screen (views/compare-table.ts); chalk adds no colour when stdout is not a terminal. */
export function printCompare(report: CompareReport, scenarios: string[], secs: number, wide: boolean, say: (line: string) => void): void {
  const lines = renderCompare({
    scenarios,
    results: report.results,
    secs,
    wide,
    width: terminalColumns(),
    invocation: invocation(),
    paint: { ok: chalk.green, bad: chalk.red, bold: chalk.bold, dim: chalk.dim },
  });
  for (const line of lines) say(line);
}

/** Each worker is a whole emulator with its own heap; more than this is a typo, not a machine. */
const MAX_WORKERS = 256;

export function compareCommand(ctx: Ctx): Command {
  return new Command('compare')
    .description('Run scenarios on allocators × MCU profiles with every check on; a table, or JSON (schema sramlab.compare/1).')
    .option('--alloc <list>', `allocators, comma-separated (default: every built-in); each ${ALLOCATOR_HELP}`)
    .option('--mcu <list>', 'MCU profiles, comma-separated (default: all)')
    .option('--scenario <list>', 'scenarios, comma-separated (default: all)')
    .option('--seed <n>', 'seed of the workloads (0 to 4294967295)', parseSeed, 1)
    .option('--ops <n>', 'operations per scenario that takes a count (1 to 10M)', parseOps, 1000)
    .option('--heap <size>', 'heap bytes given to sl_init', parseSize)
    .option('--workers <n>', `worker threads, 1 to ${MAX_WORKERS} (default: one per core)`, countIn(1, MAX_WORKERS))
    .option('--json', 'print every result as JSON')
    .option('--wide', 'the full table, a column per scenario, however wide the screen')
    .addOption(forceOption())
    .option(
      '--html <file>',
      'also write a self-contained HTML report: table, cycle distributions, utilisation, fragmentation, heap maps',
      parseNonEmpty,
    )
    .option('--quiet', 'no progress bar, no note of the file written')
    .option('--shard <k/n>', 'run only part k of n of the runs (round-robin); join the parts with `sramlab merge`', parseShardOption)
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab compare',
        'sramlab compare --alloc galloc,emballoc --mcu cortex-m0,cortex-m3',
        'sramlab compare --scenario fill-and-drain --json > results.json',
        'sramlab compare --mcu cortex-m0,cortex-m3 --html report.html',
        'sramlab compare --alloc galloc,./fw.elf --mcu cortex-m0 --html report.html   # your image beside a built-in',
        'sramlab compare --shard 3/8 --json > shard-3.json   # one of 8 CI jobs; then: sramlab merge shard-*.json --html report.html',
      ]) +
        `
A path to your own image (it contains '/' or ends in .elf) runs beside the built-ins and is named
by its file name. With one, the default scenarios are those \`sramlab check\` runs on it; a scenario
named with --scenario that cannot run on it is refused.
The table fits the screen: on a terminal its width, piped the COLUMNS environment variable or
80. When the full table (a column per scenario) is wider, each MCU profile gets a block with the
scenarios numbered and named in a legend, and the broken rules listed in words; --wide prints
the full table anyway.
Exit status: 0 every check held in every run, 1 some rule broke somewhere, 2 bad input.
`,
    )
    .action(async (opts: CompareCliOptions) => {
      ctx.status = await compareCmd(opts, ctx.io);
    });
}
