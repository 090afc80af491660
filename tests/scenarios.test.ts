// The scenarios on the real allocator images, every check on. These pin the findings the
// checks must make (issue: "Findings the checks must make"): each is an upstream behaviour
// that ALLOCATORS.md documents, found here by the traps rather than by looking at the code.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../emulator/profiles.ts';
import { ALLOCATORS } from '../scenarios/image.ts';
import { runScenario, SCENARIOS } from '../scenarios/index.ts';

const MCUS = Object.keys(PROFILES);
const run = (scenario: string, alloc: string, mcu: string) => runScenario(scenario, alloc, mcu, { seed: 1, ops: 1000 });

describe('smoke passes for every allocator on every profile', () => {
  for (const a of ALLOCATORS.map((x) => x.name)) {
    it.each(MCUS)(`${a} on %s`, (mcu) => {
      const r = run('smoke', a, mcu);
      expect(r.violation).toBeNull();
      expect(r.stats.alloc.cycles.count).toBeGreaterThan(0);
    });
  }
});

describe.each(MCUS)('findings on %s', (mcu) => {
  it("simple-chunk-allocator's shrink-realloc leak is caught by the leak rule in random-actions", () => {
    const r = run('random-actions', 'chunk', mcu);
    expect(r.violation?.rule).toBe('leak');
  });

  it("basic_allocator's misaligned blocks above 16 are caught by the blocks rule", () => {
    const r = run('alignment', 'basic', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.message).toMatch(/not aligned to (32|64|128|256|512|1024|2048|4096) as asked/);
  });

  it("emballoc's forward-only merge fails fill-and-drain", () => {
    const r = run('fill-and-drain', 'emballoc', mcu);
    expect(r.violation?.rule).toBe('leak');
    expect(r.violation?.message).toMatch(/forward/);
  });

  it.each(['fill-and-drain', 'random-actions', 'fragmentation'])("galloc as published on 32-bit (galloc-upstream) hands out blocks only 4-aligned, caught by the blocks rule in %s", (sc) => {
    const r = run(sc, 'galloc-upstream', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.kind).toBe('alloc');
    expect(r.violation?.message).toMatch(/^alloc returned 0x[0-9a-f]{8}, not aligned to (8|16|32|64) as asked/);
    expect(r.violation!.address! % 8).toBe(4); // content = 4 (mod 8): the header 8-aligned, as upstream places it
  });

  // zero-size (docs/allocators.md): basic's block_size(0) = 0 hands out a 0-byte block at the
  // bump pointer, the very address the next request gets (§3.6); emballoc's free searches for
  // the block whose [start, start + size) holds the pointer, which a 0-byte block never does,
  // so its header is lost (§6.3). The others give a real minimum block and take it back.
  it('zero-size: basic gives the 16-byte neighbour the address of the 0-byte block (blocks rule)', () => {
    const r = run('zero-size', 'basic', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.operation).toBe(2);
    expect(r.violation?.message).toMatch(/^alloc returned 0x[0-9a-f]{8} \(\+16\), overlapping live block 0x[0-9a-f]{8} \(\+0\)/);
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
