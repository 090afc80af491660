// simple-chunk-allocator's own unit tests (docs/seed-algorithms.md §2.8), run on target: the chunk
// image on every profile, through the host-call ABI. Upstream drives its search and bitmap
// helpers directly; here the same states are reached with allocations and frees (and, where
// upstream sets a field by hand, by writing that field), and the answers are read back as
// returned pointers and as the allocator's bitmap in .alloc_bss. Every expected value is
// worked out from docs/seed-algorithms.md §2, never taken from a run.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorCallError, AllocatorImage } from '../../runners/image.ts';

const CS = 256; // CHUNK_SIZE

/** A chunk image with sl_init over the first `bytes` of its (page-aligned) heap region. */
function chunkImage(profile: string, bytes = 32 * CS) {
  const img = AllocatorImage.load('chunk', profile);
  img.init(bytes);
  const P = img.layout.heapRegion.start;
  const bitmap = img.address('chunk_bitmap');
  const hint = img.address('chunk_hint'); // { index, alignment, chunk_count }
  return {
    img,
    P,
    alloc: (size: number, align = 1) => img.alloc(size, align).value,
    free: (ptr: number, size: number, align = 1) => void img.dealloc(ptr, size, align),
    byte: (i: number) => img.read8(bitmap + i),
    setByte: (i: number, v: number) => img.write8(bitmap + i, v),
    hintIndex: () => img.read32(hint),
    setHintIndex: (i: number) => img.write32(hint, i),
    inUse: () => img.read32(img.address('chunk_in_use')),
  };
}

/** usage() of §2.4: chunks_in_use / C as a percentage with two decimals. */
const usage = (inUse: number, chunks: number) => Math.round((inUse / chunks) * 10000) / 100;

describe.each(Object.keys(PROFILES))('chunk (simple-chunk-allocator v0.1.6) on %s', (profile) => {
  it('the constructor refuses chunk counts that are not a non-zero multiple of 8 (0..127), and heaps the bitmap cannot cover', () => {
    const img = AllocatorImage.load('chunk', profile);
    const start = img.layout.heapRegion.start;
    const region = img.layout.heapRegion.end - start;
    // Refused: the allocator stays empty and every allocation is NULL.
    for (let chunks = 0; chunks < 128; chunks++) {
      if (chunks % 8 === 0 && chunks > 0) continue;
      img.call('sl_init', [start, chunks * CS]);
      expect(img.alloc(1, 1).value, `${chunks} chunks`).toBe(0);
    }
    img.call('sl_init', [start, 8 * CS + 100]); // not whole chunks: the bitmap length cannot match
    expect(img.alloc(1, 1).value).toBe(0);
    img.call('sl_init', [start, region + 8 * CS]); // one bitmap byte more than the image has
    expect(img.alloc(1, 1).value).toBe(0);
    // Accepted: multiples of 8 chunks up to the whole region.
    for (const bytes of [8 * CS, 32 * CS, region]) {
      img.call('sl_init', [start, bytes]);
      expect(img.alloc(1, 1).value, `${bytes} bytes`).toBe(start);
    }
  });

  it('maps chunk i to bitmap byte i/8, bit i%8: chunk 3 → byte 0 bit 3, chunk 8 → byte 1 bit 0, chunk 15 → byte 1 bit 7', () => {
    const c = chunkImage(profile);
    const a = c.alloc(3 * CS); // chunks 0-2; the hint (0) was taken → hint 1
    expect(a).toBe(c.P);
    expect(c.alloc(CS)).toBe(c.P + 3 * CS); // next fit from 1 → chunk 3; hint → 4
    c.free(a, 3 * CS);
    expect(c.byte(0)).toBe(1 << 3);
    const b = c.alloc(4 * CS); // chunks 4-7, hint → 5
    expect(b).toBe(c.P + 4 * CS);
    expect(c.alloc(CS)).toBe(c.P + 8 * CS); // from 5: first free is 8; hint → 9
    const d = c.alloc(6 * CS); // chunks 9-14, hint → 10
    expect(d).toBe(c.P + 9 * CS);
    expect(c.alloc(CS)).toBe(c.P + 15 * CS); // from 10: first free is 15
    c.free(b, 4 * CS);
    c.free(d, 6 * CS);
    expect(c.byte(0)).toBe(1 << 3);
    expect(c.byte(1)).toBe((1 << 0) | (1 << 7));
    expect(c.byte(2)).toBe(0);
  });

  it('reads bitmap byte 0x2f as chunks 0, 1, 2, 3 and 5 used and chunk 4 free', () => {
    const c = chunkImage(profile);
    const p = c.alloc(CS); // lazy init zeroes the bitmap; chunk 0; hint → 1
    c.free(p, CS); // n = 1 is not below the hint's chunk_count 1: the hint stays at 1
    expect(c.hintIndex()).toBe(1);
    c.setByte(0, 0x2f);
    expect(c.alloc(CS)).toBe(c.P + 4 * CS); // 1, 2, 3 used; 4 free
    expect(c.alloc(CS)).toBe(c.P + 6 * CS); // 5 used
    expect(c.alloc(25 * CS)).toBe(c.P + 7 * CS); // 7-31 free
    expect(c.alloc(CS)).toBe(0); // and 0 used: nothing left
  });

  it('region search: (1 chunk, align 4096) → index 0 on an empty bitmap', () => {
    const c = chunkImage(profile);
    expect(c.alloc(CS, 4096)).toBe(c.P);
  });

  it('region search: chunk 0 used, hint at 2 → (1, 4096) → index 16; with 0 and 16 used → (1, 4096) fails', () => {
    const c = chunkImage(profile);
    expect(c.alloc(CS)).toBe(c.P); // hint → 1
    const one = c.alloc(CS); // chunk 1, hint → 2
    expect(one).toBe(c.P + CS);
    c.free(one, CS); // the hint stays at 2
    expect(c.hintIndex()).toBe(2);
    expect(c.alloc(CS, 4096)).toBe(c.P + 16 * CS);
    expect(c.alloc(CS, 4096)).toBe(0);
  });

  it('region search: 33 chunks fail, 32 chunks → index 0', () => {
    const c = chunkImage(profile);
    expect(c.alloc(33 * CS)).toBe(0);
    expect(c.alloc(32 * CS)).toBe(c.P);
  });

  it('region search: chunks 0, 1, 2 and 16 used → (15 chunks, align 1) → index 17', () => {
    const c = chunkImage(profile);
    expect(c.alloc(3 * CS)).toBe(c.P);
    expect(c.alloc(CS, 4096)).toBe(c.P + 16 * CS);
    c.setHintIndex(0); // upstream searches this bitmap from a fresh hint
    expect(c.alloc(15 * CS)).toBe(c.P + 17 * CS);
  });

  it('usage over 8 chunks: 2-chunk Vec 25 %, +6-chunk Vec 100 %, drop the first 75 %, 1-chunk Vec 87.5 %, drop all 0 %', () => {
    const c = chunkImage(profile, 8 * CS);
    const u = () => usage(c.inUse(), 8);
    const v1 = c.alloc(2 * CS);
    expect(u()).toBe(25.0);
    const v2 = c.alloc(6 * CS);
    expect(u()).toBe(100.0);
    c.free(v1, 2 * CS);
    expect(u()).toBe(75.0);
    const v3 = c.alloc(CS);
    expect(v3).not.toBe(0);
    expect(u()).toBe(87.5);
    c.free(v2, 6 * CS);
    c.free(v3, CS);
    expect(u()).toBe(0.0);
    expect(c.byte(0)).toBe(0);
  });

  it('fast realloc: growing 1 byte at a time up to 256 keeps the pointer and is at least 2× cheaper per call than resizing to 257, 513, …, 1793', () => {
    const c = chunkImage(profile);
    const p = c.alloc(1);
    let inPlace = 0;
    for (let size = 1; size < CS; size++) {
      const r = c.img.realloc(p, size, 1, size + 1);
      expect(r.value).toBe(p);
      inPlace += r.cycles;
    }
    let moved = 0,
      ptr = p,
      size = CS,
      moves = 0;
    for (let next = CS + 1; next <= 1793; next += CS) {
      const r = c.img.realloc(ptr, size, 1, next);
      expect(r.value).not.toBe(0);
      expect(r.value).not.toBe(ptr);
      moved += r.cycles;
      ptr = r.value;
      size = next;
      moves++;
    }
    expect(moves).toBe(7);
    expect((inPlace / (CS - 1)) * 2).toBeLessThanOrEqual(moved / moves);
  });

  it('reproduces the upstream shrink-realloc leak (§2.5, a bug kept on purpose): alloc 900, realloc to 150 keeps the pointer, free(150) frees 1 chunk and leaks 3', () => {
    const c = chunkImage(profile);
    const p = c.alloc(900); // 4 chunks
    expect(c.inUse()).toBe(4);
    expect(c.img.realloc(p, 900, 1, 150).value).toBe(p);
    expect(c.inUse()).toBe(4); // no bitmap change on a shrink
    c.free(p, 150);
    expect(c.inUse()).toBe(3);
    expect(c.byte(0)).toBe(0b1110); // chunks 1-3 stay used for ever
  });

  it('size 0 takes one chunk and a block shrunk to 0 frees one chunk (§2.2: size 0 counts as 1; §2.3: ceil(max(size,1)/256))', () => {
    // 2048 bytes = 8 chunks. alloc 100: one chunk, chunk 0 (the hint's), hint → {1, 256, 1}.
    // realloc to 0: 0 fits the 256 bytes chunk 0 occupies → same pointer, no bitmap change.
    // free(p, 0): n = ceil(max(0,1)/256) = 1, chunk 0 cleared; n = 1 is not below the hint's 1,
    // the hint stays at 1. alloc 2048: n = 8; from 1 every start fails i + 8 <= 8 until the
    // scan wraps to 0, where all eight are free → offset 0. (The port once computed 0 chunks
    // for size 0: chunk 0 stayed used and this allocation was NULL.)
    const c = chunkImage(profile, 8 * CS);
    const p = c.alloc(100);
    expect(p).toBe(c.P);
    expect(c.img.realloc(p, 100, 1, 0).value).toBe(p);
    c.free(p, 0);
    expect(c.inUse()).toBe(0);
    expect(c.alloc(8 * CS)).toBe(c.P);
  });

  it('out of memory returns NULL (upstream GlobalAlloc panics; the port returns NULL as seed-algorithms §1.3 decides)', () => {
    const c = chunkImage(profile);
    expect(c.alloc(32 * CS)).toBe(c.P);
    expect(c.alloc(1)).toBe(0);
    expect(c.alloc(0x7fff_0000)).toBe(0);
  });

  it('a double free panics, as upstream (the bitmap assert): the call faults on the trap', () => {
    const c = chunkImage(profile);
    const p = c.alloc(CS);
    c.free(p, CS);
    let err: unknown;
    try {
      c.free(p, CS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AllocatorCallError);
    expect((err as AllocatorCallError).fault?.kind).toBe('undefined');
    expect((err as AllocatorCallError).fault?.symbol).toMatch(/^(sl_dealloc|deallocate)/);
  });
});
