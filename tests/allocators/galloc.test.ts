// galloc's own unit tests (MaderNoob/galloc v0.1.7, src/tests/), run on the C port inside the
// emulator on every profile. Upstream ran them on 64-bit only; docs/seed-algorithms.md §4.9 says why
// the port needs the 32-bit adaptation (header 4, minimum alignment 8, header + content a
// multiple of 8), and every expected number below is upstream's test rewritten with the
// 32-bit constants of §4.1/§4.9 — never a number read back from a run:
//
//   HEADER 4, MIN_FREE 16 (header + fd + pprev + postfix), SMALLEST 12, LARGEST 164,
//   content sizes 12 + 8k, first header at an address = 4 (mod 8), content 8-aligned.
//
// Upstream's heaps start at an 8-aligned address and hold their first header there; the
// 32-bit analogue is a heap whose start is = 4 (mod 8): H = (8-aligned base) + 4, so the
// first header is at H and no byte is lost. MEM_SIZE 17·8 = 136 keeps upstream's byte count
// and is valid here (content 132 = 12 + 8·15).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { containmentChecker, installStackLimit } from '../../checks/checkers.ts';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorImage, imagePath } from '../../runners/image.ts';
import { Prng } from '../../runners/prng.ts';

// ---- the 32-bit constants (docs/seed-algorithms.md §4.1, §4.9) ----
const HEADER = 4;
const MIN_FREE = 16;
const SMALLEST = MIN_FREE - HEADER; // 12
const LARGEST = SMALLEST + 19 * 8; // 164
const F_FREE = 1;
const F_PREV_IN_USE = 2;

// ---- the port's state, `static struct galloc` in allocators/galloc/galloc.c ----
const SMALLBIN_BYTES = 36; // 8 sub-bin heads + a bitmap byte, padded
const HEAP_END_OFFSET = 20 * SMALLBIN_BYTES; // 720: also the sentinel's header word
const OTHER_FD_OFFSET = HEAP_END_OFFSET + 4;

/** Alignment index of a content address: min(ctz(addr) - 3, 7) (§4.3). */
function alignIndexOf(addr: number): number {
  let i = 0;
  while (i < 7 && (addr & (8 << i)) === 0) i++;
  return i;
}

class Galloc {
  readonly state: number;
  /** The 8-aligned address the heap arrays below are carved from (the heap region's start,
      4 KiB aligned). */
  readonly base: number;

  constructor(readonly img: AllocatorImage) {
    this.state = img.address('galloc');
    this.base = img.layout.heapRegion.start;
  }

  /** sl_init(heap, size), with the containment and stack checks of checks/checkers.ts on
      from then on (the heap in use is [heap, heap + size)). */
  init(heap: number, size: number): void {
    const { img } = this;
    img.call('sl_init', [heap, size]);
    img.heap = { start: heap, end: heap + size };
    const layout = img.checkLayout();
    img.machine.addChecker(containmentChecker(img.machine.cpu, layout));
    installStackLimit(img.machine.cpu, layout);
  }

  alloc(size: number, align: number): number {
    return this.img.alloc(size, align).value;
  }
  dealloc(ptr: number, size: number, align: number): void {
    this.img.dealloc(ptr, size, align);
  }
  realloc(ptr: number, size: number, align: number, newSize: number): number {
    return this.img.realloc(ptr, size, align, newSize).value;
  }

  hdr(chunk: number): number {
    return this.img.read32(chunk);
  }
  size(chunk: number): number {
    return this.hdr(chunk) & ~3;
  }
  isFree(chunk: number): boolean {
    return (this.hdr(chunk) & F_FREE) !== 0;
  }
  prevInUse(chunk: number): boolean {
    return (this.hdr(chunk) & F_PREV_IN_USE) !== 0;
  }
  fd(chunk: number): number {
    return this.img.read32(chunk + 4);
  }
  pprev(chunk: number): number {
    return this.img.read32(chunk + 8);
  }
  postfix(chunk: number): number {
    return this.img.read32(chunk + HEADER + this.size(chunk) - 4);
  }
  /** A used chunk whose prev_in_use is 0 finds the previous chunk's size in the word before it. */
  prevSizeIfFree(chunk: number): number | undefined {
    return this.prevInUse(chunk) ? undefined : this.img.read32(chunk - 4);
  }

  subBinHeadAddr(bin: number, sub: number): number {
    return this.state + bin * SMALLBIN_BYTES + 4 * sub;
  }
  bitmap(bin: number): number {
    return this.img.read8(this.state + bin * SMALLBIN_BYTES + 32);
  }
  /** The other bin's sentinel, as a chunk: its fd field is other_fd. */
  get fakeChunk(): number {
    return this.state + HEAP_END_OFFSET;
  }
  get fdOfFakeChunk(): number {
    return this.state + OTHER_FD_OFFSET;
  }

  /** upstream assert_only_1_free_chunk_in_bin: the chunk at addr is free, its predecessor is
      used, it has this size (and its postfix says so), and it is alone in its bin. */
  expectOnlyFreeChunkInBin(addr: number, size: number): void {
    expect(this.isFree(addr), `chunk at ${hex(addr)} is free`).toBe(true);
    expect(this.prevInUse(addr)).toBe(true);
    expect(this.size(addr)).toBe(size);
    expect(this.postfix(addr)).toBe(size);
    let fd: number, bk: number;
    if (size <= LARGEST) {
      fd = 0;
      bk = this.subBinHeadAddr((size - SMALLEST) / 8, alignIndexOf(addr + HEADER));
    } else {
      fd = this.fakeChunk;
      bk = this.fdOfFakeChunk;
    }
    expect(this.fd(addr)).toBe(fd);
    expect(this.pprev(addr)).toBe(bk);
    if (fd !== 0) expect(this.pprev(fd)).toBe(addr + 4); // fd points back at our fd field
    expect(this.img.read32(bk)).toBe(addr); // bk points at the free chunk
  }

  /** upstream assert_only_1_free_chunk_which_is_at_heap_start */
  expectOnlyFreeChunkAtHeapStart(heap: number, memSize: number): void {
    this.expectOnlyFreeChunkInBin(heap, memSize - HEADER);
  }
}

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

describe.each(Object.keys(PROFILES))('galloc upstream tests on %s', (profile) => {
  let elf: Uint8Array;
  beforeAll(() => {
    elf = readFileSync(imagePath('galloc', profile));
  });
  /** A fresh image per test: galloc panics on a second init, as upstream. */
  const boot = () => new Galloc(AllocatorImage.fromElf(elf, profile, {}, `galloc-${profile}`));

  // MEM_SIZE = USIZE·17 on 64-bit = 136 bytes; kept, and placed at H = base + 4.
  const MEM = 136;
  const PERFECT_FIT = MEM - HEADER; // 132

  describe('alloc_tests', () => {
    it('alloc_no_memory: an allocator never initialised returns NULL', () => {
      const g = boot();
      expect(g.alloc(1, 1)).toBe(0);
    });

    it('alloc_not_enough_space_returns_null: perfect fit + 1 does not fit', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      expect(g.alloc(PERFECT_FIT + 1, 1)).toBe(0);
    });

    it('alloc_perfect_fit: MEM - HEADER bytes at heap + HEADER, one used chunk with prev_in_use', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      expect(g.alloc(PERFECT_FIT, 1)).toBe(H + HEADER);
      expect(g.isFree(H)).toBe(false);
      expect(g.prevInUse(H)).toBe(true);
      expect(g.size(H)).toBe(PERFECT_FIT);
    });

    it('alloc_aligned_with_end_padding_not_large_enough_to_fit_chunk: the 8-byte tail stays in the chunk', () => {
      // Upstream leaves USIZE (8) bytes, "the minimal amount due to alignment"; on 32-bit the
      // minimal end padding is MIN_ALIGNMENT = 8 too, and 8 < MIN_FREE cannot be a chunk.
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      expect(g.alloc(PERFECT_FIT - 8, 1)).toBe(H + HEADER);
      expect(g.isFree(H)).toBe(false);
      expect(g.prevInUse(H)).toBe(true);
      expect(g.size(H)).toBe(PERFECT_FIT);
    });

    it('alloc_aligned_end_padding: a tail of MIN_FREE becomes a free chunk of MIN_FREE - HEADER', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const size = PERFECT_FIT - MIN_FREE; // 116
      const p = g.alloc(size, 1);
      expect(p).toBe(H + HEADER);
      expect(g.isFree(H)).toBe(false);
      expect(g.prevInUse(H)).toBe(true);
      expect(g.size(H)).toBe(size);
      const end = p + size;
      expect(g.prevInUse(end)).toBe(true);
      expect(g.size(end)).toBe(MIN_FREE - HEADER);
      g.expectOnlyFreeChunkInBin(end, MIN_FREE - HEADER);
      expect(g.postfix(end)).toBe(MIN_FREE - HEADER);
    });

    // The unaligned tests: MEM 128 "aligned to 128", alignment MEM/2 = 64. On 32-bit the heap
    // is H = A + 4 (A 128-aligned), its one chunk runs from H to A + 132, content at A + 8
    // (8-aligned only); the 64-aligned content address inside it is A + 64. Upstream's
    // "perfect fit" MEM/2 is the room from there to the heap end: 64 on 64-bit, 68 here.
    const UMEM = 128;
    const ALIGN = UMEM >> 1;
    const UPERFECT = 68;

    it('alloc_unaligned_not_enough_space_returns_null', () => {
      const g = boot();
      const A = g.base;
      g.init(A + 4, UMEM);
      // 69 prepares to 76: the 64-aligned spot would be A + 0, leaving no room for a start chunk.
      expect(g.alloc(UPERFECT + 1, ALIGN)).toBe(0);
    });

    it('alloc_unaligned_no_end_padding: content at the next 64-aligned address, start padding alone in its smallbin', () => {
      const g = boot();
      const A = g.base,
        H = A + 4;
      g.init(H, UMEM);
      const p = g.alloc(UPERFECT, ALIGN);
      const alignedContent = A + 64;
      expect(p).toBe(alignedContent);
      // start padding: the heap's chunk, shrunk in place
      expect(g.isFree(H)).toBe(true);
      expect(g.prevInUse(H)).toBe(true);
      const contentChunk = alignedContent - HEADER;
      const startPadding = contentChunk - H - HEADER; // 52
      expect(startPadding).toBe(52);
      expect(g.size(H)).toBe(startPadding);
      expect(g.fd(H)).toBe(0); // last in its smallbin list
      const bin = (startPadding - SMALLEST) / 8;
      expect(g.pprev(H)).toBe(g.subBinHeadAddr(bin, alignIndexOf(H + HEADER)));
      // the allocated chunk knows its predecessor is free and how big it is
      expect(g.isFree(contentChunk)).toBe(false);
      expect(g.prevSizeIfFree(contentChunk)).toBe(startPadding);
      expect(g.size(contentChunk)).toBe(UPERFECT);
    });

    it('alloc_unaligned_end_padding: start and end paddings both free, each alone in its bin', () => {
      const g = boot();
      const A = g.base,
        H = A + 4;
      g.init(H, UMEM);
      const size = UPERFECT - MIN_FREE; // 52
      const p = g.alloc(size, ALIGN);
      const alignedContent = A + 64;
      expect(p).toBe(alignedContent);
      const contentChunk = alignedContent - HEADER;
      const startPadding = contentChunk - H - HEADER;
      g.expectOnlyFreeChunkInBin(H, startPadding);
      g.expectOnlyFreeChunkInBin(p + size, MIN_FREE - HEADER);
      expect(g.prevSizeIfFree(contentChunk)).toBe(startPadding);
      expect(g.size(contentChunk)).toBe(size);
    });
  });

  describe('dealloc_tests', () => {
    it('dealloc_prev_used_next_used', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const p = g.alloc(PERFECT_FIT, 1);
      g.dealloc(p, PERFECT_FIT, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });

    it('dealloc_prev_used_next_free', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const size = PERFECT_FIT - MIN_FREE;
      const p = g.alloc(size, 1);
      g.dealloc(p, size, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });

    const third = MEM - 2 * MIN_FREE - HEADER; // 100

    it('dealloc_prev_free_next_used', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a1 = g.alloc(MIN_FREE - HEADER, 1);
      const a2 = g.alloc(MIN_FREE - HEADER, 1);
      const a3 = g.alloc(third, 1);
      expect([a1, a2, a3]).toEqual([H + 4, H + 20, H + 36]);
      g.dealloc(a1, MIN_FREE - HEADER, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MIN_FREE);
      g.dealloc(a2, MIN_FREE - HEADER, 1);
      // as if the two first chunks were the whole heap
      g.expectOnlyFreeChunkAtHeapStart(H, 2 * MIN_FREE);
      const thirdChunk = a3 - HEADER;
      expect(g.isFree(thirdChunk)).toBe(false);
      expect(g.prevSizeIfFree(thirdChunk)).toBe(2 * MIN_FREE - HEADER);
      expect(g.size(thirdChunk)).toBe(third);
      g.dealloc(a3, third, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });

    it('dealloc_prev_free_next_free', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a1 = g.alloc(MIN_FREE - HEADER, 1);
      const a2 = g.alloc(MIN_FREE - HEADER, 1);
      const a3 = g.alloc(third, 1);
      g.dealloc(a1, MIN_FREE - HEADER, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MIN_FREE);
      g.dealloc(a3, third, 1);
      g.dealloc(a2, MIN_FREE - HEADER, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });

    const fill = (g: Galloc): number[] => {
      const out: number[] = [];
      for (;;) {
        const p = g.alloc(MIN_FREE - HEADER, 1);
        if (p === 0) return out;
        out.push(p);
      }
    };

    it('dealloc_lots_of_allocations: fill with minimum chunks, free in order, one free chunk', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const ps = fill(g);
      // 7 splits of 16 bytes leave a 20-byte chunk (8 < MIN_FREE over 12), taken whole: 8.
      expect(ps.length).toBe(8);
      for (const p of ps) g.dealloc(p, MIN_FREE - HEADER, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });

    it('dealloc_lots_of_allocations_dealloc_in_random_order', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const ps = fill(g);
      const rng = new Prng(0x6a110c);
      for (let i = ps.length - 1; i > 0; i--) {
        const j = rng.below(i + 1);
        [ps[i], ps[j]] = [ps[j]!, ps[i]!];
      }
      for (const p of ps) g.dealloc(p, MIN_FREE - HEADER, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });
  });

  describe('realloc in place (seed-algorithms §4.7, §9.6)', () => {
    it('grows into a free next chunk and returns the same pointer, moving the free chunk forward', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a = g.alloc(12, 1); // H+4, chunk 12; the rest (116) is free after it
      expect(a).toBe(H + 4);
      // grow to 60: the free chunk ends at H+136; remaining 136 - (H+4+60 - H) = 72 > MIN_FREE
      expect(g.realloc(a, 12, 1, 60)).toBe(a);
      expect(g.size(H)).toBe(60);
      g.expectOnlyFreeChunkInBin(a + 60, MEM - HEADER - 60 - HEADER);
    });

    it('absorbs the whole next chunk when no more than MIN_FREE would be left (strictly greater splits)', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a = g.alloc(12, 1);
      // grow to 116: remaining = 132 - 116 = 16, not > MIN_FREE: the chunk takes all 132
      expect(g.realloc(a, 12, 1, 116)).toBe(a);
      expect(g.size(H)).toBe(PERFECT_FIT);
      expect(g.isFree(H)).toBe(false);
    });

    it('shrinks in place, the freed tail merging into a free next chunk', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a = g.alloc(60, 1); // rest: free chunk of 68 at H+64
      expect(g.realloc(a, 60, 1, 12)).toBe(a);
      expect(g.size(H)).toBe(12);
      g.expectOnlyFreeChunkInBin(H + 16, MEM - 16 - HEADER);
    });

    it('shrinks in place before a used chunk: a tail of at least MIN_FREE becomes free', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a = g.alloc(60, 1);
      const b = g.alloc(68, 1); // the rest, exactly: no free chunk left
      expect(b).toBe(H + 68);
      expect(g.realloc(a, 60, 1, 28)).toBe(a);
      expect(g.size(H)).toBe(28);
      g.expectOnlyFreeChunkInBin(H + 32, 60 - 28 - HEADER);
      expect(g.prevSizeIfFree(b - HEADER)).toBe(60 - 28 - HEADER);
    });

    it('falls back to alloc + copy + free when it cannot grow in place', () => {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM);
      const a = g.alloc(12, 1);
      const b = g.alloc(12, 1);
      for (let i = 0; i < 12; i++) g.img.write8(a + i, 0x30 + i);
      const c = g.realloc(a, 12, 1, 20); // b is in the way
      expect(c).not.toBe(a);
      for (let i = 0; i < 12; i++) expect(g.img.read8(c + i)).toBe(0x30 + i);
      g.dealloc(b, 12, 1);
      g.dealloc(c, 20, 1);
      g.expectOnlyFreeChunkAtHeapStart(H, MEM);
    });
  });

  it('random_alloc_dealloc_realloc (904-byte heap, seeded; 3 trials per profile, 12 seeds in all, instead of 100)', () => {
    // Upstream: MEM = USIZE·113 = 904 bytes, 100 trials × 10,000 actions, alignment 2^U[0,14]
    // (seed-algorithms §4.11), thread_rng. Here: the same 904 bytes (valid on 32-bit: 900 =
    // 12 + 8·111), a seeded PRNG, sizes rounded as the 32-bit prepare does (12 + 8k), and
    // 3 trials × 10,000 actions per profile, each profile with its own seeds (12 in all), to
    // keep the suite quick.
    const MEM_SIZE = 904;
    const TRIALS = 3;
    const firstSeed = 1000 + TRIALS * Math.max(0, Object.keys(PROFILES).indexOf(profile));
    const ACTIONS = 10_000;
    const prep = (n: number) => ((n + HEADER + 7) & ~7) - HEADER;
    for (let trial = 0; trial < TRIALS; trial++) {
      const g = boot();
      const H = g.base + 4;
      g.init(H, MEM_SIZE);
      const rng = new Prng(firstSeed + trial);
      const allocations: { ptr: number; size: number; align: number }[] = [];
      let sizeLeft = MEM_SIZE;
      // (upstream's gen_range would panic on an empty range; clamp instead)
      const randomSize = (left: number) => prep(rng.between(MIN_FREE - HEADER, Math.max(MIN_FREE - HEADER, left - HEADER)));
      for (let k = 0; k < ACTIONS; k++) {
        const chooseAlloc = rng.chance(0.75);
        let worked = false;
        if (allocations.length === 0 || (chooseAlloc && sizeLeft >= MIN_FREE)) {
          const size = randomSize(sizeLeft);
          const align = 2 ** rng.between(0, 14);
          const p = g.alloc(size, align);
          if (p !== 0) {
            expect(p % align, `alloc(${size}, ${align})`).toBe(0);
            allocations.push({ ptr: p, size, align });
            sizeLeft -= size + HEADER;
            worked = true;
          }
        }
        if (!worked && allocations.length) {
          if (rng.chance(0.5) && sizeLeft >= MIN_FREE) {
            const a = allocations[rng.below(allocations.length)]!;
            const newSize = randomSize(sizeLeft + a.size);
            const p = g.realloc(a.ptr, a.size, a.align, newSize);
            if (p !== 0) {
              expect(p % a.align).toBe(0);
              a.ptr = p;
              a.size = newSize;
            }
          } else {
            const i = rng.below(allocations.length);
            const a = allocations[i]!;
            allocations[i] = allocations[allocations.length - 1]!;
            allocations.pop();
            g.dealloc(a.ptr, a.size, a.align);
            sizeLeft += a.size + HEADER;
          }
        }
      }
      for (let i = allocations.length - 1; i > 0; i--) {
        const j = rng.below(i + 1);
        [allocations[i], allocations[j]] = [allocations[j]!, allocations[i]!];
      }
      for (const a of allocations) g.dealloc(a.ptr, a.size, a.align);
      // 900 > LARGEST: the one chunk is in the other bin, between the sentinel's links
      g.expectOnlyFreeChunkAtHeapStart(H, MEM_SIZE);
    }
  });

  it('32-bit adaptation: an 8-aligned heap start loses 4 bytes, every content address is 8-aligned', () => {
    const g = boot();
    const B = g.base; // 4 KiB aligned
    g.init(B, 4096);
    // first header at B + 4, last chunk ends at B + 4092 (= 4 mod 8): content 4084 = 12 + 8·509
    g.expectOnlyFreeChunkInBin(B + 4, 4084);
    const sizes = [1, 5, 12, 13, 20, 21, 100, 163, 164, 165, 300];
    for (const s of sizes) {
      const p = g.alloc(s, 1);
      expect(p % 8, `alloc(${s}, 1)`).toBe(0);
      expect((g.size(p - HEADER) + HEADER) % 8).toBe(0);
    }
  });
});
