// The edges where a port most easily slips from its seed, one describe per port, on every
// profile: size 0 (alloc, realloc to 0, realloc from a 0-size block, free of it), alignment
// equal to and above the header (or unit), realloc that grows in place or moves, a heap whose
// size is not a multiple of the allocator's unit, and the last byte of the heap. Every expected
// offset is worked out by hand from the upstream algorithm (docs/allocators.md restates what
// size 0 does and why); the reasoning is in the comments. Offsets are from P, the start of the
// image's heap region, which is 4 KiB aligned, so "aligned" below means aligned relative to P.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorCallError, AllocatorImage } from '../../runners/image.ts';

/** An image with sl_init over the first `bytes` of its heap region; calls take and give offsets from P (null: NULL). */
function open(allocator: string, profile: string, bytes: number, slot?: number) {
  const img = AllocatorImage.load(allocator, profile);
  if (slot !== undefined) img.write32(img.address('sl_slab_slot_size'), slot);
  img.init(bytes);
  const P = img.layout.heapRegion.start;
  if (P % 4096 !== 0) throw new Error(`heap region at 0x${P.toString(16)} is not 4 KiB aligned: the offsets below assume it`);
  const off = (v: number) => (v === 0 ? null : v - P);
  return {
    img,
    P,
    a: (size: number, align = 1) => off(img.alloc(size, align).value),
    r: (at: number, size: number, align: number, newSize: number) => off(img.realloc(P + at, size, align, newSize).value),
    f: (at: number, size: number, align = 1) => void img.dealloc(P + at, size, align),
    w: (at: number) => img.read32(P + at),
    b: (at: number) => img.read8(P + at),
  };
}

/** A list of [offset, size] read from `head` by following (size at +sizeAt, next at +nextAt); null pointers end it. */
function walk(img: AllocatorImage, P: number, head: number, sizeAt: number, nextAt: number): [number, number][] {
  const out: [number, number][] = [];
  for (let at = img.read32(head); at !== 0 && out.length < 64; at = img.read32(at + nextAt)) out.push([at - P, img.read32(at + sizeAt)]);
  return out;
}

const MCUS = Object.keys(PROFILES);

describe.each(MCUS)('chunk (simple-chunk-allocator 0.1.6) edges on %s', (mcu) => {
  // 256-byte chunks, no header; next fit from a hint; size 0 counts as 1 byte everywhere (§2.2,
  // §2.3, §2.5). 2048 bytes = 8 chunks. inUse: the chunks_in_use counter.
  const chunk = (bytes = 2048) => {
    const c = open('chunk', mcu, bytes);
    return { ...c, inUse: () => c.img.read32(c.img.address('chunk_in_use')) };
  };

  it('size 0: one chunk; realloc 0 → 0 and 0 → 256 keep it, 0 → 257 moves; a free of size 0 releases one chunk', () => {
    const c = chunk();
    expect(c.a(0)).toBe(0); // n = ceil(max(0,1)/256) = 1 from hint 0; hint 0 was taken → hint {1, 256, 1}
    expect(c.inUse()).toBe(1);
    expect(c.r(0, 0, 1, 0)).toBe(0); // 0 <= ceil(max(0,1)/256)·256 = 256: same pointer, no bitmap change
    expect(c.r(0, 0, 1, 256)).toBe(0); // 256 <= 256: same pointer
    expect(c.r(0, 0, 1, 257)).toBe(256); // > 256: 2 chunks from hint 1 → chunks 1-2; hint → 2; chunk 0 freed (n = 1)
    expect(c.inUse()).toBe(2);
    c.f(256, 257);
    expect(c.a(0)).toBe(512); // next fit from hint 2: chunk 2, free again
    c.f(512, 0); // n = 1
    expect(c.inUse()).toBe(0);
  });

  it('alignment: 256 (the unit) fits any chunk; 512 skips the odd ones', () => {
    const c = chunk();
    expect(c.a(1, 1)).toBe(0); // hint → 1
    expect(c.a(1, 512)).toBe(512); // from 1: P+256 is not 512-aligned; chunk 2 is. Hint 1 is still free: it stays
    expect(c.a(1, 256)).toBe(256); // from 1: chunk 1
  });

  it('realloc grows in place up to the chunks it holds, moves beyond (no growth into a free neighbour)', () => {
    const c = chunk();
    expect(c.a(100)).toBe(0); // hint → 1
    expect(c.r(0, 100, 1, 256)).toBe(0); // within chunk 0
    expect(c.r(0, 256, 1, 300)).toBe(256); // 2 chunks from hint 1: chunks 1-2, though chunk 1 alone was free next to 0
    expect(c.inUse()).toBe(2);
  });

  it('a heap not a multiple of 256·8 is refused; the last chunk ends on the last byte', () => {
    const bad = chunk(2048 + 100);
    expect(bad.a(1)).toBeNull(); // the constructor wants a whole number of chunks, a multiple of 8
    const c = chunk();
    expect(c.a(7 * 256)).toBe(0); // chunks 0-6
    expect(c.a(256)).toBe(1792); // chunk 7: [1792, 2048), its last byte the heap's last
    expect(c.a(0)).toBeNull(); // size 0 still needs a chunk
  });
});

describe.each(MCUS)('basic (basic_allocator 0.1.6) edges on %s', (mcu) => {
  // Free-list headers of 16 bytes; block_size(size, align) = round_up(size, max(align, 16)),
  // which is 0 for size 0 (§3.6); first fit carving from the END of a block; ToyHeap grows in
  // 64-byte pages. list(): the free list as [offset, size].
  const basic = (bytes = 1024) => {
    const c = open('basic', mcu, bytes);
    return {
      ...c,
      list: () => walk(c.img, c.P, c.img.address('basic_free_list'), 4, 0),
      grown: () => c.img.read32(c.img.address('basic_grown')),
    };
  };

  it('size 0: a 0-byte block at the bump pointer, the same address the next request gets; its free writes a header into that live block', () => {
    const c = basic();
    expect(c.a(0)).toBe(0); // need 0: the list is empty, grow_heap(0) hands out P+0 and 0 bytes
    expect(c.grown()).toBe(0);
    expect(c.a(16, 16)).toBe(0); // need 16: grown as a 64-byte page at P+0 again; [16, 48) freed
    expect(c.list()).toEqual([[16, 48]]);
    expect(c.a(0)).toBe(64); // pop_size(0): 48 >= 0 + 16, so "carve" 0 bytes from its end: P+64
    expect(c.r(64, 0, 1, 0)).toBe(64); // alloc(0) → P+64 again; free(P+64, 0) starts where [16,48) ends: +0 bytes
    expect(c.list()).toEqual([[16, 48]]);
    expect(c.r(64, 0, 1, 32)).toBe(32); // need 32 carved from the end of [16, 48) → [16, 16); then the free
    expect(c.list()).toEqual([
      [16, 16],
      [64, 0],
    ]); // of P+64, size 0, links a 0-byte free block
    c.f(32, 32); // grows [16,16) to [16,48), which now ends at the 0-byte block: merged, +0
    expect(c.list()).toEqual([[16, 48]]);
    c.f(0, 0); // ends before [16,48) with a gap: inserted at the head, header {next, 0} over the live 16-byte block
    expect(c.list()).toEqual([
      [0, 0],
      [16, 48],
    ]);
    expect(c.w(0)).toBe(c.P + 16); // the live block's first word is now the link
  });

  it('size 0 on a full heap: P+1024, one past the end of a 1024-byte heap', () => {
    const c = basic();
    expect(c.a(1024, 16)).toBe(0); // 16 pages: grown 1024
    expect(c.a(0)).toBe(1024); // grow_heap(0): 1024 + 0 <= 1024 passes; nothing to round
  });

  it('alignment 16 (the header) holds; 32 does not: an exact fit at P+16', () => {
    const c = basic();
    expect(c.a(16, 16)).toBe(0); // page at 0; [16, 48) free
    expect(c.a(16, 16)).toBe(48); // carved from the end: [16, 32) left
    expect(c.a(32, 32)).toBe(16); // need 32: the first block is exactly 32 → taken whole, at a 16-byte boundary
  });

  it("realloc never grows or shrinks in place (Rust's default): both move", () => {
    const c = basic();
    expect(c.a(16, 16)).toBe(0); // [16, 48) free
    expect(c.r(0, 16, 16, 32)).toBe(32); // need 32 from the end of [16,48) → [16,16); free P+0 absorbs it → [0, 32)
    expect(c.list()).toEqual([[0, 32]]);
    expect(c.r(32, 32, 16, 16)).toBe(16); // need 16 from the end of [0, 32); the old block goes back after it
    expect(c.list()).toEqual([
      [0, 16],
      [32, 32],
    ]);
  });

  it('a 1000-byte heap (not whole pages): the last page runs past it and so does a block carved from it', () => {
    const c = basic(1000);
    expect(c.a(992, 16)).toBe(0); // 992 <= 1000 passes; rounded to 16 pages = 1024; [992, 1024) freed
    expect(c.list()).toEqual([[992, 32]]);
    expect(c.a(16, 16)).toBe(1008); // carved from the end: [1008, 1024), every byte beyond the heap's last (999)
  });
});

describe.each(MCUS)('galloc (good_memory_allocator 0.1.7, 32-bit adaptation) edges on %s', (mcu) => {
  // 4-byte header; content sizes 12 + 8k (prepare = align_up(max(size,12) + 4, 8) − 4); the
  // first header at ≡ 4 (mod 8), the end at ≡ 4 (mod 8). A 256-byte heap: first header P+4,
  // end P+252, one free chunk, content P+8, size 244, in the other bin.
  it('size 0: a 12-byte chunk at +8; realloc 0 → 0 keeps it, 0 → 100 grows into the free chunk after it; the free restores the whole heap', () => {
    const c = open('galloc', mcu, 256);
    expect(c.a(0)).toBe(8); // prepare(0) = 12; content +8 is aligned: split, free chunk at P+20 (content +24, 228)
    expect(c.r(8, 0, 1, 0)).toBe(8); // 12 <= 12: shrink in place; the free neighbour's header stays where it is
    expect(c.r(8, 0, 1, 100)).toBe(8); // 100 > 12: the free neighbour ends at P+252; +8+100 = P+108 leaves 144 > 16: its header moves to P+108
    c.f(8, 100); // next chunk free: 100 + 4 + 140 = 244, one chunk again
    expect(c.a(244, 8)).toBe(8); // prepare(244) = 244: the whole heap, its last byte P+251
  });

  it("alignment 4 (the header) gets 8; 16 goes to the end of the chunk, whose end is the heap's (P+252)", () => {
    const c = open('galloc', mcu, 256);
    expect(c.a(12, 4)).toBe(8); // align max(4, 8) = 8: content +8 fits; rest: content +24, 228
    expect(c.a(12, 16)).toBe(240); // +24 is not 16-aligned: align_down(P+252 − 12, 16) = P+240 (>= +20 + 20); no tail left
    expect(c.w(236)).toBe(12); // the block's header: size 12, used, previous free (flags 0)
  });

  it('realloc moves when the next chunk is used; the chunk it left is the next optimal fit', () => {
    const c = open('galloc', mcu, 256);
    expect(c.a(12, 8)).toBe(8);
    expect(c.a(12, 8)).toBe(24); // split from the free chunk at P+20: rest at P+36, content +40, 212
    expect(c.r(8, 12, 8, 20)).toBe(40); // prepare(20) = 20 > 12; the next chunk (+24) is used: alloc 20 → +40, free +8
    expect(c.a(12, 8)).toBe(8); // smallbin 0 (size 12), content 8-aligned: taken whole
  });

  it('a 250-byte heap (not a multiple of 8): the chunk ends at P+244, 236 bytes in all', () => {
    const c = open('galloc', mcu, 250);
    // end = align_down(P+250 − 4, 8) + 4 = P+244: content P+8 .. P+244, size 236
    expect(c.a(236, 8)).toBe(8);
    expect(c.a(0)).toBeNull();
  });
});

describe.each(MCUS)('galloc-upstream (good_memory_allocator 0.1.7 as published, 32-bit) edges on %s', (mcu) => {
  // The crate's own arithmetic on a 4-byte usize: the first header 8-aligned (P+0), content
  // P+4 (≡ 4 mod 8), the end align_down(P+256, 8) = P+256; one free chunk of 252 in the other
  // bin. prepare(size) = align_up(max(size, 12), 8); the sub-bin of a content address ≡ 4 mod 8
  // is ctz − 3 = 2 − 3, wrapped, min 7 = 7. Smallbin i holds sizes 12 + 8i and 16 + 8i.
  it('the finding: alloc(100, 8) → +152, then alloc(140, 8) → +4, not 8-aligned', () => {
    const c = open('galloc-upstream', mcu, 256);
    // s = 104; content +4 is not 8-aligned → at the end: align_down(P+256 − 104, 8) = P+152; the
    // front P+0 keeps 148 − 4 = 144 bytes → smallbin (144 − 12)/8 = 16, sub-bin 7 (content P+4)
    expect(c.a(100, 8)).toBe(152);
    // s = 144, smallbin 16: the optimal search for alignment index 0 takes the first non-empty
    // sub-bin from 0 up, sub-bin 7, whose chunk has content P+4: taken whole
    const p = c.a(140, 8);
    expect(p).toBe(4);
    expect(p! % 8).toBe(4);
  });

  it("a 12-byte chunk answers a 16-byte request: the next block's header lies inside the block handed out", () => {
    const c = open('galloc-upstream', mcu, 256);
    expect(c.a(100, 8)).toBe(152); // as above: free chunk at P+0, content +4, 144
    // s = 128, smallbin 14; bins 14-15 empty, other bin empty; aligned suboptimal from bin 16:
    // sub-bin 7's chunk (content +4, misaligned) split: 144 − 128 = 16 → a free chunk at P+132
    // of 16 − 4 = 12 bytes, content P+136 → smallbin (12 − 12)/8 = 0
    expect(c.a(128, 8)).toBe(4);
    // s = 16, smallbin (16 − 12)/8 = 0 — which holds that 12-byte chunk: taken whole
    expect(c.a(16, 8)).toBe(136);
    expect(c.w(148) & ~3).toBe(104); // [136, 152) covers P+148, the header of the block at +152
  });

  it('size 0: 16 bytes at the end of the heap; realloc 0 → 0 keeps it, 0 → 100 moves (it is last); the frees merge back to one chunk', () => {
    const c = open('galloc-upstream', mcu, 256);
    expect(c.a(0)).toBe(240); // s = 16; +4 misaligned → align_down(P+256 − 16, 8) = P+240; front keeps 232
    expect(c.r(240, 0, 1, 0)).toBe(240); // 16 <= 16: shrink; no next chunk, 0 spare bytes
    // s = 104; the block ends the heap, no growth; alloc: front chunk (P+0, content +4, 232) is
    // large: at its end, align_down(P+236 − 104, 8) = P+128; front keeps 120; 108 − 104 = 4 spare
    expect(c.r(240, 0, 1, 100)).toBe(128);
    c.f(128, 100); // previous (P+0, 120) and next (P+236, 16, freed by the realloc) both free: 252
    expect(c.a(100, 8)).toBe(152); // the same answer as on a fresh heap
  });

  it('alignment 4 (the header) is met, 8 is not: the 16-byte start chunk in sub-bin 7 answers both', () => {
    const c = open('galloc-upstream', mcu, 256);
    // s = 232, align max(4, 8) = 8; content +4 misaligned → at the end: align_down(P+256 − 232, 8)
    // = P+24 >= P+0 + 16 + 4; the start chunk P+0 keeps 24 − 4 − 4 = 16 → smallbin 0, sub-bin 7
    expect(c.a(232, 4)).toBe(24);
    // s = 16, smallbin 0: the optimal search takes sub-bin 7's head, the chunk at P+0: content +4
    const p = c.a(4, 8);
    expect(p).toBe(4);
    expect(p! % 8).toBe(4);
  });

  it('a 250-byte heap: the chunk ends at P+248; 240 bytes cannot be placed, 200 go to its end', () => {
    const c = open('galloc-upstream', mcu, 250);
    // end = align_down(P+250, 8) = P+248: content +4, 244. s = 240 <= 244 but +4 is not
    // 8-aligned and align_down(P+248 − 240, 8) = P+8 leaves no 16-byte start chunk → NULL
    expect(c.a(240, 4)).toBeNull();
    expect(c.a(200, 4)).toBe(48); // align_down(P+48, 8) = P+48, its last byte P+247
  });
});

describe.each(MCUS)('slab (slaballoc 0.1.1) edges on %s', (mcu) => {
  // Slots of es bytes from P, first fit from slot 0; bitmap of dc(count, 8) bytes at the end.
  // es 64 on 1024 bytes: dc(16, 8) = 3 reserved → count = 1021 / 64 = 15, bitmap 2 bytes at +1022.
  it("size 0: a slot; realloc 0 → 0 moves to the next slot (Rust's default realloc), 0 → 8 back; the free clears the bit", () => {
    const c = open('slab', mcu, 1024, 64);
    expect(c.a(0)).toBe(0);
    expect(c.b(1022)).toBe(0b1);
    expect(c.r(0, 0, 1, 0)).toBe(64); // alloc first (slot 1), then free slot 0
    expect(c.r(64, 0, 1, 8)).toBe(0); // slot 0 is first free again
    c.f(0, 8);
    expect(c.b(1022)).toBe(0);
  });

  it("alignment: up to the slot size's lowest set bit (64; 16 for 48-byte slots), NULL above", () => {
    const c = open('slab', mcu, 1024, 64);
    expect(c.a(1, 64)).toBe(0);
    expect(c.a(1, 128)).toBeNull();
    const d = open('slab', mcu, 1024, 48);
    expect(d.a(1, 16)).toBe(0);
    expect(d.a(1, 32)).toBeNull();
  });

  it('realloc always moves, and beyond a slot fails with the old slot kept', () => {
    const c = open('slab', mcu, 1024, 64);
    expect(c.a(10)).toBe(0);
    expect(c.r(0, 10, 1, 20)).toBe(64);
    expect(c.r(64, 20, 1, 65)).toBeNull();
    expect(c.b(1022)).toBe(0b10);
  });

  it('1024 bytes of 48-byte slots (1024 & 47 = 0, so accepted): 21 slots, the bitmap in the last 3 bytes', () => {
    // dc(1024/48 = 21, 8) = 3 → count = 1021 / 48 = 21; bitmap dc(21, 8) = 3 bytes at +1021
    const c = open('slab', mcu, 1024, 48);
    for (let i = 0; i < 21; i++) expect(c.a(48)).toBe(48 * i);
    expect(c.a(1)).toBeNull();
    expect([c.b(1021), c.b(1022), c.b(1023)]).toEqual([0xff, 0xff, 0x1f]); // the heap's last byte holds slots 16-20
    expect(open('slab', mcu, 1000, 48).a(1)).toBeNull(); // 1000 & 47 = 40: refused
  });
});

describe.each(MCUS)('emballoc (0.3.0) edges on %s', (mcu) => {
  // Header u32 = size << 1 | used before each payload; best fit; split when >= 4 bytes are
  // left (a 0-byte free block is possible); free finds the block whose [start, start + size)
  // holds the pointer, merges forward only (§6). N = 32: one free block of 28 at first.
  const U = (n: number) => (n << 1) | 1;
  const F = (n: number) => n << 1;

  it('size 0: a 0-byte block whose header is never found by free: each one loses 4 bytes for ever', () => {
    const c = open('emballoc', mcu, 32);
    expect(c.a(0)).toBe(4); // used(0) at 0, split: free(24) at 4
    expect(c.r(4, 0, 1, 0)).toBe(8); // alloc 0 → used(0) at 4, free(20) at 8; free(+4): no [start, start+0) holds it
    expect(c.r(8, 0, 1, 8)).toBe(12); // alloc 8 → used(8) at 8, free(8) at 20; free(+8): not found either
    expect([c.w(0), c.w(4), c.w(8), c.w(20)]).toEqual([U(0), U(0), U(8), F(8)]);
    c.f(12, 8); // found; the next (at 20) is free: free(8 + 4 + 8) = free(20)
    expect(c.w(8)).toBe(F(20));
    expect(c.a(24)).toBeNull(); // a fresh 32-byte heap serves 28
    expect(c.a(20)).toBe(12);
  });

  it('alignment 4 (the header) is exact; 8 over-allocates by 8 and rounds the pointer up inside the block', () => {
    const c = open('emballoc', mcu, 32);
    expect(c.a(4, 4)).toBe(4);
    const d = open('emballoc', mcu, 32);
    expect(d.a(4, 8)).toBe(8); // req 4 + 8 = 12: used(12) at 0, payload +4 → align_up = +8
    d.f(8, 4, 8); // an interior pointer: found; the next, free(12) at 16, merged: free(28)
    expect(d.w(0)).toBe(F(28));
    expect(d.a(28, 4)).toBe(4); // the whole heap, its last byte P+31
    expect(d.a(0)).toBeNull(); // no free block at all, not even a 0-byte one
  });

  it("realloc always moves (Rust's default): a grow to the block after it, a shrink back into the 4 bytes left at the front", () => {
    const c = open('emballoc', mcu, 32);
    expect(c.a(4)).toBe(4); // used(4), free(20) at 8
    expect(c.r(4, 4, 4, 8)).toBe(12); // used(8) at 8, free(8) at 20; +4 freed: its next is used → free(4)
    expect(c.r(12, 8, 4, 4)).toBe(4); // best fit: free(4) at 0 exactly; the free of +12 merges forward: free(20) at 8
    expect([c.w(0), c.w(8)]).toEqual([U(4), F(20)]);
  });

  it('a heap size not a multiple of 4 panics in sl_init', () => {
    const img = AllocatorImage.load('emballoc', mcu);
    let err: unknown;
    try {
      img.call('sl_init', [img.layout.heapRegion.start, 30]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AllocatorCallError);
    expect((err as AllocatorCallError).fault?.kind).toBe('undefined');
  });
});

describe.each(MCUS)('linked-list (linked_list_allocator 0.10.5) edges on %s', (mcu) => {
  // Holes {size, next} of 8 bytes, 4-aligned; sizes max(size, 8) rounded to 4; first fit with
  // front padding at align_up(hole + 8, align) and a back hole only if a Hole fits (§7).
  // holes(): the list from lla.first.next. A 64-byte heap: one hole [0, 64).
  const lla = (bytes = 64) => {
    const c = open('linked-list', mcu, bytes);
    const state = c.img.address('lla');
    return { ...c, holes: () => walk(c.img, c.P, state + 8, 0, 4), used: () => c.img.read32(state) };
  };

  it('size 0: an 8-byte block (min_size); realloc moves it; the frees merge the heap back into one hole', () => {
    const c = lla();
    expect(c.a(0)).toBe(0); // size' = 8: [0, 8), back hole [8, 56)
    expect(c.used()).toBe(8);
    expect(c.r(0, 0, 1, 0)).toBe(8); // alloc 8 → [8, 16), hole [16, 48); free [0, 8) goes before it
    expect(c.holes()).toEqual([
      [0, 8],
      [16, 48],
    ]);
    expect(c.r(8, 0, 1, 20)).toBe(16); // alloc 20 → [16, 36), hole [36, 28); free [8, 8) merges with [0, 8)
    expect(c.holes()).toEqual([
      [0, 16],
      [36, 28],
    ]);
    c.f(16, 20); // merges with both: [0, 64)
    expect(c.holes()).toEqual([[0, 64]]);
    expect(c.used()).toBe(0);
  });

  it('alignment 8 (the Hole) and above: front padding of at least a Hole at align_up(hole + 8, align)', () => {
    const c = lla();
    expect(c.a(8, 8)).toBe(0); // hole [8, 56) left
    expect(c.a(8, 16)).toBe(16); // +8 is not 16-aligned: align_up(+16, 16) = +16; front [8, 8), back [24, 40)
    expect(c.holes()).toEqual([
      [8, 8],
      [24, 40],
    ]);
    expect(c.a(4, 4)).toBe(8); // size' 8: the front hole exactly
    expect(c.a(8, 32)).toBe(32); // +24: align_up(+32, 32) = +32; front [24, 8), back [40, 24)
  });

  it('realloc moves even when the bytes after the block are free (no in-place growth, issue #87)', () => {
    const c = lla();
    expect(c.a(8, 4)).toBe(0);
    expect(c.r(0, 8, 4, 16)).toBe(8); // alloc from the hole [8, 56), then [0, 8) freed before the back hole
    expect(c.holes()).toEqual([
      [0, 8],
      [24, 40],
    ]);
  });

  it('a 63-byte heap is 60 bytes; on 64, 60 fails (a 4-byte tail cannot be a Hole) and 56 + 8 end on the last byte', () => {
    const odd = lla(63);
    expect(odd.a(60, 4)).toBe(0); // size aligned down to 60: exact, no back hole
    expect(odd.a(1)).toBeNull();
    const c = lla();
    expect(c.a(60, 4)).toBeNull(); // back = 4 < 8: the hole is skipped (0.10.4+)
    expect(c.a(56, 4)).toBe(0); // back [56, 8)
    expect(c.a(8, 4)).toBe(56); // [56, 64): its last byte P+63
    expect(c.a(0)).toBeNull(); // size 0 needs 8 bytes
  });
});
