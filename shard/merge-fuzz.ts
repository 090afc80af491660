// sramlab.fuzz/1 shards joined. The unsharded search stops at its first failing sequence; a
// shard stops at the first failing one of its own. So the merged result is the failure of the
// lowest-numbered sequence any shard saw fail, and — with --sequences, where every shard covered
// its part up to its own failure or the end — that is exactly the unsharded search's: the same
// sequence, shrunk the same way, after the same sequences 0 … m, whose operations are counted
// here again from the seed (one PRNG stream, runners/fuzz.ts sequencesOf). A search for a
// time (--time) has no fixed whole: its shards' counts are summed.

import { type FuzzShardInfo, printFuzzResult, type ShardedFuzzResult } from '../cli/fuzz.ts';
import { type FuzzResult, sequencesOf } from '../runners/fuzz.ts';
import { itemsOfShard } from './info.ts';
import type { Merger } from './merge.ts';
import { MergeError, nameOf, type ShardedDoc, sameExcept } from './merge-parts.ts';

/** The operations of sequences 0 … last of the search from seed. */
function operationsUpTo(seed: number, last: number): number {
  let ops = 0,
    i = 0;
  for (const seq of sequencesOf(seed)) {
    ops += seq.length;
    if (i++ === last) break;
  }
  return ops;
}

export const fuzzMerger: Merger = {
  schema: 'sramlab.fuzz/1',
  merge(shards: ShardedDoc[]): FuzzResult {
    sameExcept(shards, ['sequences', 'operations', 'violation', 'minimal', 'replay']);
    const docs = shards as unknown as (ShardedFuzzResult & { shard: FuzzShardInfo })[];
    const total = docs[0]!.shard.total;
    docs.forEach((d, i) => {
      const name = nameOf(shards[i]!);
      const at = d.shard.failedSequence;
      if (at !== null && (!Number.isInteger(at) || at % d.shard.count !== d.shard.index - 1 || (total !== null && at >= total))) {
        throw new MergeError(`${name}: its failedSequence ${at} is not one of its sequences`);
      }
      if ((at === null) !== (d.violation === null)) throw new MergeError(`${name}: failedSequence and violation disagree`);
      // A fixed campaign: a shard ran every one of its sequences, or those up to its failure.
      const ran = at === null ? itemsOfShard(total ?? 0, d.shard) : Math.floor(at / d.shard.count) + 1;
      if (total !== null && d.sequences !== ran) {
        throw new MergeError(`${name} ran ${d.sequences} sequences, not the ${ran} of its share of ${total}`);
      }
    });
    const failures = docs.filter((d) => d.shard.failedSequence !== null);
    const first = failures.reduce<(typeof docs)[number] | undefined>(
      (a, d) => (a === undefined || d.shard.failedSequence! < a.shard.failedSequence! ? d : a),
      undefined,
    );
    const base = first ?? docs[0]!;
    const m = first?.shard.failedSequence ?? null;
    const sum = (f: (d: FuzzResult) => number) => docs.reduce((t, d) => t + f(d), 0);
    const exact = total !== null;
    return {
      schema: 'sramlab.fuzz/1',
      allocator: base.allocator,
      mcu: base.mcu,
      seed: base.seed,
      sequences: exact && m !== null ? m + 1 : sum((d) => d.sequences),
      operations: exact && m !== null ? operationsUpTo(base.seed, m) : sum((d) => d.operations),
      violation: first ? first.violation : null,
      minimal: first ? first.minimal : null,
      replay: first ? first.replay : null,
    };
  },
  status: (m) => ((m as FuzzResult).violation ? 1 : 0),
  print: (m, _opts, say) => printFuzzResult(m as FuzzResult, say),
};
