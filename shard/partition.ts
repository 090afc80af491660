// --shard k/n: a deterministic partition of a command's work, so that n machines (a CI matrix)
// each run one part and `sramlab merge` joins their JSON. Work items are numbered 0, 1, 2, … in
// an order the command fixes (its own, independent of the shard); shard k of n takes the items
// whose number is k-1 modulo n. Round-robin rather than contiguous ranges: neighbouring items
// tend to cost alike (one allocator's scenarios, one operation's preemption points), so dealing
// them out keeps the shards even.

export interface Shard {
  /** 1-based, as users write it: 1/8 … 8/8. */
  readonly index: number;
  readonly count: number;
}

/** The whole work, unsharded. */
export const WHOLE: Shard = { index: 1, count: 1 };

/** Parses "k/n" (1 ≤ k ≤ n ≤ 1024); throws a RangeError naming what is wrong. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`--shard '${text}': expected k/n, e.g. 3/8 (the third of eight shards)`);
  const index = Number(m[1]),
    count = Number(m[2]);
  if (count < 1 || count > 1024) throw new RangeError(`--shard '${text}': n must be 1 to 1024`);
  if (index < 1 || index > count) throw new RangeError(`--shard '${text}': k must be 1 to ${count}`);
  return { index, count };
}

/** Whether work item number i (0-based, in the command's fixed order) belongs to the shard. */
export const inShard = (i: number, s: Shard): boolean => i % s.count === s.index - 1;

/** The items of a list that belong to the shard, in their order. */
export const pickShard = <T>(items: readonly T[], s: Shard): T[] => items.filter((_, i) => inShard(i, s));

/** "3/8", as a report and a replay say it. */
export const shardText = (s: Shard): string => `${s.index}/${s.count}`;
