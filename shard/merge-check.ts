// sramlab.check/1 shards joined: the scenarios back in check's order, the counts, the footprint
// and the gates recomputed over the whole as the unsharded check computes them.

import { isDeepStrictEqual } from 'node:util';
import {
  type CheckReport,
  gatesOfMerged,
  junitXml,
  measuredFootprint,
  printCheckReport,
  type ScenarioOutcome,
  tally,
} from '../cli/check.ts';
import type { Merger } from './merge.ts';
import { interleave, listOf, MergeError, type ShardedDoc, sameExcept, sameItems } from './merge-parts.ts';

export const checkMerger: Merger = {
  schema: 'sramlab.check/1',
  merge(shards: ShardedDoc[]): CheckReport {
    // Each shard's own: its scenarios and their counts; the footprint (measured by its first
    // scenario) and the gates (over its scenarios) are the whole's only once joined.
    sameExcept(shards, ['scenarios', 'passed', 'failed', 'ok', 'gates', 'image']);
    const docs = shards as unknown as CheckReport[];
    for (const d of docs.slice(1)) {
      const { footprint: _a, ...img } = d.image;
      const { footprint: _b, ...img0 } = docs[0]!.image;
      if (!isDeepStrictEqual(img, img0))
        throw new MergeError(`shard ${d.shard!.index}/${d.shard!.count} checked another image than shard 1`);
    }
    const total = shards[0]!.shard.total;
    if (total === null) throw new MergeError('a check shard without a total of scenarios: not one sramlab writes');
    const scenarios = interleave(
      shards,
      shards.map((d) => listOf<ScenarioOutcome>(d, 'scenarios')),
      total,
      'scenarios',
    );
    sameItems(
      shards,
      scenarios.map((s) => s.name),
      shards[0]!.shard.run.scenario as string[],
    );
    const first = docs[0]!;
    const merged: CheckReport = {
      schema: 'sramlab.check/1',
      image: { ...first.image, footprint: measuredFootprint(scenarios) ?? first.image.footprint },
      profile: first.profile,
      seed: first.seed,
      ops: first.ops,
      ...tally(scenarios),
      skipped: first.skipped,
      skippedScenarios: first.skippedScenarios,
      scenarios,
    };
    const gates = gatesOfMerged({ ...merged, gates: first.gates });
    if (gates) {
      merged.gates = gates;
      merged.ok &&= gates.ok;
    }
    return merged;
  },
  status: (m) => ((m as CheckReport).ok ? 0 : 1),
  print: (m, opts, say) => printCheckReport(m as CheckReport, opts, say),
  junit: (m) => junitXml(m as CheckReport),
};
