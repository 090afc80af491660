// slaballoc's own tests (docs/seed-algorithms.md §5.5) and its capacity formula (§5.1, §9.7), run on
// target: the slab image on every profile, through the host-call ABI. The slot size stands
// for size_of::<T>(): the host writes sl_slab_slot_size before sl_init. Every expected value
// is worked out from docs/seed-algorithms.md §5, never taken from a run.
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../emulator/profiles.ts';
import { AllocatorCallError, AllocatorImage } from '../../runners/image.ts';

function slabImage(profile: string, slot: number, bytes: number) {
  const img = AllocatorImage.load('slab', profile);
  img.write32(img.address('sl_slab_slot_size'), slot);
  img.init(bytes);
  const P = img.layout.heapRegion.start;
  return {
    img,
    P,
    alloc: (size = slot, align = 1) => img.alloc(size, align).value,
    free: (ptr: number) => void img.dealloc(ptr, slot, 1),
    count: () => img.read32(img.address('slab_count')),
  };
}

/** Fills the pool: the pointers handed out before the first NULL. */
function fill(s: ReturnType<typeof slabImage>, max = 100_000): number[] {
  const out: number[] = [];
  for (let p = s.alloc(); p !== 0 && out.length < max; p = s.alloc()) out.push(p);
  return out;
}

describe.each(Object.keys(PROFILES))('slab (slaballoc v0.1.1) on %s', (profile) => {
  it('the slot size defaults to 64 and is read by sl_init', () => {
    const img = AllocatorImage.load('slab', profile);
    expect(img.read32(img.address('sl_slab_slot_size'))).toBe(64);
  });

  it('32-byte region, 8-byte T: exactly 3 slots (bitmap 1 byte at offset 31), then HeapExhausted; the values stay intact', () => {
    const s = slabImage(profile, 8, 32);
    const got = fill(s);
    expect(got.map((p) => p - s.P)).toEqual([0, 8, 16]);
    expect(s.img.read8(s.P + 31)).toBe(0b111);
    for (const [i, p] of got.entries()) s.img.write32(p, 0x1000 + i);
    expect(s.alloc()).toBe(0);
    for (const [i, p] of got.entries()) expect(s.img.read32(p)).toBe(0x1000 + i);
  });

  it('32-byte region, 4-byte T (32-bit usize): 7 slots, the 8th allocation fails', () => {
    const s = slabImage(profile, 4, 32);
    const got = fill(s);
    expect(got.map((p) => p - s.P)).toEqual([0, 4, 8, 12, 16, 20, 24]);
    expect(s.img.read8(s.P + 31)).toBe(0x7f);
  });

  it('16 KiB region aligned to 128: 32 allocations of an 8-byte struct, one after another', () => {
    const s = slabImage(profile, 8, 16384);
    expect(s.P % 128).toBe(0);
    const got = Array.from({ length: 32 }, () => s.alloc());
    expect(got.map((p) => p - s.P)).toEqual(Array.from({ length: 32 }, (_, i) => 8 * i));
  });

  it('capacity formula: 16384 bytes of 8-byte slots → 2015 slots (not the 2016 of the upstream comment), bitmap of 252 bytes at the end', () => {
    const s = slabImage(profile, 8, 16384);
    expect(s.count()).toBe(2015);
    const bitmap = s.P + 16384 - 252;
    expect(s.img.read32(s.img.address('slab_bitmap'))).toBe(bitmap);
    // Mark slots 0..2013 used by hand (filling them one by one costs ~2 M atomic RMWs), then
    // let the allocator find the last slot, 2014, and nothing after it.
    for (let i = 0; i < 251; i++) s.img.write8(bitmap + i, 0xff);
    s.img.write8(bitmap + 251, 0x3f);
    expect(s.alloc() - s.P).toBe(2014 * 8);
    expect(s.img.read8(bitmap + 251)).toBe(0x7f); // 2015 = 251 × 8 + 7
    expect(s.alloc()).toBe(0);
  });

  it('a free clears the bit (fetch_and) and first fit from slot 0 hands that slot out again', () => {
    const s = slabImage(profile, 8, 32);
    const [a, b, c] = fill(s);
    s.free(b!);
    expect(s.img.read8(s.P + 31)).toBe(0b101);
    expect(s.alloc()).toBe(b);
    s.free(a!);
    s.free(c!);
    expect(s.alloc()).toBe(a);
  });

  it('a double free is not detected, as upstream: the bit is simply cleared again', () => {
    const s = slabImage(profile, 8, 32);
    const [a] = fill(s);
    s.free(a!);
    s.free(a!);
    expect(s.img.read8(s.P + 31)).toBe(0b110);
  });

  it('a pointer outside the slots panics, as upstream (index out of [0, num_elems)): the call faults on the trap', () => {
    const s = slabImage(profile, 8, 32);
    fill(s);
    for (const bad of [s.P + 24, s.P - 8]) {
      let err: unknown;
      try {
        s.free(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AllocatorCallError);
      expect((err as AllocatorCallError).fault?.kind).toBe('undefined');
    }
  });

  it('the typed pool holds one T: larger or more aligned requests get NULL, smaller ones a whole slot', () => {
    const s = slabImage(profile, 64, 4096);
    expect(s.alloc(65, 1)).toBe(0);
    expect(s.alloc(8, 128)).toBe(0);
    expect(s.alloc(64, 64)).toBe(s.P);
    expect(s.alloc(1, 1)).toBe(s.P + 64);
    expect(s.alloc(0, 1)).toBe(s.P + 128);
  });

  it('a region that is not a multiple of the slot size is refused (BadBaseAlignment): every allocation is NULL', () => {
    const s = slabImage(profile, 8, 36);
    expect(s.count()).toBe(0);
    expect(s.alloc()).toBe(0);
  });

  it("realloc is Rust's default: another slot with the bytes copied and the old slot freed; beyond a slot NULL and the old slot kept", () => {
    const s = slabImage(profile, 8, 32);
    const a = s.alloc(8);
    s.img.write32(a, 0x11223344);
    s.img.write32(a + 4, 0x55667788);
    const b = s.img.realloc(a, 8, 1, 6).value;
    expect(b - s.P).toBe(8);
    expect(s.img.read32(b)).toBe(0x11223344);
    expect(s.img.read8(s.P + 31)).toBe(0b010);
    expect(s.img.realloc(b, 6, 1, 9).value).toBe(0);
    expect(s.img.read8(s.P + 31)).toBe(0b010);
  });
});
