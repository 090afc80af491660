// Builds the lookup tables the CPU dispatches on, from the declarative ENCODINGS table.
// 16-bit: a 64K table from halfword to Op. 32-bit: for each first halfword, the short list
// of rows whose first half matches; the second halfword picks among them.

import type { Handler } from '../instructions/v6m.ts';
import { ARCH_FEATURES, type Arch, type Features } from '../profiles.ts';
import { ENCODINGS, type Encoding, type IsaFeature } from './encodings.ts';

/** The features a row needs: its own list, else what its architecture adds to ARMv6-M. */
const ARCH_NEEDS: Record<Arch, readonly IsaFeature[]> = { v6m: [], v7m: ['hasThumb2'], v7em: ['hasThumb2', 'hasDsp'] };
export const needsOf = (enc: Encoding): readonly IsaFeature[] => enc.needs ?? ARCH_NEEDS[enc.arch];

/** The instruction-set features of a core, given as a profile (or its features) or an architecture name. */
export type IsaOf = Arch | Pick<Features, IsaFeature>;
const isaOf = (x: IsaOf): Pick<Features, IsaFeature> => (typeof x === 'string' ? ARCH_FEATURES[x] : x);
const ISA_FEATURES: readonly IsaFeature[] = ['hasThumb2', 'hasExclusives', 'hasDivide', 'hasDsp'];
const isaKey = (f: Pick<Features, IsaFeature>): number => ISA_FEATURES.reduce((k, name, i) => k | (f[name] ? 1 << i : 0), 0);

export interface CompiledEncoding {
  enc: Encoding;
  width: 16 | 32;
  mask: number;
  value: number;
  /** Number of fixed bits: the more, the more specific the row. */
  fixed: number;
  /** Field name → bit positions (LSB numbering), most significant first. */
  fields: Record<string, number[]>;
}

export function compile(enc: Encoding): CompiledEncoding {
  const bits = enc.pattern.replace(/\s+/g, '');
  if (bits.length !== 16 && bits.length !== 32) throw new Error(`${enc.name}: pattern has ${bits.length} bits`);
  let mask = 0,
    value = 0,
    fixed = 0;
  const fields: Record<string, number[]> = {};
  for (let i = 0; i < bits.length; i++) {
    const pos = bits.length - 1 - i;
    const ch = bits[i];
    if (ch === '0' || ch === '1') {
      mask |= 1 << pos;
      if (ch === '1') value |= 1 << pos;
      fixed++;
    } else {
      fields[ch] ??= [];
      fields[ch].push(pos);
    }
  }
  return { enc, width: bits.length as 16 | 32, mask: mask >>> 0, value: value >>> 0, fixed, fields };
}

/** Reads every field of a row out of an instruction word (32-bit words are hw1 << 16 | hw2). */
export function extractFields(c: CompiledEncoding, word: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, positions] of Object.entries(c.fields)) {
    let v = 0;
    for (const p of positions) v = (v << 1) | ((word >>> p) & 1);
    out[name] = v >>> 0;
  }
  return out;
}

const COMPILED: readonly CompiledEncoding[] = ENCODINGS.map(compile);
for (const c of COMPILED) if (c.enc.exec === undefined) throw new Error(`encoding ${c.enc.name} has no handler`);

/** The rows a core decodes: those whose every needed feature it has. */
export function rowsFor(isa: IsaOf): CompiledEncoding[] {
  const f = isaOf(isa);
  return COMPILED.filter((c) => needsOf(c.enc).every((n) => f[n]));
}

/** The rows a core lacks that match a word (fixed bits only): what the image meant, for reports. */
export function rowsLackedFor(isa: IsaOf, word: number, width: 16 | 32): CompiledEncoding[] {
  const f = isaOf(isa);
  return COMPILED.filter((c) => c.width === width && (word & c.mask) >>> 0 === c.value && !needsOf(c.enc).every((n) => f[n]));
}

export interface DecodeTables {
  /** Halfword → Op for 16-bit instructions (0 = UNDEFINED or a 32-bit prefix). */
  ops16: Uint16Array;
  /** Halfword → the row that decoded it (for disassembly), or undefined. */
  rows16: (CompiledEncoding | undefined)[];
  /** First halfword (0xE800–0xFFFF) → candidate 32-bit rows, most specific first. */
  cands32: (CompiledEncoding[] | undefined)[];
  /**
   * A direct-mapped cache of 32-bit decodes (word → the row's handler, null = UNDEFINED):
   * decoding scans the candidates and may build a fields object, too slow for every execution
   * of a hot loop. Word 0 is never a 32-bit instruction, so the zero-filled keys start out empty.
   */
  cacheKey: Int32Array;
  cacheExec: (Handler | null)[];
}

const cache = new Map<number, DecodeTables>();

/** Decode tables for one set of features, built once. Conflicting rows are a bug in the table. */
export function decodeTables(isa: IsaOf): DecodeTables {
  const key = isaKey(isaOf(isa));
  const hit = cache.get(key);
  if (hit) return hit;
  const rows = rowsFor(isa);
  const ops16 = new Uint16Array(65536);
  const rows16: (CompiledEncoding | undefined)[] = new Array(65536).fill(undefined);
  const fixed16 = new Int8Array(65536).fill(-1);
  for (const c of rows.filter((r) => r.width === 16)) {
    for (const hw of expand(c.mask, c.value, 16)) {
      if (fixed16[hw] === c.fixed) throw new Error(`ambiguous encodings for ${hex(hw)}: ${rows16[hw]!.enc.name} / ${c.enc.name}`);
      if (fixed16[hw] > c.fixed) continue;
      fixed16[hw] = c.fixed;
      rows16[hw] = c;
    }
  }
  for (let hw = 0; hw < 65536; hw++) {
    const c = rows16[hw];
    if (!c) continue;
    if (c.enc.unpredictable?.(extractFields(c, hw))) {
      rows16[hw] = undefined;
      continue;
    }
    ops16[hw] = c.enc.op;
  }
  const cands32: (CompiledEncoding[] | undefined)[] = new Array(65536).fill(undefined);
  const wide = rows.filter((r) => r.width === 32).sort((a, b) => b.fixed - a.fixed);
  for (let hw1 = 0xe800; hw1 < 0x10000; hw1++) {
    const list = wide.filter((c) => ((hw1 << 16) & c.mask) >>> 0 === (c.value & 0xffff0000 & (c.mask & 0xffff0000)) >>> 0);
    if (list.length) cands32[hw1] = list;
  }
  const t: DecodeTables = {
    ops16,
    rows16,
    cands32,
    cacheKey: new Int32Array(65536),
    cacheExec: new Array<Handler | null>(65536).fill(null),
  };
  cache.set(key, t);
  return t;
}

/** The handler of a 32-bit instruction (null when UNDEFINED), through the decode cache. */
export function decodeExec32(t: DecodeTables, hw1: number, hw2: number): Handler | null {
  const word = (hw1 << 16) | hw2;
  const k = Math.imul(word, 0x9e3779b1) >>> 16;
  if (t.cacheKey[k] === word) return t.cacheExec[k];
  const row = decode32(t, hw1, hw2);
  const exec = row ? row.enc.exec! : null;
  t.cacheKey[k] = word;
  t.cacheExec[k] = exec;
  return exec;
}

/** The row a 32-bit instruction decodes to, or undefined when UNDEFINED for the table's architecture. */
export function decode32(t: DecodeTables, hw1: number, hw2: number): CompiledEncoding | undefined {
  const list = t.cands32[hw1];
  if (!list) return undefined;
  const word = ((hw1 << 16) | hw2) >>> 0;
  for (const c of list) {
    if ((word & c.mask) >>> 0 === c.value) {
      return c.enc.unpredictable?.(extractFields(c, word)) ? undefined : c;
    }
  }
  return undefined;
}

function* expand(mask: number, value: number, width: number): Generator<number> {
  const free: number[] = [];
  for (let b = 0; b < width; b++) if (!((mask >>> b) & 1)) free.push(b);
  const n = 1 << free.length;
  for (let k = 0; k < n; k++) {
    let w = value;
    for (let j = 0; j < free.length; j++) if ((k >>> j) & 1) w |= 1 << free[j];
    yield w >>> 0;
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
