// sramlab.compare/1 shards joined: the runs back in compare's order (allocator, then MCU, then
// scenario), the table and the HTML page made from the whole.

import { printCompare, writeHtml } from '../cli/compare.ts';
import { type CompareReport, jobsOf } from '../runners/compare.ts';
import { allocatorName } from '../runners/image.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import type { Merger } from './merge.ts';
import { interleave, listOf, MergeError, type ShardedDoc, sameExcept, sameItems } from './merge-parts.ts';

/** The merged table's time: what the shards' runs took, summed (they ran on other machines, maybe at once). */
const seconds = new WeakMap<object, number>();

/** The scenarios in column order: as compare lists them, in the order of their first run. */
const scenariosOf = (r: CompareReport) => [...new Set(r.results.map((x) => x.scenario))];

export const compareMerger: Merger = {
  schema: 'sramlab.compare/1',
  merge(shards: ShardedDoc[]): CompareReport {
    sameExcept(shards, ['results']);
    const total = shards[0]!.shard.total;
    if (total === null) throw new MergeError('a compare shard without a total of runs: not one sramlab writes');
    const results = interleave(
      shards,
      shards.map((d) => listOf<ScenarioResult>(d, 'results')),
      total,
      'runs',
    );
    // The whole's jobs, named as results name them (a user's image by its file name).
    const run = shards[0]!.shard.run;
    const jobs = jobsOf({
      allocators: (run.alloc as string[]).map(allocatorName),
      mcus: run.mcu as string[],
      scenarios: run.scenario as string[],
      seed: 0,
      ops: 0,
    });
    sameItems(
      shards,
      results.map((r) => `${r.allocator} / ${r.mcu} / ${r.scenario}`),
      jobs.map((j) => `${j.allocator} / ${j.mcu} / ${j.scenario}`),
    );
    const first = shards[0] as unknown as CompareReport;
    const merged: CompareReport = { schema: 'sramlab.compare/1', seed: first.seed, ops: first.ops, heap: first.heap, results };
    seconds.set(
      merged,
      shards.reduce((t, d) => t + (d.shard.seconds ?? 0), 0),
    );
    return merged;
  },
  status: (m) => ((m as CompareReport).results.every((r) => r.ok) ? 0 : 1),
  print(m, opts, say) {
    const r = m as CompareReport;
    printCompare(r, scenariosOf(r), seconds.get(m) ?? 0, opts.wide === true, say);
  },
  html(m, run, file, opts, io) {
    const r = m as CompareReport;
    const alloc = run.alloc as string[],
      mcu = run.mcu as string[];
    writeHtml(file, r, alloc, mcu[0]!, { seed: r.seed, ops: r.ops, heap: r.heap ?? undefined }, { ...opts, force: run.force === true }, io);
  },
};
