// `sramlab merge`: the JSON of every shard of one sharded run (--shard 1/n … n/n) joined into the
// document the unsharded run would have printed.
//
// The registry: one merger per JSON schema, in MERGERS below, one file each (shard/merge-check.ts
// for sramlab.check/1, …). A merger is plain data and functions:
//   schema   the `schema` member of the documents it joins;
//   merge    shards of one run → the unsharded document (no `shard` member). It gets every shard
//            exactly once, in order 1 … n, all of one schema, count, version and `shard.run`
//            (mergeDocs checked that); it checks the rest itself (shard/merge-parts.ts helps:
//            interleave puts items back in the whole's order, sameExcept refuses shards that
//            differ outside their parts) and throws MergeError, one line, for what does not fit;
//   status   the merged document's exit status: 0 every check held, 1 a check failed;
//   print    the terminal report, as the unsharded command prints it;
//   junit, html   optional: the report files the unsharded command writes (--junit, --html).
// To add a schema: write shard/merge-<command>.ts exporting such an object, and add it to MERGERS.

import { readFileSync } from 'node:fs';
import type { Io } from '../cli/io.ts';
import type { RunKey } from './info.ts';
import { checkMerger } from './merge-check.ts';
import { compareMerger } from './merge-compare.ts';
import { exploreMerger } from './merge-explore.ts';
import { fuzzMerger } from './merge-fuzz.ts';
import { MergeError, type ShardedDoc } from './merge-parts.ts';

/** What merge's own flags ask of the terminal report. */
export interface MergePrintOptions {
  quiet?: boolean;
  wide?: boolean;
}

export interface Merger {
  schema: string;
  merge(shards: ShardedDoc[]): object;
  status(merged: object): 0 | 1;
  print(merged: object, opts: MergePrintOptions, say: (line: string) => void): void;
  junit?(merged: object): string;
  /** Writes the HTML report to `file`; `run` is the shards' `shard.run` (the options as given, e.g. image paths). */
  html?(merged: object, run: RunKey, file: string, opts: MergePrintOptions, io: Io): void;
}

export const MERGERS: readonly Merger[] = [checkMerger, fuzzMerger, compareMerger, exploreMerger];

const mergerOf = (schema: string) => MERGERS.find((m) => m.schema === schema);

/** Reads one shard's file: a sramlab JSON document written with --shard, or a MergeError naming the file. */
export function readShard(file: string): ShardedDoc {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new MergeError(`cannot read '${file}': ${err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MergeError(`${file}: not JSON (give the output of a sramlab command run with --json --shard k/n)`);
  }
  const d = doc as Partial<ShardedDoc> | null;
  if (typeof d !== 'object' || d === null || typeof d.schema !== 'string' || !d.schema.startsWith('sramlab.')) {
    throw new MergeError(`${file}: not a sramlab JSON document (no 'schema' member naming one)`);
  }
  if (!mergerOf(d.schema)) {
    throw new MergeError(`${file}: ${d.schema} documents cannot be merged (mergeable: ${MERGERS.map((m) => m.schema).join(', ')})`);
  }
  const s = d.shard;
  if (typeof s !== 'object' || s === null)
    throw new MergeError(`${file}: a ${d.schema} document without a 'shard' member: run it with --shard k/n`);
  const whole = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  if (!whole(s.index) || !whole(s.count) || s.index < 1 || s.index > s.count || !whole(s.items) || !(s.total === null || whole(s.total))) {
    throw new MergeError(`${file}: its 'shard' member is not one sramlab writes`);
  }
  if (typeof s.run !== 'object' || s.run === null || typeof s.version !== 'string') {
    throw new MergeError(`${file}: its 'shard' member is not one sramlab writes`);
  }
  return d as ShardedDoc;
}

/** The first key whose value differs between two runs, for the message. */
function firstDifference(a: RunKey, b: RunKey): string {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return `${k} ${JSON.stringify(a[k] ?? null)} vs ${JSON.stringify(b[k] ?? null)}`;
  }
  return '';
}

/**
 * Vets the shards as one whole — one schema, one version, one run, every shard 1 … n exactly
 * once — and joins them with their schema's merger.
 */
export function mergeDocs(files: readonly string[], docs: readonly ShardedDoc[]): { merger: Merger; merged: object; run: RunKey } {
  if (docs.length === 0) throw new MergeError('give the JSON files of the shards');
  const first = docs[0]!,
    f0 = files[0];
  const n = first.shard.count;
  const byIndex = new Map<number, number>();
  docs.forEach((d, i) => {
    const f = files[i];
    if (d.schema !== first.schema) throw new MergeError(`${f} is ${d.schema}, ${f0} is ${first.schema}: one run's shards have one schema`);
    if (d.shard.version !== first.shard.version) {
      throw new MergeError(
        `${f} was written by sramlab ${d.shard.version}, ${f0} by ${first.shard.version}: run every shard with one version`,
      );
    }
    if (d.shard.count !== n)
      throw new MergeError(`${f} is shard ${d.shard.index}/${d.shard.count}, ${f0} is of ${n} shards: not the same run`);
    const diff = firstDifference(first.shard.run, d.shard.run);
    if (diff) throw new MergeError(`${f} is of another run than ${f0} (${diff})`);
    const again = byIndex.get(d.shard.index);
    if (again !== undefined) throw new MergeError(`shard ${d.shard.index}/${n} is given twice: ${files[again]} and ${f}`);
    byIndex.set(d.shard.index, i);
  });
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  if (missing.length) throw new MergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')} missing`);
  const ordered = Array.from({ length: n }, (_, k) => docs[byIndex.get(k + 1)!]!);
  const merger = mergerOf(first.schema)!;
  return { merger, merged: merger.merge(ordered), run: first.shard.run };
}
