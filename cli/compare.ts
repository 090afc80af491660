// sramlab compare: scenarios × allocators × profiles on worker threads; a table or JSON.

import chalk from 'chalk';
import { Command } from 'commander';
import { PROFILES } from '../emulator/profiles.ts';
import { compare, jobsOf, type CompareReport } from '../scenarios/compare.ts';
import { heapMapViews } from '../report/heap-maps.ts';
import { renderCompareHtml } from '../report/html.ts';
import { ALLOCATORS } from '../scenarios/image.ts';
import { SCENARIOS, type ScenarioParams, type ScenarioResult } from '../scenarios/index.ts';
import { checkReportPath, EXAMPLES, listOption, paintErr, parseCount, parseSize, setExitStatus, showProgress, writeReportAtomically } from './common.ts';

interface CompareCliOptions { alloc?: string; mcu?: string; scenario?: string; seed: number; ops: number; heap?: number; json?: boolean; html?: string; workers?: number; quiet?: boolean }

async function compareCmd(opts: CompareCliOptions): Promise<number> {
  const o = {
    allocators: listOption(opts.alloc, ALLOCATORS.map((a) => a.name), 'allocator'),
    mcus: listOption(opts.mcu, Object.keys(PROFILES), 'MCU'),
    scenarios: listOption(opts.scenario, SCENARIOS.map((x) => x.name), 'scenario'),
    seed: opts.seed, ops: opts.ops, heap: opts.heap, workers: opts.workers,
  };
  if (opts.html) checkReportPath(opts.html, '--html');
  const total = jobsOf(o).length;
  const t0 = performance.now();
  const report = await compare(o, showProgress(opts) ? (done) => {
    const width = 30, filled = Math.round((done / total) * width);
    process.stderr.write(`\r${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${done}/${total} runs`);
    if (done === total) process.stderr.write('\r' + ' '.repeat(width + 20) + '\r');
  } : undefined);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else printCompare(report, o.scenarios, (performance.now() - t0) / 1000);
  if (opts.html) writeHtml(opts.html, report, o.allocators, o.mcus[0]!, { seed: o.seed, ops: o.ops, heap: o.heap }, opts);
  return report.results.every((r) => r.ok) ? 0 : 1;
}

/** The page, with heap maps of each allocator on the first profile compared (one short run each, in this thread). */
function writeHtml(file: string, report: CompareReport, allocators: string[], mcu: string, params: ScenarioParams, opts: CompareCliOptions): void {
  const maps = heapMapViews(allocators, mcu, params);
  writeReportAtomically(file, renderCompareHtml(report, maps), '--html');
  // On stderr, so that --json keeps stdout a single JSON document.
  if (!opts.quiet) process.stderr.write(`${paintErr.dim('HTML report:')} ${file}\n`);
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
      const text = r.ok && r.caught ? `✓ caught ${r.caught.rule}`
        : r.ok ? `✓ ${r.stats.alloc.cycles.median || ''}`.trimEnd() : `✗ ${r.violation!.rule}`;
      const padded = text.padEnd(colWidth);
      return r.ok ? chalk.green(padded) : chalk.red(padded);
    });
    console.log(key.padEnd(28) + cells.join(''));
  }
  const failed = report.results.filter((r) => !r.ok).length;
  console.log(chalk.dim(`✓ n: every check held; n = median alloc cycles. ✗ rule: the rule that broke (sramlab run <scenario> --alloc A --mcu P for the report).`));
  console.log(`${report.results.length} runs, ${failed} with a broken rule, in ${secs.toFixed(1)} s`);
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('Run scenarios on allocators × MCU profiles with every check on; a table, or JSON (schema sramlab.compare/1).')
    .option('--alloc <list>', 'allocators, comma-separated (default: all)')
    .option('--mcu <list>', 'MCU profiles, comma-separated (default: all)')
    .option('--scenario <list>', 'scenarios, comma-separated (default: all)')
    .option('--seed <n>', 'seed of the workloads', (v) => parseCount(v), 1)
    .option('--ops <n>', 'operations per scenario that takes a count', (v) => parseCount(v), 1000)
    .option('--heap <size>', 'heap bytes given to sl_init', parseSize)
    .option('--workers <n>', 'worker threads (default: one per core)', (v) => parseCount(v))
    .option('--json', 'print every result as JSON')
    .option('--html <file>', 'also write a self-contained HTML report: table, cycle distributions, utilisation, fragmentation, heap maps')
    .option('--quiet', 'no progress bar, no note of the file written')
    .addHelpText('after', EXAMPLES(['sramlab compare', 'sramlab compare --alloc galloc,emballoc --mcu cortex-m0,cortex-m3',
      'sramlab compare --scenario fill-and-drain --json > results.json', 'sramlab compare --mcu cortex-m0,cortex-m3 --html report.html']) +
      '\nExit status: 0 every check held in every run, 1 some rule broke somewhere, 2 bad input.\n')
    .action(async (opts: CompareCliOptions) => { setExitStatus(await compareCmd(opts)); });
}
