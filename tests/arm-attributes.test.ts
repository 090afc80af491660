// .ARM.attributes: parsed from images arm-none-eabi-gcc built for each core
// (tests/fixtures/attributes/build.sh; the expected values are what arm-none-eabi-readelf -A
// prints for them) and from hand-built sections laid out as the ABI addenda describe; and the
// refusal of an image built for an architecture the chosen MCU lacks.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type ArmAttributes,
  AttributesError,
  architectureMismatch,
  CPU_ARCH_NAMES,
  parseArmAttributes,
} from '../emulator/arm-attributes.ts';
import { ElfError, parseElf, SHT_ARM_ATTRIBUTES } from '../emulator/elf.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { PROFILES } from '../emulator/profiles.ts';
import { AllocatorCallError, AllocatorImage, ImageError } from '../runners/image.ts';

const DIR = fileURLToPath(new URL('./fixtures/attributes/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const elf = (name: string) => new Uint8Array(readFileSync(`${DIR}${name}.elf`));
const M = 0x4d,
  A = 0x41;

// arm-none-eabi-readelf -A on each fixture: Tag_CPU_name, Tag_CPU_arch, profile, Tag_THUMB_ISA_use.
const FIXTURES: Record<string, ArmAttributes | undefined> = {
  m0: { cpuName: '6S-M', cpuArch: 12, cpuArchProfile: M, thumbIsaUse: 1 },
  m3: { cpuName: '7-M', cpuArch: 10, cpuArchProfile: M, thumbIsaUse: 2 },
  m4: { cpuName: '7E-M', cpuArch: 13, cpuArchProfile: M, thumbIsaUse: 2 },
  m33: { cpuName: '8-M.MAIN', cpuArch: 17, cpuArchProfile: M, thumbIsaUse: 3 },
  v7a: { cpuName: '7-A', cpuArch: 10, cpuArchProfile: A, thumbIsaUse: 2 },
  'm3-no-attributes': undefined,
};

// Which core runs which image (ARM ARM: ARMv7-M is a superset of ARMv6-M, ARMv7E-M of
// ARMv7-M; none of the emulated cores is ARMv8-M or A-profile). true: runs.
const RUNS: Record<string, Record<string, boolean>> = {
  m0: { 'cortex-m0': true, 'cortex-m0plus': true, 'cortex-m3': true, 'cortex-m4': true },
  m3: { 'cortex-m0': false, 'cortex-m0plus': false, 'cortex-m3': true, 'cortex-m4': true },
  m4: { 'cortex-m0': false, 'cortex-m0plus': false, 'cortex-m3': false, 'cortex-m4': true },
  m33: { 'cortex-m0': false, 'cortex-m0plus': false, 'cortex-m3': false, 'cortex-m4': false },
  v7a: { 'cortex-m0': false, 'cortex-m0plus': false, 'cortex-m3': false, 'cortex-m4': false },
  'm3-no-attributes': { 'cortex-m0': true, 'cortex-m0plus': true, 'cortex-m3': true, 'cortex-m4': true },
};

describe('attributes of images built by arm-none-eabi-gcc', () => {
  it.each(Object.keys(FIXTURES))('%s: what readelf -A shows', (name) => {
    expect(parseElf(elf(name)).attributes).toEqual(FIXTURES[name]);
  });

  it('agrees with the installed readelf on Tag_CPU_arch of every fixture and committed image', () => {
    const files = [
      ...Object.keys(FIXTURES).map((n) => `${DIR}${n}.elf`),
      ...['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'].map((p) => `${ROOT}firmware/images/galloc-${p}.elf`),
    ];
    let out: string;
    try {
      out = execFileSync('arm-none-eabi-readelf', ['-A', ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // the table above still holds
      throw e;
    }
    const theirs = out
      .split(/^File: /m)
      .slice(1)
      .map((block) => /Tag_CPU_arch: (\S+)/.exec(block)?.[1]);
    const ours = files.map((f) => {
      const a = parseElf(readFileSync(f)).attributes;
      return a?.cpuArch === undefined ? undefined : CPU_ARCH_NAMES[a.cpuArch];
    });
    expect(ours).toEqual(theirs);
  });

  it.each(Object.keys(RUNS))('%s: runs on exactly the cores whose architecture has it', (name) => {
    const attributes = parseElf(elf(name)).attributes;
    for (const [mcu, runs] of Object.entries(RUNS[name]!)) {
      expect([mcu, architectureMismatch(attributes, PROFILES[mcu]!) === undefined]).toEqual([mcu, runs]);
    }
  });

  it('every committed firmware image runs on the profile it was built for', () => {
    for (const mcu of Object.keys(PROFILES)) {
      const image = parseElf(readFileSync(`${ROOT}firmware/images/galloc-${mcu}.elf`));
      expect(image.attributes?.cpuArch).toBeDefined();
      expect(architectureMismatch(image.attributes, PROFILES[mcu]!)).toBeUndefined();
    }
  });

  it('says what the image is built for and what the MCU is, in one line', () => {
    const on = (name: string, mcu: string) => architectureMismatch(parseElf(elf(name)).attributes, PROFILES[mcu]!);
    expect(on('m4', 'cortex-m0')).toBe(
      'is built for ARMv7E-M (Tag_CPU_arch v7E-M); cortex-m0 is ARMv6-M: rebuild with -mcpu=cortex-m0 or pass --force',
    );
    expect(on('m4', 'cortex-m3')).toBe(
      'is built for ARMv7E-M (Tag_CPU_arch v7E-M); cortex-m3 is ARMv7-M: rebuild with -mcpu=cortex-m3 or pass --force',
    );
    expect(on('m3', 'cortex-m0plus')).toBe(
      'is built for ARMv7-M (Tag_CPU_arch v7, Tag_CPU_arch_profile M); cortex-m0plus is ARMv6-M: rebuild with -mcpu=cortex-m0plus or pass --force',
    );
    expect(on('v7a', 'cortex-m4')).toBe(
      'is built for ARMv7-A (Tag_CPU_arch v7, Tag_CPU_arch_profile A); cortex-m4 is ARMv7E-M: rebuild with -mcpu=cortex-m4 or pass --force',
    );
    expect(on('m33', 'cortex-m4')).toBe(
      'is built for ARMv8-M.mainline (Tag_CPU_arch v8-M.mainline); cortex-m4 is ARMv7E-M: rebuild with -mcpu=cortex-m4 or pass --force',
    );
  });
});

describe('AllocatorImage.fromElf', () => {
  it('refuses an ARMv7-M image on a Cortex-M0 before running anything, with one line', () => {
    let error: unknown;
    try {
      AllocatorImage.fromElf(elf('m3'), 'cortex-m0', { boot: 'auto' }, 'fw.elf');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ImageError);
    expect((error as Error).message).toBe(
      'fw.elf is built for ARMv7-M (Tag_CPU_arch v7, Tag_CPU_arch_profile M); cortex-m0 is ARMv6-M: rebuild with -mcpu=cortex-m0 or pass --force',
    );
  });

  it('with force, runs it anyway: sl_init meets an instruction ARMv6-M lacks and faults UNDEFINED', () => {
    const image = AllocatorImage.fromElf(elf('m3'), 'cortex-m0', { boot: 'auto', force: true }, 'fw.elf');
    let error: unknown;
    try {
      image.init(1024);
      image.alloc(16, 4);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AllocatorCallError);
    expect((error as AllocatorCallError).fault?.kind).toBe('undefined');
    // The report says what the word is (objdump -d m3.elf: "f44f 6100  mov.w r1, #2048"), not only its hex.
    expect((error as Error).message).toBe(
      'fw.elf: sl_init(0x20000808, 1024) did not return: undefined fault at 0x00000000 (sl_init): ' +
        'UNDEFINED instruction 0xf44f6100 for cortex-m0 (mov.w r1, #0x800  ; ARMv7-M, UNDEFINED on ARMv6-M)',
    );
  });

  it('names the architecture before the memory map when both refuse the image (an M4 image on an M3)', () => {
    const galloc4 = readFileSync(`${ROOT}firmware/images/galloc-cortex-m4.elf`);
    expect(() => AllocatorImage.fromElf(galloc4, 'cortex-m3', {}, 'galloc4.elf')).toThrowError(
      /^galloc4\.elf is built for ARMv7E-M \(Tag_CPU_arch v7E-M\); cortex-m3 is ARMv7-M/,
    );
    // With force the memory map still refuses it: its SRAM does not fit the M3's 64 KiB.
    expect(() => AllocatorImage.fromElf(galloc4, 'cortex-m3', { force: true }, 'galloc4.elf')).toThrowError(ElfError);
  });

  it('runs ARMv6-M code on an M4, and an image with no attributes section on any profile', () => {
    const image = AllocatorImage.fromElf(elf('m0'), 'cortex-m4', { boot: 'auto' }, 'fw.elf');
    image.init(1024);
    expect(image.alloc(16, 4).value).not.toBe(0);
    expect(() => AllocatorImage.fromElf(elf('m3-no-attributes'), 'cortex-m0', { boot: 'auto' }, 'fw.elf')).not.toThrow();
  });
});

describe('sramlab check', () => {
  it('exits 2 with one line naming the image and the MCU, and --force is not needed for a match', () => {
    const r = sramlab(['check', `${DIR}m4.elf`, '--mcu', 'cortex-m3']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      'm4.elf is built for ARMv7E-M (Tag_CPU_arch v7E-M); cortex-m3 is ARMv7-M: rebuild with -mcpu=cortex-m3 or pass --force',
    );
  });

  it('with --force runs it, reports the UNDEFINED fault with its disassembly, and the replay keeps --force', () => {
    const r = sramlab(['check', `${DIR}m3.elf`, '--mcu', 'cortex-m0', '--scenario', 'smoke', '--force']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('UNDEFINED instruction 0xf44f6100 for cortex-m0 (mov.w r1, #0x800  ; ARMv7-M, UNDEFINED on ARMv6-M)');
    expect(r.stdout).toMatch(/replay: +node \S*sramlab\.js check \S+m3\.elf --mcu cortex-m0 --scenario smoke .*--force$/m);
  });
});

describe('sramlab exec', () => {
  it('refuses an ARMv7E-M image on a Cortex-M3 in one line, exit 2', () => {
    const r = sramlab(['exec', `${DIR}m4.elf`, '--mcu', 'cortex-m3']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      'm4.elf is built for ARMv7E-M (Tag_CPU_arch v7E-M); cortex-m3 is ARMv7-M: rebuild with -mcpu=cortex-m3 or pass --force',
    );
  });

  it('with --force runs it instead (exit 1: this image has no vector table to reset from)', () => {
    const r = sramlab(['exec', `${DIR}m3.elf`, '--mcu', 'cortex-m0', '--force', '--max-cycles', '10000']);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain('is built for');
    expect(r.stderr).toMatch(/lockup/);
  });
});

function sramlab(args: string[]) {
  return spawnSync(process.execPath, [`${ROOT}bin/sramlab.js`, ...args], { encoding: 'utf8' });
}

// --- Hand-built sections ----------------------------------------------------------------------

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
};
const ntbs = (s: string) => [...Buffer.from(s, 'latin1'), 0];
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
/** A sub-subsection: scope tag, length counting from the tag, contents. */
const vector = (scope: number, contents: number[]) => {
  const head = uleb(scope);
  return [...head, ...u32(head.length + 4 + contents.length), ...contents];
};
/** A vendor subsection: length counting itself, vendor name, data. */
const subsection = (vendor: string, data: number[]) => [...u32(4 + vendor.length + 1 + data.length), ...ntbs(vendor), ...data];
const section = (...subsections: number[][]) => new Uint8Array([0x41, ...subsections.flat()]);

describe('parseArmAttributes on hand-built sections', () => {
  it('reads every kind of value and skips what does not apply to the whole file', () => {
    const fileScope = [
      67,
      ...ntbs('2.09'), // Tag_conformance: odd above 32, a string
      4,
      ...ntbs('Cortex-M4'), // Tag_CPU_raw_name
      5,
      ...ntbs('7E-M'),
      6,
      13, // Tag_CPU_arch v7E-M
      7,
      M,
      8,
      0, // Tag_ARM_ISA_use
      9,
      2,
      32,
      1,
      ...ntbs('gnu'), // Tag_compatibility: a flag and a vendor name
      64,
      ...uleb(300), // Tag_nodefaults: even above 32, a ULEB128 (two bytes here)
      65,
      ...ntbs('\x06\x0b'), // Tag_also_compatible_with: a string holding a tag and a value
      ...uleb(129),
      ...ntbs('x'), // a tag nobody knows, above 32 and odd: a string
      ...uleb(130),
      ...uleb(1000), // ...and even: a ULEB128
    ];
    const bytes = section(
      subsection('gnu', [1, 2, 3, 4, 5]), // another vendor's data: skipped whole
      subsection('aeabi', [
        ...vector(2, [...uleb(3), ...uleb(200), 0, 6, 11]), // Tag_Section: indices, then v6-M for them only
        ...vector(1, fileScope),
        ...vector(3, [...uleb(9), 0, 6, 1]), // Tag_Symbol
      ]),
    );
    expect(parseArmAttributes(bytes)).toEqual({ cpuName: '7E-M', cpuArch: 13, cpuArchProfile: M, thumbIsaUse: 2 });
  });

  it('takes an empty section, or one with only other vendors, as saying nothing', () => {
    expect(parseArmAttributes(new Uint8Array(0))).toEqual({});
    expect(parseArmAttributes(section(subsection('ARM', [0xff, 0xff])))).toEqual({});
    expect(architectureMismatch({}, PROFILES['cortex-m0']!)).toBeUndefined();
  });

  const good = section(subsection('aeabi', vector(1, [6, 13, 7, M, 9, 2])));

  it.each([
    ['a wrong format version', () => Uint8Array.from([0x42, ...good.subarray(1)]), /^format version is 0x42, expected 0x41/],
    [
      'a subsection longer than the section',
      () => section([...u32(99), ...ntbs('aeabi')]),
      /^subsection at byte 1 claims 99 bytes, but 10 remain$/,
    ],
    ['a subsection too short to hold its name', () => section([...u32(2), 0, 0]), /^subsection at byte 1 claims 2 bytes/],
    ['a length cut short', () => section([1, 0]), /^subsection length at byte 1 runs past the end of its section$/],
    [
      'a vendor name with no NUL',
      () => section([...u32(9), ...Buffer.from('aeabi')]),
      /^vendor name \(a NUL-terminated string\) at byte 5 runs past the end/,
    ],
    [
      'a vector longer than its subsection',
      () => section(subsection('aeabi', [1, ...u32(50), 6, 13])),
      /^attribute vector at byte 11 claims 50 bytes/,
    ],
    [
      'a vector shorter than its own header',
      () => section(subsection('aeabi', [1, ...u32(3), 6])),
      /^attribute vector at byte 11 claims 3 bytes/,
    ],
    ['an unknown scope', () => section(subsection('aeabi', vector(7, [6, 13]))), /^unknown attribute scope tag 7 at byte 11$/],
    [
      'a ULEB128 cut short',
      () => section(subsection('aeabi', vector(1, [6, 0x8d]))),
      /^Tag 6 value at byte 17 runs past the end of its attribute vector$/,
    ],
    [
      'a ULEB128 beyond 32 bits',
      () => section(subsection('aeabi', vector(1, [6, 0xff, 0xff, 0xff, 0xff, 0x7f]))),
      /^Tag 6 value at byte 17 is not a 32-bit ULEB128 number$/,
    ],
    [
      'a string with no NUL',
      () => section(subsection('aeabi', vector(1, [5, 0x37, 0x2d, 0x4d]))),
      /^Tag 5 value \(a NUL-terminated string\) at byte 17 runs past/,
    ],
  ])('refuses %s with one line', (_what, make, message) => {
    let error: unknown;
    try {
      parseArmAttributes(make());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttributesError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(message);
  });

  it('20,000 mutations and truncations parse or throw AttributesError, nothing else', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const base = readElfAttributes(elf('m4'));
    for (let i = 0; i < 20_000; i++) {
      const b = base.slice(0, random() < 0.2 ? Math.floor(random() * base.length) : base.length);
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) if (b.length) b[Math.floor(random() * b.length)] = Math.floor(random() * 256);
      try {
        parseArmAttributes(b);
      } catch (e) {
        expect(e).toBeInstanceOf(AttributesError);
        expect((e as Error).message).not.toContain('\n');
      }
    }
  });

  it('refuses an image whose section is broken as a broken ELF, naming the section', () => {
    const bytes = elf('m4');
    const at = attributesOffset(bytes);
    bytes[at] = 0x00; // the format version
    expect(() => parseElf(bytes)).toThrowError(ElfError);
    expect(() => parseElf(bytes)).toThrowError(/^\.ARM\.attributes \(section \d+\): format version is 0x0, expected 0x41 \('A'\)$/);
  });
});

/** File offset of the image's SHT_ARM_ATTRIBUTES section. */
function attributesOffset(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset);
  const shoff = v.getUint32(32, true),
    shnum = v.getUint16(48, true);
  for (let i = 0; i < shnum; i++) {
    if (v.getUint32(shoff + 40 * i + 4, true) === SHT_ARM_ATTRIBUTES) return v.getUint32(shoff + 40 * i + 16, true);
  }
  throw new Error('no .ARM.attributes');
}

function readElfAttributes(b: Uint8Array): Uint8Array {
  const v = new DataView(b.buffer, b.byteOffset);
  const shoff = v.getUint32(32, true),
    shnum = v.getUint16(48, true);
  for (let i = 0; i < shnum; i++) {
    if (v.getUint32(shoff + 40 * i + 4, true) === SHT_ARM_ATTRIBUTES) {
      const off = v.getUint32(shoff + 40 * i + 16, true),
        size = v.getUint32(shoff + 40 * i + 20, true);
      return b.slice(off, off + size);
    }
  }
  throw new Error('no .ARM.attributes');
}

// Expected texts: GNU objdump -d on the same words (-b binary -Mforce-thumb), with sramlab's
// note of the architecture that defines the instruction.
describe('disassembly of encodings the MCU lacks', () => {
  it('shows what a later M-profile architecture makes of the word, and that this one does not have it', () => {
    expect(disassemble('v7m', 0xfb11_3002, 0)).toBe('smlabb r0, r1, r2, r3  ; ARMv7E-M, UNDEFINED on ARMv7-M');
    expect(disassemble('v7em', 0xfb11_3002, 0)).toBe('smlabb r0, r1, r2, r3');
    expect(disassemble('v6m', 0xe850_0f00, 0)).toBe('ldrex r0, [r0, #0]  ; ARMv7-M, UNDEFINED on ARMv6-M');
  });

  it('prints a word no profile defines as objdump does, .inst with the word', () => {
    expect(disassemble('v6m', 0xb600, 0)).toBe('.inst.n 0xb600  ; UNDEFINED');
    expect(disassemble('v7em', 0xb600, 0)).toBe('.inst.n 0xb600  ; UNDEFINED');
  });
});
