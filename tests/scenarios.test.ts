// The scenarios on the real allocator images, every check on. These pin the findings the
// checks must make (issue: "Findings the checks must make"): each is an upstream behaviour
// that docs/seed-algorithms.md documents, found here by the traps rather than by looking at the code.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../emulator/profiles.ts';
import { ALLOCATORS } from '../runners/image.ts';
import { runScenario, SCENARIOS } from '../scenarios/index.ts';

const MCUS = Object.keys(PROFILES);
const run = (scenario: string, alloc: string, mcu: string) => runScenario(scenario, alloc, mcu, { seed: 1, ops: 1000 });

/**
 * Allocators whose smoke run breaks the leak rule at its end, and why (docs/seed-algorithms.md). These are
 * findings, not smoke failing them early: every operation holds, and with every block freed the
 * fresh heap's largest block is not served again.
 */
const SMOKE_LEAKS: Record<string, string> = {
  // §3.1: memory taken from the heap grower is never given back to it; the freed blocks merge
  // into one free block that is never joined with the never-grown rest of the heap.
  basic: "basic_allocator's grower never takes memory back",
  // §2.5: smoke's realloc 300 → 40 keeps the same pointer, and the free with 40 frees 1 of 2 chunks.
  chunk: "simple-chunk-allocator's shrink-realloc leak",
  // §6.3: a freed block merges only with the free block after it.
  emballoc: "emballoc's forward-only merge",
};

describe('smoke holds every check for every allocator on every profile; three leak at its end', () => {
  for (const a of ALLOCATORS.map((x) => x.name)) {
    it.each(MCUS)(`${a} on %s${SMOKE_LEAKS[a] ? ` (leak: ${SMOKE_LEAKS[a]})` : ''}`, (mcu) => {
      const r = run('smoke', a, mcu);
      expect(r.stats.alloc.cycles.count).toBeGreaterThan(0);
      if (!SMOKE_LEAKS[a]) {
        expect(r.violation, r.violation?.message).toBeNull();
        return;
      }
      expect(r.violation?.rule, r.violation?.message).toBe('leak');
      expect(r.violation?.operation).toBe(r.operations); // after the last free: every other check held
      expect(r.violation?.message).toMatch(
        /^with every block freed after 34 operations, the largest allocatable block is \d+ bytes of the 16384-byte heap; right after sl_init it was \d+ \(\d+ bytes fewer\)$/,
      );
    });
  }
});

describe.each(MCUS)('findings on %s', (mcu) => {
  it.each(['random-actions', 'smoke'])("simple-chunk-allocator's shrink-realloc leak is caught by the leak rule in %s", (sc) => {
    const r = run(sc, 'chunk', mcu);
    expect(r.violation?.rule).toBe('leak');
  });

  it("basic_allocator's grower, which never takes memory back, breaks the leak rule in smoke by the 832 bytes it grew", () => {
    // Fresh, the grower hands out the whole heap. Worked by hand from allocators/basic/basic.c
    // (blocks round up to 16, the grower to 64-byte pages, carving from a free block's end):
    // smoke's first round grows 64 + 128 + 320 + 64 bytes, the realloc to 200 another 256, and
    // everything after fits the free list. Freed, those 832 bytes merge into one free block that
    // is never joined with the 15552 bytes the grower still holds.
    const r = run('smoke', 'basic', mcu);
    expect(r.violation?.message).toMatch(
      /the largest allocatable block is 15552 bytes of the 16384-byte heap; right after sl_init it was 16384 \(832 bytes fewer\)$/,
    );
  });

  it("emballoc's forward-only merge breaks the leak rule in every scenario that frees its blocks", () => {
    // isr-reentrancy deadlocks first (spin lock); stack-collision is not one (it ends mid-call).
    const freeing = SCENARIOS.filter((s) => !s.leak && s.name !== 'isr-reentrancy').map((s) => s.name);
    expect(freeing).toEqual(
      expect.arrayContaining([
        'smoke',
        'random-actions',
        'heap-exhaustion',
        'chunk-bench',
        'vec-growth',
        'fragmentation',
        'alignment',
        'fill-and-drain',
      ]),
    );
    for (const sc of freeing) expect(run(sc, 'emballoc', mcu).violation?.rule, sc).toBe('leak');
  });

  it("basic_allocator's misaligned blocks above 16 are caught by the blocks rule", () => {
    const r = run('alignment', 'basic', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.message).toMatch(
      /^alloc\(size 24, align (32|64|128|256|512|1024|2048|4096)\) returned 0x[0-9a-f]{8}, \d+ bytes past the \1-byte boundary 0x[0-9a-f]{8}$/,
    );
  });

  it("emballoc's forward-only merge fails fill-and-drain", () => {
    const r = run('fill-and-drain', 'emballoc', mcu);
    expect(r.violation?.rule).toBe('leak');
    expect(r.violation?.message).toMatch(/forward/);
  });

  it.each(['fill-and-drain', 'random-actions', 'fragmentation'])(
    'galloc as published on 32-bit (galloc-upstream) hands out blocks only 4-aligned, caught by the blocks rule in %s',
    (sc) => {
      const r = run(sc, 'galloc-upstream', mcu);
      expect(r.violation?.rule).toBe('blocks');
      expect(r.violation?.kind).toBe('alloc');
      expect(r.violation?.message).toMatch(
        /^alloc\(size \d+, align (8|16|32|64)\) returned 0x[0-9a-f]{8}, \d+ bytes past the \1-byte boundary 0x[0-9a-f]{8}$/,
      );
      expect(r.violation!.address! % 8).toBe(4); // content = 4 (mod 8): the header 8-aligned, as upstream places it
    },
  );

  // zero-size (docs/allocators.md): basic's block_size(0) = 0 hands out a 0-byte block at the
  // bump pointer, the very address the next request gets (§3.6); emballoc's free searches for
  // the block whose [start, start + size) holds the pointer, which a 0-byte block never does,
  // so its header is lost (§6.3). The others give a real minimum block and take it back.
  it('zero-size: basic gives the 16-byte neighbour the address of the 0-byte block (blocks rule)', () => {
    const r = run('zero-size', 'basic', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.operation).toBe(2);
    expect(r.violation?.message).toMatch(
      /^alloc\(size 16, align 4\) returned (0x[0-9a-f]{8})–0x[0-9a-f]{8} \(16 bytes\), which overlaps 1 byte \(\1\) of the block made by operation 1 at \1 \(0 bytes, align 1\), still live$/,
    );
  });

  it('zero-size: emballoc cannot free a 0-byte block (leak rule)', () => {
    const r = run('zero-size', 'emballoc', mcu);
    expect(r.violation?.rule).toBe('leak');
  });

  it.each(['chunk', 'galloc', 'galloc-upstream', 'slab', 'linked-list'])('zero-size: %s passes', (a) => {
    const r = run('zero-size', a, mcu);
    expect(r.violation, r.violation?.message).toBeNull();
  });

  it.each(['chunk', 'basic', 'galloc', 'emballoc', 'linked-list'])('%s (spin-locked) deadlocks in isr-reentrancy', (a) => {
    const r = runScenario('isr-reentrancy', a, mcu, { seed: 1, ops: 1 }, { maxCycles: 300_000 });
    expect(r.violation?.rule).toBe('liveness');
    expect(r.violation?.message).toMatch(/^deadlock: IRQ 0's sl_alloc spins/);
  });

  it('slab (lock-free) serves an allocation from the ISR', () => {
    const r = runScenario('isr-reentrancy', 'slab', mcu, { seed: 1, ops: 1 }, { maxCycles: 300_000 });
    expect(r.violation).toBeNull();
  });

  it.each(['galloc', 'linked-list'])('%s passes every scenario except isr-reentrancy (it holds a spin lock)', (a) => {
    for (const sc of SCENARIOS.filter((s) => s.name !== 'isr-reentrancy')) {
      const r = run(sc.name, a, mcu);
      expect(r.violation, `${sc.name}: ${r.violation?.message}`).toBeNull();
    }
  });
});
