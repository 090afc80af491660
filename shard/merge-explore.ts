// sramlab.explore/1 shards joined. Every shard of an exploration reaches every preemption point
// and computes every state's key (that much is needed to know which states are new), so points,
// distinct states, deferred points and the per-operation figures are the same in each; the states
// are dealt out by their number in order of discovery, and each shard explores its own to the
// end. So the whole's explored states, failing states and failing points are the shards' sums,
// and its first failing point the earliest any shard found: what the unsharded run reports.

import { printReport } from '../cli/explore.ts';
import { comparePoints, type ExploreReport, type OperationCoverage, verdictLine } from '../explore/report.ts';
import type { Merger } from './merge.ts';
import { MergeError, nameOf, type ShardedDoc, sameExcept } from './merge-parts.ts';

export const exploreMerger: Merger = {
  schema: 'sramlab.explore/1',
  merge(shards: ShardedDoc[]): ExploreReport {
    sameExcept(shards, ['explored', 'failingPoints', 'failingStates', 'operations', 'ok', 'failure', 'verdict', 'seconds']);
    const docs = shards as unknown as ExploreReport[];
    const first = docs[0]!;
    const strip = (o: OperationCoverage) => ({ ...o, failing: 0 });
    docs.forEach((d, k) => {
      if (JSON.stringify(d.operations.map(strip)) !== JSON.stringify(first.operations.map(strip)))
        throw new MergeError(`${nameOf(shards[k]!)} covers other operations than ${nameOf(shards[0]!)}: not the same run`);
    });
    const sum = (f: (d: ExploreReport) => number) => docs.reduce((t, d) => t + f(d), 0);
    const explored = sum((d) => d.explored);
    if (explored !== first.distinct)
      throw new MergeError(`the shards explored ${explored} states of ${first.distinct}: a shard is missing or repeated`);
    const failures = docs.map((d) => d.failure).filter((f) => f !== null);
    const failure = failures.sort((a, b) => comparePoints(a.point, b.point))[0] ?? null;
    const operations = first.operations.map((o, i) => ({ ...o, failing: sum((d) => d.operations[i]!.failing) }));
    const merged = {
      ...first,
      shard: null,
      explored,
      failingPoints: sum((d) => d.failingPoints),
      failingStates: sum((d) => d.failingStates),
      operations,
      ok: failure === null,
      failure,
      seconds: sum((d) => d.seconds),
    };
    return { ...merged, verdict: verdictLine(merged) };
  },
  status: (m) => ((m as ExploreReport).ok ? 0 : 1),
  print: (m, _opts, say) => printReport(m as ExploreReport, say),
};
