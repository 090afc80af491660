// The `shard` member of a sharded run's JSON: which part it is, of what whole, so that
// `sramlab merge` can tell that it holds every part of one invocation exactly once. Present
// only with --shard (1/1 included); an unsharded document has none, and neither has a merged one.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { isElfPath } from '../runners/image.ts';
import { parseShard, type Shard } from './partition.ts';

/** The version of sramlab that wrote a document: shards of different versions may not count alike. */
export const SRAMLAB_VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** The options that fix a run's work and results: every shard of one invocation has the same. */
export type RunKey = Record<string, string | number | boolean | null | readonly string[]>;

export interface ShardInfo {
  /** 1-based: shard 3 of 8. */
  index: number;
  count: number;
  /** Work items of the whole run (null: not fixed in advance, e.g. fuzz --time) and of this shard. */
  total: number | null;
  items: number;
  /** The command and its options, output flags (--json, --junit, --html, --quiet, --workers) left out. */
  run: RunKey;
  version: string;
  /** compare only: the host seconds its runs took (a merged table says the shards' sum). */
  seconds?: number;
}

/** The member for shard s of a whole of `total` items, with the shard's `items`. */
export function shardInfo(s: Shard, command: string, run: RunKey, total: number | null, items: number): ShardInfo {
  return { index: s.index, count: s.count, total, items, run: { command, ...run }, version: SRAMLAB_VERSION };
}

/**
 * The SHA-256 of a user's image (hex), so that shards built apart are known to have run the same
 * bytes; null for a built-in allocator's name or a file that cannot be read (the command refuses it).
 */
export function imageDigest(spec: string): string | null {
  if (!isElfPath(spec)) return null;
  try {
    return createHash('sha256').update(readFileSync(spec)).digest('hex');
  } catch {
    return null;
  }
}

/** How many of a whole of `total` items shard s takes (round-robin: item i goes to shard i mod n + 1). */
export const itemsOfShard = (total: number, s: Shard): number => Math.max(0, Math.ceil((total - (s.index - 1)) / s.count));

/** "shard 3/8: 33 of 264 runs", the line a sharded run prints first. */
export function shardLine(s: Shard, items: number, total: number | null, noun: string): string {
  return `shard ${s.index}/${s.count}: ${items} of ${total ?? 'an open number of'} ${noun}`;
}

/** Commander's parser for --shard: a bad value is one line naming what is wrong (exit 2). */
export function parseShardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--shard '[^']*': /, ''));
  }
}
