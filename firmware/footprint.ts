// What an allocator costs in memory, read from its image: flash bytes of allocator code
// (.alloc_text, plus the flash copy of .alloc_data) and RAM bytes of allocator state
// (.alloc_data + .alloc_bss). Measured from the ABI's start/end symbols, so it works for any
// ELF that follows the ABI, not only the images built here. The heap array is not state.
//
//   npx tsx firmware/footprint.ts <image.elf>...   prints one line per image

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type ElfImage, parseElf } from '../emulator/elf.ts';

export interface Footprint {
  /** .alloc_text: allocator code and read-only data. */
  textBytes: number;
  /** .alloc_data: initialised state (in RAM, and its initial values in flash). */
  dataBytes: number;
  /** .alloc_bss: zeroed state. */
  bssBytes: number;
  /** textBytes + dataBytes. */
  flashBytes: number;
  /** dataBytes + bssBytes. */
  ramBytes: number;
}

const SPANS = ['alloc_text', 'alloc_data', 'alloc_bss'] as const;

/** Footprint of an image (ELF bytes or a parsed image); throws naming a missing ABI symbol. */
export function footprint(elf: Uint8Array | ElfImage): Footprint {
  const image = elf instanceof Uint8Array ? parseElf(elf) : elf;
  const [textBytes, dataBytes, bssBytes] = SPANS.map((s) => {
    const start = image.symbol(`__${s}_start`),
      end = image.symbol(`__${s}_end`);
    if (start === undefined || end === undefined) {
      throw new Error(
        `no symbol '__${s}_${start === undefined ? 'start' : 'end'}': the ABI's linker script defines it (firmware/README.md)`,
      );
    }
    if (end < start) throw new Error(`__${s}_end is below __${s}_start`);
    return end - start;
  }) as [number, number, number];
  return { textBytes, dataBytes, bssBytes, flashBytes: textBytes + dataBytes, ramBytes: dataBytes + bssBytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let status = 0;
  for (const file of process.argv.slice(2)) {
    try {
      const f = footprint(readFileSync(file));
      console.log(
        `${file}: flash ${f.flashBytes} B (text ${f.textBytes} + data ${f.dataBytes}), RAM ${f.ramBytes} B (data ${f.dataBytes} + bss ${f.bssBytes})`,
      );
    } catch (e) {
      console.error(`${file}: ${(e as Error).message}`);
      status = 1;
    }
  }
  process.exit(status);
}
