// The allocator images as the host sees them (runners/image.ts, firmware/footprint.ts): the
// memory map the ABI promises on every profile, the refusals, and the call wrappers' errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../../emulator/elf.ts';
import { PROFILES } from '../../emulator/profiles.ts';
import { heapSize, memoryLd, STACK_MIN } from '../../firmware/build.ts';
import { footprint } from '../../firmware/footprint.ts';
import { ALLOCATORS, AllocatorCallError, AllocatorImage, ImageError, imagePath } from '../../runners/image.ts';

const OURS = ['basic', 'chunk', 'slab'];

describe('allocator images', () => {
  it('lists every allocator folder with its README line', () => {
    for (const name of OURS) {
      const a = ALLOCATORS.find((x) => x.name === name);
      expect(a, name).toBeDefined();
      expect(a!.description.length).toBeGreaterThan(10);
    }
  });

  it('refuses an unknown allocator and an unknown profile in one line', () => {
    expect(() => AllocatorImage.load('nosuch', 'cortex-m0')).toThrow(/^unknown allocator 'nosuch' \(known: .*chunk/);
    expect(() => AllocatorImage.load('chunk', 'cortex-m7')).toThrow(/^unknown MCU 'cortex-m7'/);
  });

  it('refuses an ELF without the ABI symbols, naming the first missing one and where it comes from', () => {
    const elf = readFileSync(join(import.meta.dirname, '..', 'firmware', 'systick.elf'));
    let err: unknown;
    try {
      AllocatorImage.fromElf(elf, 'cortex-m0', {}, 'systick.elf');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ImageError);
    const msg = (err as Error).message;
    expect(msg).toBe(
      'systick.elf: no symbol \'__alloc_text_start\': define it in the linker script (firmware/README.md, "The sramlab ABI")',
    );
  });

  it('memory.ld carries the profile sizes from emulator/profiles.ts', () => {
    const ld = memoryLd(PROFILES['cortex-m3']!);
    expect(ld).toContain('LENGTH = 0x40000'); // 256 KiB flash
    expect(ld).toContain('LENGTH = 0x10000'); // 64 KiB SRAM
    expect(ld).toContain('__sl_heap_size = 0xc000;'); // 48 KiB
  });

  describe.each(Object.values(PROFILES).map((p) => [p.name, p] as const))('on %s', (name, profile) => {
    it.each(OURS)('%s: the map matches the profile and the ABI', (allocator) => {
      const img = AllocatorImage.load(allocator, name);
      const { code, state, heapRegion, stackTop, stackLimit } = img.layout;
      expect(code.start).toBeGreaterThanOrEqual(0xc0); // after the 48-entry vector table
      expect(code.end).toBeLessThanOrEqual(profile.flashSize);
      expect(state.start).toBeGreaterThanOrEqual(0x2000_0000);
      expect(state.end).toBeLessThanOrEqual(heapRegion.start);
      expect(heapRegion.start % 4096).toBe(0);
      expect(heapRegion.end - heapRegion.start).toBe(heapSize(profile));
      expect(heapRegion.end - heapRegion.start).toBe((profile.sramSize * 3) / 4);
      expect(stackLimit).toBe(heapRegion.end);
      expect(stackTop).toBe(0x2000_0000 + profile.sramSize);
      expect(stackTop - stackLimit).toBeGreaterThanOrEqual(STACK_MIN);
      expect(img.read32(0)).toBe(stackTop); // the initial SP in the vector table
      expect(img.read32(img.address('sl_unexpected_exception'))).toBe(0);
    });

    it.each(OURS)('%s: footprint is the span of the ABI sections', (allocator) => {
      const bytes = readFileSync(imagePath(allocator, name));
      const f = footprint(bytes);
      const elf = parseElf(bytes);
      const sec = (n: string) => elf.sections.find((s) => s.name === n)?.size ?? 0;
      expect(f.textBytes).toBe(sec('.alloc_text'));
      expect(f.dataBytes).toBe(sec('.alloc_data'));
      expect(f.bssBytes).toBe(sec('.alloc_bss'));
      expect(f.flashBytes).toBe(f.textBytes + f.dataBytes);
      expect(f.ramBytes).toBe(f.dataBytes + f.bssBytes);
      expect(f.textBytes).toBeGreaterThan(0);
    });

    it('a call that faults throws with the fault report, naming the function', () => {
      const img = AllocatorImage.load('slab', name);
      img.init(4096);
      let err: unknown;
      try {
        img.dealloc(img.layout.heapRegion.start + 4096, 64, 1);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AllocatorCallError);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        /^slab-cortex-m\w+: sl_dealloc\(0x2[0-9a-f]{7}, 64, 1\) did not return: undefined fault at 0x[0-9a-f]{8} \(sl_dealloc\+0x[0-9a-f]+ \S*slab\.c:\d+\): /,
      );
      expect(msg).not.toContain('\n');
    });

    it('a call past its cycle budget throws, saying so', () => {
      const img = AllocatorImage.load('chunk', name, { maxCycles: 5_000 });
      img.init();
      img.write8(img.address('chunk_lock'), 1); // as if thread mode held the lock
      expect(() => img.alloc(16, 4)).toThrow(/sl_alloc\(16, 4\) did not return: still running after 5000 cycles/);
    });
  });
});
