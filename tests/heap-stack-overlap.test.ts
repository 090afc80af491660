// Check 2 at load: an image whose heap array and stack share bytes is refused in one line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../emulator/elf.ts';
import { AllocatorImage, ImageError, imagePath } from '../runners/image.ts';

/** A copy of an ELF with one symbol's value replaced (the symbol table is patched in place). */
function withSymbol(elf: Uint8Array, name: string, value: number): Uint8Array {
  const out = elf.slice();
  const image = parseElf(out);
  const symtab = image.sections.find((s) => s.name === '.symtab')!;
  const strtab = image.sections.find((s) => s.name === '.strtab')!;
  const dv = new DataView(out.buffer);
  for (let off = symtab.offset; off < symtab.offset + symtab.size; off += 16) {
    const nameOff = dv.getUint32(off, true);
    let end = strtab.offset + nameOff;
    while (out[end] !== 0) end++;
    if (new TextDecoder().decode(out.subarray(strtab.offset + nameOff, end)) === name) {
      dv.setUint32(off + 4, value, true);
      return out;
    }
  }
  throw new Error(`no symbol ${name}`);
}

describe('heap and stack at load', () => {
  const elf = new Uint8Array(readFileSync(imagePath('galloc', 'cortex-m0')));
  const symbols = parseElf(elf).symbols;
  const heapEnd = symbols.find((s) => s.name === '__heap_end')!.value;

  it('accepts the built images, whose stack starts where the heap ends', () => {
    expect(() => AllocatorImage.fromElf(elf, 'cortex-m0')).not.toThrow();
  });

  it('refuses a stack limit inside the heap array, naming both ranges', () => {
    const bad = withSymbol(elf, '__stack_limit', heapEnd - 256);
    expect(() => AllocatorImage.fromElf(bad, 'cortex-m0', {}, 'bad.elf')).toThrow(ImageError);
    expect(() => AllocatorImage.fromElf(bad, 'cortex-m0', {}, 'bad.elf')).toThrow(
      /bad\.elf: the heap array 0x[0-9a-f]+–0x[0-9a-f]+ overlaps the stack/,
    );
  });
});
