import { describe, expect, it } from 'vitest';
import { compare } from '../runners/compare.ts';
import { decode, encode, execute, generate, shrink } from '../runners/fuzz.ts';
import { Prng } from '../runners/prng.ts';

const chunk = { allocator: 'chunk', mcu: 'cortex-m0', heap: 16384 };

describe('fuzz', () => {
  it('encodes and decodes sequences, blocks named by the op that allocated them', () => {
    const text = 'a24:8,a100:4,f0,r1:300';
    const ops = decode(text);
    expect(ops[2]).toEqual({ k: 'f', ref: ops[0] });
    expect(encode(ops)).toBe(text);
    expect(() => decode('f0')).toThrow(/not an earlier alloc/);
    expect(() => decode('a8:3')).toThrow(/power of two/);
  });

  it("replays simple-chunk-allocator's shrink leak (seed-algorithms §2.5: 900 → 150 leaves 3 chunks used)", () => {
    const v = execute(chunk, decode('a900:4,r0:150'));
    expect(v?.rule).toBe('leak');
    // Chunks 1–3 stay marked: chunk 0 is free alone, chunks 4–63 (60 × 256 bytes) are the largest run.
    expect(v?.message).toMatch(
      /the largest allocatable block is 15360 bytes of the 16384-byte heap; right after sl_init it was 16384 \(1024 bytes fewer\)$/,
    );
  });

  it('shrinks a failing random sequence to a few ops that still break the same rule', () => {
    const rng = new Prng(7);
    let ops = generate(rng, 120);
    while (!execute(chunk, ops)) ops = generate(rng, 120);
    const small = shrink(chunk, ops, 'leak', performance.now() + 30_000);
    expect(small.length).toBeLessThan(ops.length);
    expect(small.length).toBeLessThanOrEqual(4);
    expect(execute(chunk, small)?.rule).toBe('leak');
    expect(small.some((op) => op.k === 'r')).toBe(true); // the leak needs a shrinking realloc
  });

  it('finds nothing wrong with galloc over a fixed seed', () => {
    const rng = new Prng(3);
    for (let k = 0; k < 20; k++) expect(execute({ ...chunk, allocator: 'galloc' }, generate(rng, 100))).toBeNull();
  });
});

describe('compare', () => {
  it('returns results in job order with the versioned schema, on worker threads', async () => {
    const o = {
      allocators: ['galloc', 'emballoc'],
      mcus: ['cortex-m0'],
      scenarios: ['smoke', 'fill-and-drain'],
      seed: 1,
      ops: 100,
      workers: 2,
    };
    const r = await compare(o);
    expect(r.schema).toBe('sramlab.compare/1');
    expect(r.results.map((x) => `${x.allocator}/${x.scenario}`)).toEqual([
      'galloc/smoke',
      'galloc/fill-and-drain',
      'emballoc/smoke',
      'emballoc/fill-and-drain',
    ]);
    // emballoc's forward-only merge breaks the leak rule in both (README "The checks").
    expect(r.results.map((x) => x.ok)).toEqual([true, true, false, false]);
    const single = await compare({ ...o, workers: 1 });
    expect(single.results.map((x) => x.stats.alloc.cycles)).toEqual(r.results.map((x) => x.stats.alloc.cycles));
  });
});
