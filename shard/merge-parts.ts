// What every merger (shard/merge-*.ts) uses: the bad-input error, the document shape merge.ts
// has vetted, putting the shards' items back in the whole's order, and checking that the members
// a shard does not own are the same in every shard.

import { isDeepStrictEqual } from 'node:util';
import { itemsOfShard, type ShardInfo } from './info.ts';

/** Shards that cannot be joined: one line, exit status 2. */
export class MergeError extends Error {}

/** A sramlab JSON document written with --shard, as merge.ts hands it on (schema and shard checked). */
export type ShardedDoc = { schema: string; shard: ShardInfo } & Record<string, unknown>;

/** "shard 3/8 (b.json)": how a message names a shard. */
export const nameOf = (d: ShardedDoc, file?: string): string => `shard ${d.shard.index}/${d.shard.count}${file ? ` (${file})` : ''}`;

/**
 * Each shard's items (shards in order 1 … n) back in the whole's order: --shard deals item i to
 * shard i mod n + 1 (shard/partition.ts), so item i is the (i div n)-th of that shard. Refuses a
 * shard holding other than its share of `total` items.
 */
export function interleave<T>(shards: readonly ShardedDoc[], parts: readonly (readonly T[])[], total: number, noun: string): T[] {
  shards.forEach((d, k) => {
    const want = itemsOfShard(total, d.shard);
    if (parts[k]!.length !== want)
      throw new MergeError(`${nameOf(d)} holds ${parts[k]!.length} ${noun}, not its share of ${want} of ${total}`);
  });
  const n = shards.length;
  return Array.from({ length: total }, (_, i) => parts[i % n]![Math.floor(i / n)]!);
}

/** The array member `key` of a document, or a MergeError naming it. */
export function listOf<T>(d: ShardedDoc, key: string): T[] {
  const v = d[key];
  if (!Array.isArray(v)) throw new MergeError(`${nameOf(d)}: its ${d.schema} document has no '${key}' list`);
  return v as T[];
}

/** Refuses shards that differ in any member but `own` (their parts) and `shard`: they are not of one run. */
export function sameExcept(shards: readonly ShardedDoc[], own: readonly string[]): void {
  const skip = new Set([...own, 'shard']);
  const first = shards[0]!;
  for (const d of shards.slice(1)) {
    for (const key of new Set([...Object.keys(first), ...Object.keys(d)])) {
      if (skip.has(key) || isDeepStrictEqual(first[key], d[key])) continue;
      throw new MergeError(`${nameOf(d)} differs from ${nameOf(first)} in '${key}': not the same run`);
    }
  }
}

/**
 * Refuses items that are not the run's: `keys` are the merged items' names, `want` the whole
 * run's work in order (from `shard.run`). A shard's document edited or mislabelled shows here.
 */
export function sameItems(shards: readonly ShardedDoc[], keys: readonly string[], want: readonly string[]): void {
  keys.forEach((got, i) => {
    if (got !== want[i]) throw new MergeError(`${nameOf(shards[i % shards.length]!)} holds '${got}' where the run has '${want[i]}'`);
  });
}
