// The ELF32 loader, symbol table and DWARF line reader, against fixtures built by
// tests/fixtures/elf/build.sh. Expected values were read off arm-none-eabi-nm, readelf and
// addr2line; where those tools are on PATH (CI installs them) the tests also ask them directly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDebugLine } from '../emulator/dwarf-lines.ts';
import { checkSegmentsFit, ElfError, type ElfImage, PF_R, PF_W, PF_X, parseElf } from '../emulator/elf.ts';
import { SymbolTable } from '../emulator/symbols.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/elf/', import.meta.url));
const fixturePath = (name: string) => `${FIXTURES}${name}.elf`;
const load = (name: string) => new Uint8Array(readFileSync(fixturePath(name)));

const GOOD = load('fixture'); // DWARF 5 .debug_info, version 3 .debug_line (gcc 12 + gas 2.40 default)
const WITH_DEBUG = ['fixture', 'fixture-dwarf5', 'fixture-dwarf4'] as const;

const MAP = [
  { name: 'flash', base: 0x0000_0000, size: 0x4_0000 },
  { name: 'sram', base: 0x2000_0000, size: 0x8000 },
];

/** Runs a binutils tool, or returns undefined when it is not installed. */
function tool(name: string, args: string[]): string | undefined {
  try {
    return execFileSync(name, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

// --- Byte patching ----------------------------------------------------------------------------

const u16At = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32At = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
function put16(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
}
function put32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
}

const PHOFF = u32At(GOOD, 28);
const SHOFF = u32At(GOOD, 32);
const SHNUM = u16At(GOOD, 48);
const phdr = (i: number, field: number) => PHOFF + 32 * i + field;
const shdr = (i: number, field: number) => SHOFF + 40 * i + field;
const P_PADDR = 12,
  P_VADDR = 8,
  P_FILESZ = 16,
  P_MEMSZ = 20,
  P_OFFSET = 4;
const S_OFFSET = 16,
  S_SIZE = 20,
  S_LINK = 24,
  S_ENTSIZE = 36;

function patched(edit: (b: Uint8Array) => void, from: Uint8Array = GOOD): Uint8Array {
  const b = from.slice();
  edit(b);
  return b;
}

function refusal(bytes: Uint8Array): string {
  try {
    parseElf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    const message = (e as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('the image was accepted');
}

const sectionIndex = (image: ElfImage, name: string) => image.sections.findIndex((s) => s.name === name);

// --- Segments, sections, symbols --------------------------------------------------------------

describe('parseElf on a good image', () => {
  const image = parseElf(GOOD);

  it('reads the header and the PT_LOAD segments, with .data loaded at its flash LMA', () => {
    expect(image.entry).toBe(0x39); // reset_handler | 1 (Thumb)
    expect(image.segments.map(({ data, ...s }) => s)).toEqual([
      { index: 0, vaddr: 0x0, paddr: 0x0, fileSize: 0xb0, memSize: 0xb0, flags: PF_R | PF_X },
      { index: 1, vaddr: 0x2000_0000, paddr: 0xb0, fileSize: 8, memSize: 12, flags: PF_R | PF_W },
    ]);
    const text = image.sections[sectionIndex(image, '.text')]!;
    expect(image.segments[0]!.data).toEqual(GOOD.subarray(text.offset, text.offset + text.size));
    // .data's initial values: next_free = 0x20000100, alloc_count = 7.
    expect([...image.segments[1]!.data]).toEqual([0x00, 0x01, 0x00, 0x20, 7, 0, 0, 0]);
    checkSegmentsFit(image, MAP);
  });

  it('names the sections', () => {
    expect(image.sections.map((s) => s.name)).toEqual(
      expect.arrayContaining(['', '.text', '.data', '.bss', '.debug_line', '.symtab', '.strtab', '.shstrtab']),
    );
    const bss = image.sections[sectionIndex(image, '.bss')]!;
    expect(bss).toMatchObject({ addr: 0x2000_0008, size: 4, type: 8 /* SHT_NOBITS */ });
  });

  // arm-none-eabi-nm -S -n fixture.elf
  const NM = [
    ['vectors', 0x00, 0x08, 'object', 'local'],
    ['sl_alloc', 0x08, 0x30, 'func', 'global'],
    ['reset_handler', 0x38, 0x18, 'func', 'global'],
    ['sl_dealloc', 0x50, 0x10, 'func', 'global'],
    ['sl_class', 0x60, 0x24, 'func', 'global'],
    ['util_checksum', 0x84, 0x1c, 'func', 'global'],
    ['size_classes', 0xa0, 0x10, 'object', 'global'],
    ['next_free', 0x2000_0000, 4, 'object', 'local'],
    ['alloc_count', 0x2000_0004, 4, 'object', 'global'],
    ['free_count', 0x2000_0008, 4, 'object', 'global'],
  ] as const;

  it.each(NM)('symbol %s is at 0x%s as nm reports', (name, address, size, type, bind) => {
    expect(image.symbol(name)).toBe(address);
    const sym = image.symbols.find((s) => s.name === name)!;
    expect(sym).toMatchObject({ address, size, type, bind });
    // Thumb functions keep bit 0 in st_value; the address clears it.
    expect(sym.value).toBe(type === 'func' ? address | 1 : address);
  });

  it('agrees with arm-none-eabi-nm on every sized symbol when nm is installed', () => {
    const out = tool('arm-none-eabi-nm', ['-S', '-n', fixturePath('fixture')]);
    if (out === undefined) return;
    const fromNm = out
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .filter((f) => f.length === 4)
      .map(([addr, size, , name]) => [name, parseInt(addr!, 16), parseInt(size!, 16)]);
    expect(fromNm.length).toBe(NM.length);
    for (const [name, address, size] of fromNm) {
      const sym = image.symbols.find((s) => s.name === name);
      expect([name, sym?.address, sym?.size]).toEqual([name, address, size]);
    }
  });

  it('returns undefined for unknown names, mapping symbols and section symbols', () => {
    expect(image.symbol('no_such_symbol')).toBeUndefined();
    expect(image.symbol('$t')).toBe(0x08); // mapping symbols are real symbols, just not for lookups
    expect(image.symbol('.text')).toBeUndefined();
  });

  it('parses the image without debug info, straight from a Node Buffer: symbols, no lines', () => {
    const buffer = readFileSync(fixturePath('fixture-nodebug'));
    const bare = parseElf(buffer);
    buffer.fill(0); // segment data is a copy, not a view of the file
    expect(bare.segments[1]!.data[4]).toBe(7);
    expect(bare.lines).toBeUndefined();
    expect(bare.symbol('sl_class')).toBe(0x60);
  });
});

describe('SymbolTable', () => {
  const table = new SymbolTable(parseElf(GOOD).symbols);

  it.each([
    [0x08, 'sl_alloc'],
    [0x24, 'sl_alloc+0x1c'],
    [0x3a, 'reset_handler+0x2'],
    [0x9e, 'util_checksum+0x1a'],
    [0xa4, 'size_classes+0x4'],
    [0x04, 'vectors+0x4'],
    [0x2000_0006, 'alloc_count+0x2'],
    [0x2000_000c, '0x2000000c'], // just past free_count: no function precedes it
    [0x3_0000, '0x00030000'], // far past the last function
  ])('formats 0x%s as %s', (address, expected) => {
    expect(table.format(address)).toBe(expected);
  });

  it('never names a mapping symbol ($t/$d)', () => {
    for (let a = 0; a < 0xb0; a += 2) expect(table.lookup(a)?.name).not.toMatch(/^\$/);
  });

  it('agrees with objdump on the function of every instruction, when objdump is installed', () => {
    const out = tool('arm-none-eabi-objdump', ['-d', fixturePath('fixture')]);
    if (out === undefined) return;
    let fn = '';
    let checked = 0;
    for (const line of out.split('\n')) {
      const label = /^[0-9a-f]+ <(\w+)>:$/.exec(line);
      if (label) fn = label[1]!;
      const insn = /^\s+([0-9a-f]+):/.exec(line);
      if (insn && fn !== 'vectors') {
        expect(table.lookup(parseInt(insn[1]!, 16))?.name).toBe(fn);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('gives address(name) with the Thumb bit cleared', () => {
    expect(table.address('sl_dealloc')).toBe(0x50);
    expect(table.address('nope')).toBeUndefined();
  });

  const sym = (name: string, address: number, size: number, type: 'func' | 'object', bind = 'global' as const) => ({
    name,
    value: type === 'func' ? address | 1 : address,
    address,
    size,
    type,
    bind,
    sectionIndex: 1,
  });

  it('prefers the smallest containing symbol, then falls back to the nearest function', () => {
    const t = new SymbolTable([
      sym('big_object', 0x1000, 0x100, 'object'),
      sym('inner', 0x1010, 0x10, 'object'),
      sym('asm_routine', 0x2000, 0, 'func'), // no .size, as hand-written assembly often is
      sym('sized_fn', 0x3000, 0x10, 'func'),
    ]);
    expect(t.format(0x1014)).toBe('inner+0x4');
    expect(t.format(0x1020)).toBe('big_object+0x20');
    expect(t.format(0x2040)).toBe('asm_routine+0x40');
    expect(t.format(0x2000 + 0x1000)).toBe('sized_fn'); // sized_fn starts there
    expect(t.format(0x3000 + 0x1000)).toBe('0x00004000'); // too far from any function
    expect(t.format(0x0fff)).toBe('0x00000fff');
  });

  it('does not let a huge or wrapping size swallow the address space', () => {
    const t = new SymbolTable([sym('everything', 0xffff_fff0, 0xffff_ffff, 'object'), sym('f', 0x10, 4, 'func')]);
    expect(t.format(0x12)).toBe('f+0x2');
    expect(t.format(0xffff_fff8)).toBe('everything+0x8');
  });
});

// --- DWARF line info --------------------------------------------------------------------------

describe('source lines', () => {
  // arm-none-eabi-addr2line -e <fixture> <address>: identical for all three line-table versions.
  const EXPECTED: [number, string | undefined][] = [
    [0x08, 'fixture.c:19'],
    [0x18, 'fixture.c:22'],
    [0x3c, 'fixture.c:46'],
    [0x4a, 'fixture.c:48'],
    [0x50, 'fixture.c:32'],
    [0x66, 'fixture.c:38'],
    [0x84, 'util.c:8'],
    [0x8c, 'util.c:7'],
    [0x9e, 'util.c:11'],
    [0xa0, undefined], // size_classes: data, no line
    [0x2000_0000, undefined],
  ];

  it.each(WITH_DEBUG)('%s: lines match addr2line at known addresses', (name) => {
    const lines = parseElf(load(name)).lines!;
    expect(lines).toBeDefined();
    for (const [address, where] of EXPECTED) expect([address, lines.format(address)]).toEqual([address, where]);
  });

  it('keeps the full path as the line table records it', () => {
    expect(parseElf(load('fixture')).lines!.lineFor(0x84)).toMatchObject({ file: 'util.c', path: 'lib/util.c', line: 8 });
    // DWARF 5 names directory 0, the compilation directory ("." under -ffile-prefix-map).
    expect(parseElf(load('fixture-dwarf5')).lines!.lineFor(0x84)).toMatchObject({ path: './lib/util.c' });
    expect(parseElf(load('fixture-dwarf5')).lines!.lineFor(0x08)).toMatchObject({ path: './fixture.c' });
  });

  it.each(WITH_DEBUG)('%s: every code address agrees with addr2line, when it is installed', (name) => {
    const text = parseElf(load(name)).sections.find((s) => s.name === '.text')!;
    const addresses: number[] = [];
    for (let a = text.addr; a < text.addr + text.size; a += 2) addresses.push(a);
    const out = tool('arm-none-eabi-addr2line', ['-e', fixturePath(name), ...addresses.map((a) => a.toString(16))]);
    if (out === undefined) return;
    const lines = parseElf(load(name)).lines!;
    const theirs = out.trim().split('\n');
    addresses.forEach((address, i) => {
      const t = theirs[i]!.replace(/ \(discriminator \d+\)$/, '');
      const expected = t.startsWith('??') ? undefined : t.slice(t.lastIndexOf('/') + 1);
      expect([address, lines.format(address)]).toEqual([address, expected]);
    });
  });
});

describe('parseDebugLine on hand-built units', () => {
  // Minimal DWARF encoders, from the DWARF 5 standard (7.6 LEB128; 6.2.4 header layout).
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      const byte = n % 128;
      n = Math.floor(n / 128);
      out.push(n > 0 ? byte | 0x80 : byte);
    } while (n > 0);
    return out;
  };
  const sleb = (n: number): number[] => {
    const out: number[] = [];
    for (;;) {
      const byte = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40);
      out.push(done ? byte : byte | 0x80);
      if (done) return out;
    }
  };
  const u16 = (n: number) => [n & 0xff, n >>> 8];
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
  const u64 = (n: number) => [...u32(n), 0, 0, 0, 0];
  const str = (s: string) => [...new TextEncoder().encode(s), 0];

  const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];
  /** min_inst_length 2, line_base -5, line_range 14, opcode_base 13, as gcc emits for Thumb. */
  const params = (version: number) => [2, ...(version >= 4 ? [1] : []), 1, 0xfb, 14, 13, ...STD_LENGTHS];

  function unit(version: number, tables: number[], program: number[], dwarf64 = false): number[] {
    const offset = dwarf64 ? u64 : u32;
    const header = [...params(version), ...tables];
    const afterLength = [...u16(version), ...(version >= 5 ? [4, 0] : []), ...offset(header.length), ...header, ...program];
    return [...(dwarf64 ? [0xff, 0xff, 0xff, 0xff, ...u64(afterLength.length)] : u32(afterLength.length)), ...afterLength];
  }

  const setAddress = (a: number) => [0, 5, 2, ...u32(a)];
  const endSequence = [0, 1, 1];
  /** Special opcode for "address += 2 * addrOps, line += lineDelta" with the params above. */
  const special = (addrOps: number, lineDelta: number) => lineDelta + 5 + 14 * addrOps + 13;

  const parse = (bytes: number[], extra: { lineStr?: number[]; str?: number[] } = {}) =>
    parseDebugLine({
      debugLine: new Uint8Array(bytes),
      debugLineStr: extra.lineStr && new Uint8Array(extra.lineStr),
      debugStr: extra.str && new Uint8Array(extra.str),
    });

  const v2Tables = [...str('src'), 0, ...str('a.c'), 1, 0, 0, 0];
  const v2Program = [
    ...setAddress(0x100),
    3,
    ...sleb(9), // line 10
    1, // copy: 0x100 a.c:10
    special(1, 1), // 0x102 a.c:11
    0,
    8,
    3,
    ...str('b.c'),
    0,
    0,
    0, // DW_LNE_define_file: file 2, no directory
    4,
    2, // set_file 2
    2,
    4, // advance_pc: 4 ops × 2 bytes → 0x10a
    3,
    ...sleb(-5), // line 6
    1, // copy: 0x10a b.c:6
    9,
    ...u16(6), // fixed_advance_pc → 0x110
    ...endSequence,
  ];

  it('reads DWARF 2 with include directories, define_file and every address-advancing opcode', () => {
    const lines = parse(unit(2, v2Tables, v2Program))!;
    expect(lines.lineFor(0x100)).toEqual({ file: 'a.c', path: 'src/a.c', line: 10, column: 0 });
    expect(lines.format(0x108)).toBe('a.c:11');
    expect(lines.lineFor(0x10a)).toMatchObject({ path: 'b.c', line: 6 });
    expect(lines.format(0x10f)).toBe('b.c:6');
    expect(lines.format(0x110)).toBeUndefined(); // end_sequence is exclusive
    expect(lines.format(0xfe)).toBeUndefined();
  });

  it('reads DWARF 5 tables with DW_FORM_string, strp, line_strp, udata and data16 (MD5)', () => {
    const lineStr = [...str('/build'), ...str('inc')]; // offsets 0 and 7
    const debugStr = [...str('x'), ...str('main.c'), ...str('heap.h')]; // offsets 2 and 9
    const md5 = new Array(16).fill(0xab);
    const tables = [
      1,
      1,
      0x1f, // directory format: path as line_strp
      2,
      ...u32(0),
      ...u32(7),
      3,
      1,
      0x0e,
      2,
      0x0f,
      5,
      0x1e, // file format: path strp, directory udata, MD5 data16
      3,
      ...u32(2),
      0,
      ...md5,
      ...u32(9),
      1,
      ...md5,
      ...u32(2),
      0,
      ...md5,
    ];
    const program = [
      ...setAddress(0x200),
      5,
      7, // column 7
      1, // 0x200: file 1 (heap.h) line 1
      4,
      0,
      3,
      ...sleb(41),
      special(2, 0), // 0x204: file 0 (main.c) line 42
      2,
      1,
      ...endSequence, // ends at 0x206
    ];
    const lines = parse(unit(5, tables, program), { lineStr, str: debugStr })!;
    expect(lines.lineFor(0x202)).toEqual({ file: 'heap.h', path: '/build/inc/heap.h', line: 1, column: 7 });
    expect(lines.lineFor(0x204)).toMatchObject({ path: '/build/main.c', line: 42 });
    expect(lines.format(0x206)).toBeUndefined();
  });

  it('reads inline DW_FORM_string paths and 64-bit DWARF units', () => {
    const tables = [1, 1, 0x08, 1, ...str('/src'), 2, 1, 0x1f, 2, 0x0b, 1, ...u64(0), 0];
    const program = [...setAddress(0x300), 4, 0, 1, 2, 2, ...endSequence]; // file 0, copy, advance, end
    const lines = parse(unit(5, tables, program, true), { lineStr: str('x.c') })!;
    expect(lines.lineFor(0x300)).toMatchObject({ path: '/src/x.c', line: 1 });
  });

  it('drops a malformed unit and keeps its well-formed neighbours', () => {
    const good = unit(2, v2Tables, v2Program);
    const zeroLineRange = unit(2, v2Tables, v2Program);
    zeroLineRange[4 + 2 + 4 + 3] = 0; // line_range
    const lines = parse([...zeroLineRange, ...good])!;
    expect(lines.format(0x100)).toBe('a.c:10');
    expect(lines.rows.length).toBe(3);
  });

  it('returns no table, and never throws, on garbage', () => {
    expect(parse([])).toBeUndefined();
    expect(parse([0xff, 0xff, 0xff])).toBeUndefined();
    expect(parse([...u32(100), 2, 0])).toBeUndefined(); // unit longer than the section
    expect(parse(unit(7, v2Tables, v2Program))).toBeUndefined(); // unknown version
    expect(parse(unit(5, [1, 1, 0x19 /* DW_FORM_flag_present */, 1], []))).toBeUndefined();
    // An empty format list with a huge count must not spin: the count is checked against the header.
    expect(parse(unit(5, [0, ...uleb(2 ** 50), 0, 0], []))).toBeUndefined();
    // A sequence that never ends covers nothing.
    expect(parse(unit(2, v2Tables, [...setAddress(0x100), 1, special(1, 1)]))).toBeUndefined();
  });

  it('gives up on file names that all point into one huge string instead of decoding it again and again', () => {
    const lineStr = [...new Array(1 << 20).fill(0x41), 0];
    const withFiles = (count: number) => {
      const entries = Array.from({ length: count }, (_, i) => u32(i)).flat();
      const tables = [1, 1, 0x08, 1, 0, 1, 1, 0x1f, ...uleb(count), ...entries];
      return parse(unit(5, tables, [...setAddress(0), 1, 2, 1, ...endSequence]), { lineStr });
    };
    expect(withFiles(2)).toBeDefined(); // the same table with few names is fine
    expect(withFiles(60_000)).toBeUndefined();
  });
});

// --- Refusals ---------------------------------------------------------------------------------

describe('refusals name the problem in one line', () => {
  it.each<[string, () => Uint8Array, string | RegExp]>([
    ['bad magic', () => patched((b) => (b[1] = 0x58)), 'not an ELF file (bad magic)'],
    ['an empty file', () => new Uint8Array(0), 'not an ELF file (bad magic)'],
    ['64-bit', () => patched((b) => (b[4] = 2)), 'ELF is 64-bit; sramlab runs 32-bit ARM images'],
    ['big-endian', () => patched((b) => (b[5] = 2)), 'ELF is big-endian; sramlab runs little-endian Cortex-M images'],
    ['x86-64', () => patched((b) => put16(b, 18, 62)), 'ELF machine is x86-64 (62), not ARM (40)'],
    ['RISC-V', () => patched((b) => put16(b, 18, 243)), 'ELF machine is RISC-V (243), not ARM (40)'],
    ['an unknown machine', () => patched((b) => put16(b, 18, 4321)), 'ELF machine is 4321, not ARM (40)'],
    ['an object file', () => patched((b) => put16(b, 16, 1)), 'ELF is a relocatable object (ET_REL), not a linked executable'],
    ['a truncated header', () => GOOD.slice(0, 40), 'ELF truncated: ELF header ends at byte 52 of 40'],
    ['truncated program headers', () => GOOD.slice(0, 100), 'ELF truncated: program header 1 ends at byte 116 of 100'],
    [
      'a program header table beyond the file',
      () => patched((b) => put32(b, 28, 4096)).slice(0, 1200),
      'ELF truncated: program header 0 ends at byte 4128 of 1200',
    ],
    [
      'truncated section headers',
      () => GOOD.slice(0, SHOFF + 100),
      `ELF truncated: section header 2 ends at byte ${SHOFF + 120} of ${SHOFF + 100}`,
    ],
    [
      'truncated segment data',
      () =>
        patched((b) => {
          put32(b, phdr(0, P_FILESZ), 0x10_0000);
          put32(b, phdr(0, P_MEMSZ), 0x10_0000);
        }),
      `ELF truncated: segment 0 data ends at byte ${u32At(GOOD, phdr(0, P_OFFSET)) + 0x10_0000} of ${GOOD.length}`,
    ],
    [
      'a truncated section',
      () => patched((b) => put32(b, shdr(4, S_SIZE), 0x10_0000)),
      `ELF truncated: section 4 (.debug_info) ends at byte ${u32At(GOOD, shdr(4, S_OFFSET)) + 0x10_0000} ` + `of ${GOOD.length}`,
    ],
    [
      'overlapping segments', // .data's flash copy moved on top of .text
      () => patched((b) => put32(b, phdr(1, P_PADDR), 0x10)),
      'segments 0 and 1 overlap at 0x00000010',
    ],
    [
      'a file size above the memory size',
      () => patched((b) => put32(b, phdr(1, P_FILESZ), 13)),
      'segment 1 stores 13 bytes but occupies only 12 in memory',
    ],
    [
      'a segment wrapping the address space',
      () => patched((b) => put32(b, phdr(1, P_VADDR), 0xffff_fffc)),
      'segment 1 wraps past the end of the 32-bit address space',
    ],
    [
      'no PT_LOAD',
      // both PT_PHDR
      () =>
        patched((b) => {
          put32(b, phdr(0, 0), 6);
          put32(b, phdr(1, 0), 6);
        }),
      'ELF has no loadable (PT_LOAD) segments',
    ],
    [
      'a section-name table index out of range',
      () => patched((b) => put16(b, 50, 99)),
      `section name table index 99 is out of range (${SHNUM} sections)`,
    ],
    [
      'a section name outside its table',
      () => patched((b) => put32(b, shdr(1, 0), 0xffff)),
      /^section 1 name at offset 65535 is outside the section name table \(\d+ bytes\)$/,
    ],
    [
      'an unterminated symbol string table',
      () => {
        const image = parseElf(GOOD);
        const strtab = image.sections[sectionIndex(image, '.strtab')]!;
        return patched((b) => b.fill(0x41, strtab.offset, strtab.offset + strtab.size));
      },
      /^symbol 1\d? name at offset \d+ runs past the end of the symbol string table$/,
    ],
    [
      'a bad symbol entry size',
      () => patched((b) => put32(b, shdr(sectionIndex(parseElf(GOOD), '.symtab'), S_ENTSIZE), 24)),
      'symbol table entry size is 24, expected 16',
    ],
    [
      'a symbol table linked to a non-string section',
      () => patched((b) => put32(b, shdr(sectionIndex(parseElf(GOOD), '.symtab'), S_LINK), 1)),
      "symbol table's string table (section 1) is missing",
    ],
    ['a wrong program header size', () => patched((b) => put16(b, 42, 56)), 'ELF program header size is 56, expected 32'],
  ])('%s', (_, make, expected) => {
    const message = refusal(make());
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });

  it('refuses a segment outside the memory map, naming it and the map', () => {
    const image = parseElf(patched((b) => put32(b, phdr(1, P_PADDR), 0x3000_0000)));
    expect(() => checkSegmentsFit(image, MAP)).toThrowError(
      new ElfError('segment 1 at 0x30000000 (8 bytes) is outside the memory map (flash 0x00000000–0x0003ffff, sram 0x20000000–0x20007fff)'),
    );
  });

  it('refuses a segment that runs outside the memory map or straddles a region end', () => {
    const runsAway = parseElf(patched((b) => put32(b, phdr(1, P_VADDR), 0x2000_7ffc)));
    expect(() => checkSegmentsFit(runsAway, MAP)).toThrowError(
      /^segment 1 runs at 0x20007ffc \(12 bytes\), outside the memory map \(flash .*, sram .*\)$/,
    );
    const tooBig = parseElf(patched((b) => put32(b, phdr(0, P_MEMSZ), 0x4_0001)));
    expect(() => checkSegmentsFit(tooBig, MAP)).toThrowError(ElfError);
    expect(() => checkSegmentsFit(parseElf(GOOD), [MAP[0]!])).toThrowError(/^segment 1 runs at 0x20000000/);
  });

  it('keeps loading when only the debug info is broken', () => {
    const image = parseElf(GOOD);
    const line = image.sections[sectionIndex(image, '.debug_line')]!;
    const broken = parseElf(patched((b) => b.fill(0xff, line.offset, line.offset + line.size)));
    expect(broken.lines).toBeUndefined();
    expect(broken.symbol('sl_alloc')).toBe(0x08);
  });
});

// --- Fuzz -------------------------------------------------------------------------------------

describe('hostile input', () => {
  /** mulberry32: a small seeded PRNG so any failure reproduces. */
  function prng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
  }

  const INTERESTING = [0, 1, 2, 0x7f, 0x80, 0xff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xffff_fff0, 0xffff_ffff];

  /** Parses; anything but success or an ElfError with a one-line message is a failure. */
  function survives(bytes: Uint8Array): string | undefined {
    let image: ElfImage;
    try {
      image = parseElf(bytes);
    } catch (e) {
      if (!(e instanceof ElfError)) return `threw ${(e as Error)?.stack ?? String(e)}`;
      if (e.message.includes('\n') || e.message === '') return `bad message ${JSON.stringify(e.message)}`;
      return undefined;
    }
    // Whatever parsed must also be safe to use.
    try {
      const symbols = new SymbolTable(image.symbols);
      for (const a of [0, 0x8, 0x84, 0x2000_0000, 0xffff_ffff]) {
        symbols.format(a);
        image.lines?.format(a);
      }
      try {
        checkSegmentsFit(image, MAP);
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
      }
    } catch (e) {
      return `using the image threw ${(e as Error)?.stack ?? String(e)}`;
    }
    return undefined;
  }

  it('refuses symbol names that all point into one huge string instead of decoding it again and again', () => {
    const image = parseElf(GOOD);
    const symtab = sectionIndex(image, '.symtab');
    const strtab = sectionIndex(image, '.strtab');
    const longName = 1 << 20;
    const count = 1 << 16;
    const strOffset = GOOD.length;
    const symOffset = strOffset + longName + 1;
    const b = new Uint8Array(symOffset + count * 16);
    b.set(GOOD);
    b.fill(0x41, strOffset, strOffset + longName); // then one NUL
    for (let i = 1; i < count; i++) {
      put32(b, symOffset + 16 * i, i); // name: the i-th suffix of the long string
      b[symOffset + 16 * i + 12] = 0x11; // STB_GLOBAL, STT_OBJECT
    }
    put32(b, shdr(strtab, S_OFFSET), strOffset);
    put32(b, shdr(strtab, S_SIZE), longName + 1);
    put32(b, shdr(symtab, S_OFFSET), symOffset);
    put32(b, shdr(symtab, S_SIZE), count * 16);
    expect(refusal(b)).toBe('ELF string tables are larger than the file (overlapping names)');
  });

  it('20,000 mutations and truncations of good images parse or throw ElfError', () => {
    const random = prng(0x5eed);
    const int = (n: number) => Math.floor(random() * n);
    const bases = [GOOD, load('fixture-dwarf5')].map((bytes) => {
      const image = parseElf(bytes);
      const line = image.sections[sectionIndex(image, '.debug_line')]!;
      return { bytes, line, headers: [0, PHOFF + 64, SHOFF, bytes.length - SHOFF] as const };
    });
    for (let i = 0; i < 20_000; i++) {
      const base = bases[i & 1]!;
      const b = base.bytes.slice();
      const kind = int(5);
      const edits = 1 + int(4);
      for (let e = 0; e < edits; e++) {
        if (kind === 0) {
          b[int(b.length)] = int(256); // anywhere
        } else if (kind === 1) {
          // A header field: ELF header and program headers, or a section header.
          const [start, phEnd, shStart, shLen] = base.headers;
          const at = int(2) ? start + int(phEnd - 4) : shStart + int(shLen - 4);
          put32(b, at & ~1, INTERESTING[int(INTERESTING.length)]!);
        } else if (kind === 2 || kind === 3) {
          // Inside .debug_line, to reach the DWARF reader.
          const at = base.line.offset + int(base.line.size - 4);
          if (kind === 2) b[at] = int(256);
          else put32(b, at, INTERESTING[int(INTERESTING.length)]!);
        }
      }
      const bytes = kind === 4 ? b.subarray(0, int(b.length)) : b;
      const failure = survives(bytes);
      if (failure) expect.fail(`mutation ${i} (kind ${kind}): ${failure}`);
    }
  });

  it('2,000 random buffers parse or throw ElfError', () => {
    const random = prng(0xfa11);
    const int = (n: number) => Math.floor(random() * n);
    for (let i = 0; i < 2_000; i++) {
      const b = new Uint8Array(int(4096));
      for (let j = 0; j < b.length; j++) b[j] = int(256);
      // Half of them get a plausible identification so the parser gets past the first checks.
      if (i & 1 && b.length >= 52) {
        b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
        put16(b, 16, 2);
        put16(b, 18, 40);
        put16(b, 42, 32);
        put16(b, 46, 40);
        put16(b, 44, int(4));
        put16(b, 48, int(8));
        put32(b, 28, int(b.length));
        put32(b, 32, int(b.length));
      }
      const failure = survives(b);
      if (failure) expect.fail(`random buffer ${i}: ${failure}`);
    }
  });
});
