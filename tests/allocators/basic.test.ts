// basic_allocator's own tests (docs/seed-algorithms.md §3.7), run on target: the basic image on every
// profile, through the host-call ABI, with ToyHeap's 64-byte pages over the array given to
// sl_init. After every step the free list is read out of SRAM and checked as upstream's
// stats() does (sorted, no overlap, no two blocks adjacent). Every expected address is worked
// out from docs/seed-algorithms.md §3; the header is 16 bytes on 32-bit too, so test_basic's addresses
// need no scaling.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorImage } from '../../runners/image.ts';
import { Prng } from '../../runners/prng.ts';

interface Block {
  at: number;
  size: number;
}

function basicImage(profile: string, bytes?: number) {
  const img = AllocatorImage.load('basic', profile);
  img.init(bytes);
  const P = img.layout.heapRegion.start;
  const head = img.address('basic_free_list');
  return {
    img,
    P,
    alloc: (size: number, align: number) => img.alloc(size, align).value,
    free: (ptr: number, size: number, align: number) => void img.dealloc(ptr, size, align),
    /** Bytes ToyHeap has handed out. */
    grown: () => img.read32(img.address('basic_grown')),
    /** The free list as [offset from P, size], checked for upstream's invariants on the way. */
    list(): [number, number][] {
      const blocks: Block[] = [];
      for (let at = img.read32(head); at !== 0; at = img.read32(at)) {
        blocks.push({ at, size: img.read32(at + 4) });
        if (blocks.length > 10_000) throw new Error('free list does not end');
      }
      // Plain checks, not expect(): the stress test walks the list after every one of its steps.
      for (const [i, b] of blocks.entries()) {
        if (b.size % 16 !== 0 || b.size < 16) throw new Error(`free block ${i} at P+${b.at - P} has size ${b.size}`);
        const next = blocks[i + 1];
        if (next && b.at + b.size >= next.at) {
          throw new Error(`free block ${i} [P+${b.at - P}, +${b.size}) overlaps, touches or follows the next at P+${next.at - P}`);
        }
      }
      return blocks.map((b) => [b.at - P, b.size]);
    },
  };
}

describe.each(Object.keys(PROFILES))('basic (basic_allocator v0.1.6) on %s', (profile) => {
  it('test_basic: consecutive growth, a freed middle block, first fit carving from the end, an exact fit', () => {
    const b = basicImage(profile);
    expect(b.alloc(64, 16) - b.P).toBe(0);
    expect(b.alloc(64, 16) - b.P).toBe(64);
    expect(b.alloc(224, 16) - b.P).toBe(128); // ToyHeap gives 256: the 32-byte tail is freed
    expect(b.grown()).toBe(384);
    expect(b.list()).toEqual([[352, 32]]);
    b.free(b.P + 64, 64, 16);
    expect(b.list()).toEqual([
      [64, 64],
      [352, 32],
    ]);
    expect(b.alloc(112, 16) - b.P).toBe(384); // fits no block: growth of 128, 16-byte tail freed
    expect(b.list()).toEqual([
      [64, 64],
      [352, 32],
      [496, 16],
    ]);
    expect(b.alloc(32, 16) - b.P).toBe(96); // the second half of the 64-byte block
    expect(b.list()).toEqual([
      [64, 32],
      [352, 32],
      [496, 16],
    ]);
    expect(b.alloc(16, 4) - b.P).toBe(80);
    expect(b.list()).toEqual([
      [64, 16],
      [352, 32],
      [496, 16],
    ]);
    expect(b.alloc(8, 1) - b.P).toBe(64); // rounds to 16: the exact fit takes the whole block
    expect(b.list()).toEqual([
      [352, 32],
      [496, 16],
    ]);
  });

  it('coalesces on both sides: freeing everything leaves one block spanning all that was grown', () => {
    const b = basicImage(profile);
    const p = [b.alloc(64, 16), b.alloc(64, 16), b.alloc(64, 16), b.alloc(64, 16)];
    b.free(p[0]!, 64, 16);
    b.free(p[2]!, 64, 16);
    expect(b.list()).toEqual([
      [0, 64],
      [128, 64],
    ]);
    b.free(p[1]!, 64, 16); // joins both neighbours
    expect(b.list()).toEqual([[0, 192]]);
    b.free(p[3]!, 64, 16); // starts where the first block ends
    expect(b.list()).toEqual([[0, 256]]);
  });

  it('reproduces the misalignment above 16 (§3.2, a bug kept on purpose): on a fresh 4096-byte block, alloc(64, 64) is answered at P+3952', () => {
    const b = basicImage(profile);
    expect(b.alloc(16, 16) - b.P).toBe(0); // a 64-byte page: [P+16, 48) is freed
    const big = b.alloc(4032, 16); // fits nothing: grown as exactly 63 pages at P+64
    expect(big - b.P).toBe(64);
    b.free(big, 4032, 16); // merges with [P+16, 48): one free block of 4080 after the first 16 bytes
    expect(b.list()).toEqual([[16, 4080]]);
    expect(b.alloc(64, 64) - b.P).toBe(4032); // aligned by luck
    expect(b.alloc(16, 16) - b.P).toBe(4016);
    const p = b.alloc(64, 64);
    expect(p - b.P).toBe(3952);
    expect(p % 64).not.toBe(0); // asked for 64-byte alignment, got 16
  });

  it('the ToyHeap grower stops at the end of its array: NULL once the next request does not fit', () => {
    const b = basicImage(profile, 1024);
    for (let k = 0; k < 4; k++) expect(b.alloc(256, 16) - b.P).toBe(256 * k);
    expect(b.grown()).toBe(1024);
    expect(b.alloc(16, 16)).toBe(0);
    b.free(b.P + 256, 256, 16);
    expect(b.alloc(256, 16) - b.P).toBe(256); // served again from the free list
  });

  it('reproduces v0.1.6 ToyHeap checking the request before rounding it to a page (a bug kept on purpose): a page may end past an array of 1000 bytes', () => {
    const b = basicImage(profile, 1000);
    expect(b.alloc(960, 16) - b.P).toBe(0); // 15 pages
    expect(b.alloc(16, 16) - b.P).toBe(960); // 960 + 16 <= 1000 passes; a whole page, to 1024, is taken
    expect(b.grown()).toBe(1024);
    expect(b.list()).toEqual([[976, 48]]); // a free block reaching 24 bytes past the array
    expect(b.alloc(32, 16) - b.P).toBe(992); // a block of [992, 1024): beyond the 1000 given
  });

  it("realloc is Rust's default: a new block, min(old, new) bytes copied, the old block freed; NULL keeps the old block", () => {
    const b = basicImage(profile, 1024);
    const p = b.alloc(32, 4);
    for (let k = 0; k < 32; k += 4) b.img.write32(p + k, 0xa5a50000 + k);
    const q = b.img.realloc(p, 32, 4, 100).value; // need 112: the 32-byte tail of p's page is too small
    expect(q - b.P).toBe(64);
    for (let k = 0; k < 32; k += 4) expect(b.img.read32(q + k)).toBe(0xa5a50000 + k);
    expect(b.list()).toEqual([
      [0, 64],
      [176, 16],
    ]); // p came back and merged with the tail [32, 32)
    expect(b.img.realloc(q, 100, 4, 2000).value).toBe(0);
    expect(b.img.read32(q)).toBe(0xa5a50000);
  });

  it('stress_test: 10,240 random alloc/free steps over 128 slots keep the list valid and conserve bytes (grown − free = allocated − freed)', () => {
    const b = basicImage(profile);
    const rng = new Prng(0x5eed);
    const slots: ({ ptr: number; size: number; align: number } | null)[] = new Array(128).fill(null);
    const blockSize = (size: number, align: number) => Math.ceil(size / Math.max(align, 16)) * Math.max(align, 16);
    let live = 0,
      failures = 0;
    for (let step = 0; step < 10_240; step++) {
      const k = rng.below(slots.length);
      const s = slots[k];
      if (s) {
        b.free(s.ptr, s.size, s.align);
        live -= blockSize(s.size, s.align);
        slots[k] = null;
      } else {
        const size = rng.between(1, 32) * rng.between(1, 32);
        const align = rng.pick([1, 2, 4, 8, 16]);
        const ptr = b.alloc(size, align);
        if (ptr === 0) failures++;
        else {
          if (ptr % align !== 0) expect(ptr % align, `alignment at step ${step}`).toBe(0);
          slots[k] = { ptr, size, align };
          live += blockSize(size, align);
        }
      }
      const free = b.list().reduce((sum, [, size]) => sum + size, 0);
      if (b.grown() - free !== live) expect(b.grown() - free, `conservation after step ${step}`).toBe(live);
    }
    expect(failures).toBeLessThan(10_240 / 4);
  });
});
