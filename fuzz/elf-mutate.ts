// The mutated-ELF fuzzer's inputs: every committed ELF image, and seeded mutations of them that
// aim at each part of the format a loader trusts (ELF32, System V ABI and "ELF for the Arm
// Architecture"): the ELF header, program and section headers, symbols and string tables, the
// DWARF sections, truncation, huge sizes and counts, overlapping segments. Plain functions of
// (corpus, seed, case index), so any case can be rebuilt from those three alone.

import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Prng } from '../runners/prng.ts';

const ROOT = join(import.meta.dirname, '..');

/** Where the committed images live: the allocator builds, the test and bench firmware, the examples. */
const IMAGE_DIRS = [
  'firmware/images',
  'tests/firmware',
  'tests/firmware-v7m',
  'tests/broken-allocators/images',
  'bench/firmware',
  'examples/c-allocator',
  'tests/fixtures',
];

export interface CorpusImage {
  /** Relative to the repository root. */
  path: string;
  bytes: Uint8Array;
  /** The profile the image was built for (from its name), cortex-m0 when the name does not say. */
  mcu: string;
  layout: Layout;
}

/** Where the parts of a pristine image are, read once so mutations can aim at them. */
export interface Layout {
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
  sections: { name: string; type: number; offset: number; size: number; entsize: number; headerAt: number }[];
}

function walk(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.elf') ? [join(dir, e.name)] : []));
}

export function mcuOf(path: string): string {
  const m = /cortex-m(0plus|0|3|4)|-(m3|m4)\.elf$/.exec(path);
  if (!m) return 'cortex-m0';
  return `cortex-m${m[1] ?? m[2].slice(1)}`;
}

/** Every committed ELF, sorted by path so a seed means the same cases on every machine. */
export function loadCorpus(): CorpusImage[] {
  const paths = [...new Set(IMAGE_DIRS.flatMap(walk))].sort();
  return paths.map((p) => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, p)));
    return { path: relative(ROOT, join(ROOT, p)), bytes, mcu: mcuOf(p), layout: layoutOf(bytes) };
  });
}

const u16 = (b: Uint8Array, at: number) => (at + 2 <= b.length ? b[at] | (b[at + 1] << 8) : 0);
const u32 = (b: Uint8Array, at: number) =>
  at + 4 <= b.length ? (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0 : 0;
function put(b: Uint8Array, at: number, width: 1 | 2 | 4, v: number): void {
  for (let k = 0; k < width; k++) if (at + k >= 0 && at + k < b.length) b[at + k] = (v >>> (8 * k)) & 0xff;
}

/** The header tables of a committed (well-formed) image. */
export function layoutOf(b: Uint8Array): Layout {
  const l: Layout = {
    phoff: u32(b, 28),
    phentsize: u16(b, 42),
    phnum: u16(b, 44),
    shoff: u32(b, 32),
    shentsize: u16(b, 46),
    shnum: u16(b, 48),
    sections: [],
  };
  const shstrndx = u16(b, 50);
  const strOff = u32(b, l.shoff + shstrndx * l.shentsize + 16);
  for (let i = 0; i < l.shnum; i++) {
    const h = l.shoff + i * l.shentsize;
    let name = '';
    for (let k = strOff + u32(b, h); k < b.length && b[k] !== 0 && name.length < 64; k++) name += String.fromCharCode(b[k]);
    l.sections.push({ name, type: u32(b, h + 4), offset: u32(b, h + 16), size: u32(b, h + 20), entsize: u32(b, h + 36), headerAt: h });
  }
  return l;
}

/** Values that break arithmetic: zero, one, sign and wrap boundaries, all ones. */
const INTERESTING = [
  0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_fff0, 0xffff_fffc, 0xffff_ffff,
];
const HUGE = [0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_fff0, 0x1000_0000, 0x0fff_ffff, 0x4000_0000];

/** ELF header fields: offset and width (e_ident bytes one by one, then e_type … e_shstrndx). */
const EHDR_FIELDS: [number, 1 | 2 | 4][] = [
  [4, 1],
  [5, 1],
  [6, 1],
  [7, 1],
  [16, 2],
  [18, 2],
  [20, 4],
  [24, 4],
  [28, 4],
  [32, 4],
  [36, 4],
  [40, 2],
  [42, 2],
  [44, 2],
  [46, 2],
  [48, 2],
  [50, 2],
];
/** Elf32_Phdr: p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align. */
const PHDR_FIELDS = [0, 4, 8, 12, 16, 20, 24, 28];
/** Elf32_Shdr: sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_addralign, sh_entsize. */
const SHDR_FIELDS = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36];
/** Elf32_Sym: st_name, st_value, st_size (4 bytes each), st_info, st_other (1), st_shndx (2). */
const SYM_FIELDS: [number, 1 | 2 | 4][] = [
  [0, 4],
  [4, 4],
  [8, 4],
  [12, 1],
  [13, 1],
  [14, 2],
];
/** Size, offset and count fields, where a huge value tests every bound. */
const SIZE_FIELDS = {
  ehdr: [
    [28, 4],
    [32, 4],
    [42, 2],
    [44, 2],
    [46, 2],
    [48, 2],
  ] as [number, 1 | 2 | 4][],
  phdr: [4, 16, 20, 28],
  shdr: [16, 20, 36],
};

export const KINDS = ['ehdr', 'phdr', 'shdr', 'symbols', 'strings', 'dwarf', 'truncate', 'huge', 'overlap', 'bytes'] as const;
export type Kind = (typeof KINDS)[number];
export type Entry = 'exec' | 'check';

export interface FuzzCase {
  index: number;
  base: string;
  kind: Kind;
  entry: Entry;
  mcu: string;
  /** The command line after the ELF path. */
  args: string[];
  bytes: Uint8Array;
}

/** The scenarios `check` runs a mutated image through, one per case, at a few operations. */
const CHECK_SCENARIOS = [
  'smoke',
  'alignment',
  'fragmentation',
  'vec-growth',
  'fill-and-drain',
  'random-actions',
  'isr-reentrancy',
  'stack-collision',
];
const PROFILES = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'];
/** exec's cycle budget per case: enough for every committed image's start-up, and a bound. */
export const EXEC_CYCLES = 300_000;

/** The seed of case `index` under run seed `seed`: each case stands alone, so one can be replayed. */
function caseSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e37_79b1) ^ Math.imul(index + 1, 0x85eb_ca77)) >>> 0;
}

const sectionsWhere = (l: Layout, f: (s: Layout['sections'][number]) => boolean) => l.sections.filter(f);

/** Builds case `index` of run `seed` from the corpus. */
export function makeCase(corpus: readonly CorpusImage[], seed: number, index: number): FuzzCase {
  const r = new Prng(caseSeed(seed, index));
  const image = corpus[r.below(corpus.length)];
  const kind = r.pick(KINDS);
  const b = image.bytes.slice();
  const edits = r.between(1, 3);
  let out: Uint8Array = b;
  for (let e = 0; e < edits; e++) out = mutate(out, image.layout, kind, r);
  const entry: Entry = r.chance(0.5) ? 'exec' : 'check';
  // Mostly the profile the image was built for; sometimes another, whose map may not fit it.
  const mcu = r.chance(0.85) ? image.mcu : r.pick(PROFILES);
  const args =
    entry === 'exec'
      ? ['--mcu', mcu, '--max-cycles', String(EXEC_CYCLES), ...(r.chance(0.5) ? ['--json'] : [])]
      : [
          '--mcu',
          mcu,
          '--scenario',
          r.pick(CHECK_SCENARIOS),
          '--ops',
          String(r.between(4, 24)),
          '--seed',
          String(r.between(1, 1000)),
          ...(r.chance(0.5) ? ['--json'] : []),
        ];
  return { index, base: image.path, kind, entry, mcu, args, bytes: out };
}

function value(r: Prng, width: 1 | 2 | 4, old: number): number {
  switch (r.below(4)) {
    case 0:
      return r.pick(INTERESTING);
    case 1:
      return r.u32();
    case 2:
      return (old + r.between(-8, 8)) >>> 0; // off by a little
    default:
      return old ^ (1 << r.below(width * 8)); // one bit
  }
}

function mutate(b: Uint8Array, l: Layout, kind: Kind, r: Prng): Uint8Array {
  const field = (at: number, width: 1 | 2 | 4, v?: number) => {
    const old = width === 4 ? u32(b, at) : width === 2 ? u16(b, at) : (b[at] ?? 0);
    put(b, at, width, v ?? value(r, width, old));
  };
  const phdr = () => l.phoff + r.below(Math.max(1, l.phnum)) * l.phentsize;
  const shdr = () => l.shoff + r.below(Math.max(1, l.shnum)) * l.shentsize;
  const within = (s: { offset: number; size: number }) => s.offset + r.below(Math.max(1, s.size));
  switch (kind) {
    case 'ehdr': {
      const [at, w] = r.pick(EHDR_FIELDS);
      field(at, w);
      return b;
    }
    case 'phdr':
      field(phdr() + r.pick(PHDR_FIELDS), 4);
      return b;
    case 'shdr':
      field(shdr() + r.pick(SHDR_FIELDS), 4);
      return b;
    case 'symbols': {
      const tabs = sectionsWhere(l, (s) => s.type === 2 /* SHT_SYMTAB */ && s.size >= 16);
      if (tabs.length === 0) return mutate(b, l, 'bytes', r);
      const t = r.pick(tabs);
      const sym = t.offset + 16 * r.below(t.size / 16);
      const [at, w] = r.pick(SYM_FIELDS);
      field(sym + at, w);
      return b;
    }
    case 'strings': {
      const tabs = sectionsWhere(l, (s) => s.type === 3 /* SHT_STRTAB */ && s.size > 0);
      if (tabs.length === 0) return mutate(b, l, 'bytes', r);
      const t = r.pick(tabs);
      const at = within(t);
      // Lose a terminator (names run together, or off the end), or scribble.
      if (r.chance(0.5)) {
        for (let k = at; k < t.offset + t.size; k++)
          if (b[k] === 0) {
            b[k] = 0x41;
            break;
          }
      } else b[at] = r.below(256);
      if (r.chance(0.2)) b[t.offset + t.size - 1] = 0x41; // no NUL at the end of the table
      return b;
    }
    case 'dwarf': {
      const debug = sectionsWhere(l, (s) => s.name.startsWith('.debug_') && s.size > 0);
      if (debug.length === 0) return mutate(b, l, 'bytes', r);
      // .debug_line most often: it is the section the loader decodes.
      const line = debug.find((s) => s.name === '.debug_line');
      const s = line && r.chance(0.6) ? line : r.pick(debug);
      const at = within(s);
      if (r.chance(0.5)) b[at] = r.below(256);
      else put(b, at, 4, r.pick(INTERESTING));
      if (r.chance(0.1)) put(b, s.offset, 4, r.pick(HUGE)); // the unit length
      return b;
    }
    case 'truncate': {
      // Near a boundary the loader reads up to (a table, a section), or anywhere.
      const marks = [
        52,
        l.phoff + l.phnum * l.phentsize,
        l.shoff,
        l.shoff + l.shnum * l.shentsize,
        ...l.sections.map((s) => s.offset + s.size),
      ];
      const cut = r.chance(0.5) ? Math.max(0, r.pick(marks) + r.between(-4, 4)) : r.below(b.length);
      return b.subarray(0, Math.min(cut, b.length));
    }
    case 'huge': {
      const where = r.below(3);
      if (where === 0) {
        const [at, w] = r.pick(SIZE_FIELDS.ehdr);
        field(at, w, r.pick(HUGE));
      } else if (where === 1) field(phdr() + r.pick(SIZE_FIELDS.phdr), 4, r.pick(HUGE));
      else field(shdr() + r.pick(SIZE_FIELDS.shdr), 4, r.pick(HUGE));
      return b;
    }
    case 'overlap': {
      // Two segments over the same addresses, or a section over another's bytes.
      if (r.chance(0.6) && l.phnum >= 1) {
        const [a, c] = [phdr(), phdr()];
        const delta = r.pick([0, 1, 2, 4, -4, 0x100]);
        field(a + r.pick([8, 12]), 4, (u32(b, c + 8) + delta) >>> 0);
        if (r.chance(0.5)) field(a + 20, 4, Math.max(u32(b, a + 20), u32(b, c + 20)) + r.pick([0, 4, 0x1000]));
      } else {
        const [a, c] = [shdr(), shdr()];
        field(a + r.pick([12, 16]), 4, u32(b, c + r.pick([12, 16])) + r.pick([0, 2, 4]));
      }
      return b;
    }
    case 'bytes': {
      const n = r.between(1, 16);
      for (let k = 0; k < n; k++) b[r.below(b.length)] = r.below(256);
      return b;
    }
  }
}
