// linked_list_allocator's own unit tests (rust-osdev/linked-list-allocator 0.10.5, src/test.rs;
// docs/seed-algorithms.md §7.7), run on the C port inside the emulator on every profile. Upstream's
// numbers are in units of usize, so on 32-bit they scale with it: a Hole is 2 words = 8
// bytes, min_size 8, hole alignment 4. The heap is upstream's new_heap(): 1000 bytes at a
// 128-aligned address (the heap region is 4 KiB aligned), usable size align_down(1000, 4) =
// 1000. Expected values come from §7's rules, never from a run. The extend_* tests have no
// counterpart: the sramlab ABI has no extend.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { containmentChecker, installStackLimit } from '../../checks/checkers.ts';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorImage, imagePath } from '../../runners/image.ts';

const USIZE = 4;
const HOLE = 2 * USIZE; // size_of::<Hole>() = min_size()
const HEAP_SIZE = 1000;

// `static struct lla` in allocators/linked-list/linked-list.c:
//   used @0, first { size @4, next @8 }, bottom @12, top @16, pending_extend @20
const FIRST_NEXT = 8,
  BOTTOM = 12,
  TOP = 16;

class Lla {
  readonly state: number;
  bottom = 0;
  top = 0;
  constructor(readonly img: AllocatorImage) {
    this.state = img.address('lla');
  }

  /** Heap::init(ptr, size), then the containment and stack checks for the rest of the test. */
  init(heap: number, size: number): void {
    const { img } = this;
    img.call('sl_init', [heap, size]);
    img.heap = { start: heap, end: heap + size };
    const layout = img.checkLayout();
    img.machine.addChecker(containmentChecker(img.machine.cpu, layout));
    installStackLimit(img.machine.cpu, layout);
    this.bottom = img.read32(this.state + BOTTOM);
    this.top = img.read32(this.state + TOP);
  }

  get size(): number {
    return this.top - this.bottom;
  }
  alloc(size: number, align: number): number {
    return this.img.alloc(size, align).value;
  }
  dealloc(ptr: number, size: number, align: number): void {
    this.img.dealloc(ptr, size, align);
  }

  /** (*(ptr as *const Hole)).size */
  holeSize(addr: number): number {
    return this.img.read32(addr);
  }
  holeNext(addr: number): number {
    return this.img.read32(addr + 4);
  }
  /** holes.first_hole(): the first real hole, or undefined. */
  firstHole(): [number, number] | undefined {
    const h = this.img.read32(this.state + FIRST_NEXT);
    return h === 0 ? undefined : [h, this.holeSize(h)];
  }
  holes(): [number, number][] {
    const out: [number, number][] = [];
    for (let h = this.img.read32(this.state + FIRST_NEXT); h !== 0; h = this.holeNext(h)) out.push([h - this.bottom, this.holeSize(h)]);
    return out;
  }
}

describe.each(Object.keys(PROFILES))('linked_list_allocator upstream tests on %s', (profile) => {
  let elf: Uint8Array;
  beforeAll(() => {
    elf = readFileSync(imagePath('linked-list', profile));
  });
  const boot = () => new Lla(AllocatorImage.fromElf(elf, profile, {}, `linked-list-${profile}`));
  /** new_heap(): 1000 bytes at the (4 KiB, so 128-) aligned start of the heap region. */
  const newHeap = (skip = 0) => {
    const h = boot();
    h.init(h.img.layout.heapRegion.start + skip, HEAP_SIZE - skip);
    return h;
  };

  it('empty: an allocator never initialised returns NULL', () => {
    expect(boot().alloc(1, 1)).toBe(0);
  });

  it('new_heap: bottom is the array, size is align_down(1000, usize)', () => {
    const h = newHeap();
    expect(h.bottom).toBe(h.img.layout.heapRegion.start);
    expect(h.size).toBe(1000);
    expect(h.holes()).toEqual([[0, 1000]]);
  });

  it('oom: size + 1 does not fit', () => {
    const h = newHeap();
    expect(h.alloc(h.size + 1, USIZE)).toBe(0);
  });

  it('allocate_double_usize: at the bottom; the rest becomes the first hole', () => {
    const h = newHeap();
    const size = USIZE * 2;
    const addr = h.alloc(size, USIZE);
    expect(addr).toBe(h.bottom);
    expect(h.firstHole()).toEqual([h.bottom + size, h.size - size]);
    expect(h.holeSize(addr + size)).toBe(h.size - size);
  });

  it('allocate_and_free_double_usize: the freed block is the whole heap again', () => {
    const h = newHeap();
    const x = h.alloc(USIZE * 2, USIZE);
    h.img.write32(x, 0xdeadbeef);
    h.img.write32(x + 4, 0xbeafbabe);
    h.dealloc(x, USIZE * 2, USIZE);
    const first = h.firstHole()!;
    expect(first).toEqual([h.bottom, h.size]);
    expect(h.holeNext(first[0])).toBe(0);
  });

  const size5 = USIZE * 5;

  it('deallocate_right_before', () => {
    const h = newHeap();
    const [x, y, z] = [h.alloc(size5, 1), h.alloc(size5, 1), h.alloc(size5, 1)];
    h.dealloc(y, size5, 1);
    expect(h.holeSize(y)).toBe(size5);
    h.dealloc(x, size5, 1);
    expect(h.holeSize(x)).toBe(size5 * 2);
    h.dealloc(z, size5, 1);
    expect(h.holeSize(x)).toBe(h.size);
  });

  it('deallocate_right_behind', () => {
    const h = newHeap();
    const [x, y, z] = [h.alloc(size5, 1), h.alloc(size5, 1), h.alloc(size5, 1)];
    h.dealloc(x, size5, 1);
    expect(h.holeSize(x)).toBe(size5);
    h.dealloc(y, size5, 1);
    expect(h.holeSize(x)).toBe(size5 * 2);
    h.dealloc(z, size5, 1);
    expect(h.holeSize(x)).toBe(h.size);
  });

  it('deallocate_middle', () => {
    const h = newHeap();
    const [x, y, z, a] = [h.alloc(size5, 1), h.alloc(size5, 1), h.alloc(size5, 1), h.alloc(size5, 1)];
    h.dealloc(x, size5, 1);
    expect(h.holeSize(x)).toBe(size5);
    h.dealloc(z, size5, 1);
    expect(h.holeSize(x)).toBe(size5);
    expect(h.holeSize(z)).toBe(size5);
    h.dealloc(y, size5, 1);
    expect(h.holeSize(x)).toBe(size5 * 3);
    h.dealloc(a, size5, 1);
    expect(h.holeSize(x)).toBe(h.size);
  });

  it('reallocate_double_usize: free then allocate again gives the same block', () => {
    const h = newHeap();
    const x = h.alloc(USIZE * 2, USIZE);
    h.dealloc(x, USIZE * 2, USIZE);
    const y = h.alloc(USIZE * 2, USIZE);
    h.dealloc(y, USIZE * 2, USIZE);
    expect(y).toBe(x);
  });

  /** allocate_multiple_sizes, and allocate_multiple_unaligned for each skip. */
  const multipleSizes = (h: Lla) => {
    const base = USIZE,
      align = USIZE;
    const x = h.alloc(base * 2, align);
    const y = h.alloc(base * 7, align);
    expect(y).toBe(x + base * 2);
    const z = h.alloc(base * 3, align * 4);
    expect(z % (base * 4)).toBe(0);
    h.dealloc(x, base * 2, align);
    const a = h.alloc(base * 4, align);
    const b = h.alloc(base * 2, align);
    expect(b).toBe(x);
    h.dealloc(y, base * 7, align);
    h.dealloc(z, base * 3, align * 4);
    h.dealloc(a, base * 4, align);
    h.dealloc(b, base * 2, align);
    // everything freed: one hole again (not asserted upstream; §9.1's check)
    expect(h.holes()).toEqual([[0, h.size]]);
  };

  it('allocate_multiple_sizes', () => {
    multipleSizes(newHeap());
  });

  it('allocate_multiple_unaligned: heap starts 0..=size_of::<Hole>() bytes past an aligned address', () => {
    for (let offset = 0; offset <= HOLE; offset++) multipleSizes(newHeap(offset));
  });

  it('allocate_usize', () => {
    expect(newHeap().alloc(USIZE, 1)).not.toBe(0);
  });

  it('allocate_usize_in_bigger_block: a usize request reuses a freed 2-usize hole', () => {
    const h = newHeap();
    const x = h.alloc(USIZE * 2, 1);
    const y = h.alloc(USIZE * 2, 1);
    h.dealloc(x, USIZE * 2, 1);
    const z = h.alloc(USIZE, 1);
    expect(z).toBe(x);
    h.dealloc(y, USIZE * 2, 1);
    h.dealloc(z, USIZE, 1);
  });

  it('align_from_small_to_big (blog_os #160): 28 bytes at align 4, then 8 at align 8', () => {
    const h = newHeap();
    expect(h.alloc(28, 4)).not.toBe(0);
    expect(h.alloc(8, 8)).not.toBe(0);
  });

  it('0.10.4+ back padding (§7.2, issue #66): a hole whose tail could not hold a Hole is skipped, not leaked', () => {
    const h = newHeap();
    // 996 leaves 4 bytes behind in the 1000-byte hole: too small for a Hole, so no fit
    // (0.10.3 would hand out all 1000 and lose the 4 on free).
    expect(h.alloc(h.size - 4, USIZE)).toBe(0);
    expect(h.alloc(h.size - HOLE, USIZE)).toBe(h.bottom);
    expect(h.holes()).toEqual([[h.size - HOLE, HOLE]]);
  });

  it('front padding becomes a hole of at least min_size; freeing merges both ways', () => {
    const h = newHeap();
    // the first hole starts at the 128-aligned bottom + 8 after an 8-byte block
    const a = h.alloc(8, 4);
    const b = h.alloc(16, 64); // bottom+8 is not 64-aligned: start = align_up(bottom+16, 64)
    expect(b).toBe(h.bottom + 64);
    expect(h.holes()).toEqual([
      [8, 56],
      [80, 920],
    ]);
    h.dealloc(b, 16, 64);
    expect(h.holes()).toEqual([[8, 992]]);
    h.dealloc(a, 8, 4);
    expect(h.holes()).toEqual([[0, 1000]]);
  });

  // allocate_many_size_aligns: every size 1..=512 × align 2^0..2^9 × four free orders:
  // allocate until NULL, free all in the order, then the whole heap must be allocatable in
  // one block (no leak, full coalescing). All 20,480 rounds are ~3·10^8 emulated
  // instructions.
  it('allocate_many_size_aligns (every align and order; every 4th size, each profile from its own offset)', () => {
    const h = newHeap();
    const full = h.size;
    const p0 = h.alloc(full, 1);
    expect(p0).toBe(h.bottom);
    h.dealloc(p0, full, 1);
    // Each of the four profiles runs every 4th size from its own offset (1, 2, 3, 4), so that
    // together they run upstream's every size once, in a quarter of the time.
    const STRIDE = 4;
    const first = 1 + (Math.max(0, Object.keys(PROFILES).indexOf(profile)) % STRIDE);
    for (let strat = 0; strat < 4; strat++) {
      for (let alignLog = 0; alignLog < 10; alignLog++) {
        const align = 1 << alignLog;
        for (let size = first; size <= 512; size += STRIDE) {
          const allocs: number[] = [];
          for (;;) {
            const p = h.alloc(size, align);
            if (p === 0) break;
            expect(p % align).toBe(0);
            allocs.push(p);
          }
          let order: number[];
          if (strat === 0) order = allocs;
          else if (strat === 1) order = [...allocs].reverse();
          else {
            const seq = strat === 2 ? allocs : [...allocs].reverse();
            order = [...seq.filter((_, i) => i % 2 === 0), ...seq.filter((_, i) => i % 2 === 1)];
          }
          for (const p of order) h.dealloc(p, size, align);
          const whole = h.alloc(full, 1);
          expect(whole, `strategy ${strat}, align ${align}, size ${size}: the whole heap in one block`).toBe(h.bottom);
          h.dealloc(whole, full, 1);
        }
      }
    }
  });
});
