// `sramlab fuzz`: random operation sequences with every check on. On a failure the sequence
// is shrunk (ops removed while the same rule still breaks) and printed in a form that
// `sramlab fuzz --replay` runs again. Blocks are named by the op that allocated them, so a
// shrunk sequence still means the same thing.

import { checkNoLeak, leakBaseline } from '../checks/leak.ts';
import { type Block, Session, type SessionViolation, ViolationError } from '../checks/session.ts';
import { inShard, type Shard, WHOLE } from '../shard/partition.ts';
import { AllocatorImage, type LoadOptions } from './image.ts';
import { Prng } from './prng.ts';

export type FuzzOp = { k: 'a'; size: number; align: number } | { k: 'f'; ref: FuzzOp } | { k: 'r'; ref: FuzzOp; size: number };

export interface FuzzTarget {
  allocator: string;
  mcu: string;
  heap: number;
  load?: LoadOptions;
}

/** Runs a sequence on a fresh image; returns the violation, or null when every check held. */
export function execute(t: FuzzTarget, ops: readonly FuzzOp[]): SessionViolation | null {
  const s = new Session(AllocatorImage.load(t.allocator, t.mcu, t.load));
  const blocks = new Map<FuzzOp, Block>();
  try {
    s.init(t.heap);
    const base = leakBaseline(s);
    for (const op of ops) {
      if (op.k === 'a') {
        const b = s.alloc(op.size, op.align);
        if (b) blocks.set(op, b);
        continue;
      }
      const b = blocks.get(op.ref);
      if (!b) continue;
      if (op.k === 'f') {
        s.dealloc(b);
        blocks.delete(op.ref);
      } else {
        const moved = s.realloc(b, op.size);
        if (moved) blocks.set(op.ref, moved);
      }
    }
    checkNoLeak(s, base);
    return null;
  } catch (e) {
    if (e instanceof ViolationError) return e.violation;
    throw e;
  }
}

/** A random sequence: allocations of 1–512 bytes aligned 1–64, frees and reallocs of live blocks. */
export function generate(rng: Prng, length: number): FuzzOp[] {
  const ops: FuzzOp[] = [];
  const live: FuzzOp[] = [];
  for (let k = 0; k < length; k++) {
    const r = rng.below(10);
    if (r < 5 || live.length === 0) {
      const op: FuzzOp = { k: 'a', size: rng.between(1, 512), align: 2 ** rng.between(0, 6) };
      ops.push(op);
      live.push(op);
    } else if (r < 8) {
      const i = rng.below(live.length);
      ops.push({ k: 'f', ref: live[i] });
      live.splice(i, 1);
    } else {
      ops.push({ k: 'r', ref: rng.pick(live), size: rng.between(1, 1024) });
    }
  }
  return ops;
}

/** Removes ops (halves, then quarters, … then single ops) while the same rule still breaks. */
export function shrink(t: FuzzTarget, ops: FuzzOp[], rule: string, deadline: number): FuzzOp[] {
  let cur = ops;
  for (let chunk = Math.max(1, cur.length >> 1); chunk >= 1 && performance.now() < deadline; chunk >>= 1) {
    for (let start = 0; start < cur.length && performance.now() < deadline; ) {
      const removed = new Set(cur.slice(start, start + chunk));
      // Dropping an allocation drops the frees and reallocs of its block too.
      const cand = cur.filter((op) => !removed.has(op) && (op.k === 'a' || !removed.has(op.ref)));
      const v = cand.length < cur.length ? execute(t, cand) : null;
      if (v && v.rule === rule) cur = cand;
      else start += chunk;
    }
  }
  return cur;
}

/** "a24:8,a100:4,f0,r1:300": a = alloc size:align, f = free the block of op N, r = realloc it. */
export function encode(ops: readonly FuzzOp[]): string {
  const index = new Map(ops.map((op, i) => [op, i]));
  return ops
    .map((op) => (op.k === 'a' ? `a${op.size}:${op.align}` : op.k === 'f' ? `f${index.get(op.ref)}` : `r${index.get(op.ref)}:${op.size}`))
    .join(',');
}

export function decode(text: string): FuzzOp[] {
  const ops: FuzzOp[] = [];
  for (const [i, tok] of text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .entries()) {
    const m = /^(?:a(\d+):(\d+)|f(\d+)|r(\d+):(\d+))$/.exec(tok);
    if (!m) throw new Error(`op ${i} '${tok}' is not aSIZE:ALIGN, fN or rN:SIZE`);
    if (m[1] !== undefined) {
      const align = Number(m[2]);
      if (align === 0 || (align & (align - 1)) !== 0) throw new Error(`op ${i} '${tok}': the alignment must be a power of two`);
      ops.push({ k: 'a', size: Number(m[1]), align });
      continue;
    }
    const refIndex = Number(m[3] ?? m[4]);
    const ref = ops[refIndex];
    if (ref?.k !== 'a' || refIndex >= i) throw new Error(`op ${i} '${tok}' refers to op ${refIndex}, which is not an earlier alloc`);
    ops.push(m[3] !== undefined ? { k: 'f', ref } : { k: 'r', ref, size: Number(m[5]) });
  }
  return ops;
}

export interface FuzzResult {
  schema: 'sramlab.fuzz/1';
  allocator: string;
  mcu: string;
  seed: number;
  sequences: number;
  operations: number;
  violation: SessionViolation | null;
  /** The shrunk failing sequence, encoded, and the command that replays it. */
  minimal: string | null;
  replay: string | null;
}

/**
 * The search's sequences in order: one PRNG stream from the seed, so sequence i is the same
 * whichever part of the search runs it (a shard generates every sequence, runs only its own).
 */
export function* sequencesOf(seed: number): Generator<FuzzOp[]> {
  const rng = new Prng(seed);
  for (;;) yield generate(rng, rng.between(20, 200));
}

/** How much of the search a run does. */
export interface FuzzPart {
  /** A fixed campaign: sequences 0 … n-1 (stopping at a failure), no time limit on the search. */
  sequences?: number;
  /** --shard: run only the sequences whose number falls in this shard. */
  shard?: Shard;
}

export function fuzz(t: FuzzTarget, seed: number, seconds: number, onProgress?: (sequences: number) => void): FuzzResult {
  return fuzzSearch(t, seed, seconds, {}, onProgress).result;
}

/** The search, and the number of the sequence that failed (in the whole search's order; null: none did). */
export function fuzzSearch(
  t: FuzzTarget,
  seed: number,
  seconds: number,
  part: FuzzPart,
  onProgress?: (sequences: number) => void,
): { result: FuzzResult; failedSequence: number | null } {
  const shard = part.shard ?? WHOLE;
  const deadline = part.sequences === undefined ? performance.now() + seconds * 1000 : Infinity;
  let sequences = 0,
    operations = 0;
  const result = (violation: SessionViolation | null, minimal: string | null): FuzzResult => ({
    schema: 'sramlab.fuzz/1',
    allocator: t.allocator,
    mcu: t.mcu,
    seed,
    sequences,
    operations,
    violation,
    minimal,
    replay: minimal === null ? null : `sramlab fuzz --alloc ${t.allocator} --mcu ${t.mcu} --heap ${t.heap} --replay '${minimal}'`,
  });
  let i = 0;
  for (const ops of sequencesOf(seed)) {
    if (i === part.sequences || performance.now() >= deadline) break;
    if (!inShard(i++, shard)) continue;
    sequences++;
    operations += ops.length;
    onProgress?.(sequences);
    const v = execute(t, ops);
    if (!v) continue;
    // Shrinking gets as long again as the search had, at least 10 s.
    const small = shrink(t, ops, v.rule, performance.now() + Math.max(10_000, seconds * 1000));
    return { result: result(execute(t, small) ?? v, encode(small)), failedSequence: i - 1 };
  }
  return { result: result(null, null), failedSequence: null };
}
