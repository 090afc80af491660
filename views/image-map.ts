// The memory map of an image on an MCU: what lies where in flash and in SRAM, read from the
// ELF (the ABI's start/end symbols first, then the other allocated sections, then the gaps),
// and a terminal drawing of it. This is the picture a learner has in mind when reading a
// linker script: vector table and code in flash, state, heap and stack in SRAM, and the stack
// growing down toward the heap.

import { type ElfImage, type ElfSection, hex, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_NOBITS } from '../emulator/elf.ts';
import { FLASH_BASE, SRAM_BASE } from '../emulator/memory-map.ts';
import type { Profile } from '../emulator/profiles.ts';
import { bytes } from './heap-map.ts';
import { displayWidth, wrapWords } from './text-width.ts';

export type MemoryName = 'flash' | 'sram';
export type BandKind =
  | 'vectors'
  | 'alloc-code'
  | 'code'
  | 'rodata'
  | 'data-image'
  | 'data'
  | 'alloc-state'
  | 'bss'
  | 'heap'
  | 'stack'
  | 'unused';

export interface Band {
  memory: MemoryName;
  kind: BandKind;
  /** What a person calls it: "heap array (.heap)". */
  name: string;
  /** [start, end): addresses. */
  start: number;
  end: number;
  size: number;
  /** The symbols that mark its start and end, when the ABI names them. */
  startSymbol?: string;
  endSymbol?: string;
  /** One more line worth saying ("grows down from __stack_top"). */
  note?: string;
}

export interface Memory {
  name: MemoryName;
  base: number;
  size: number;
}

export interface ImageMap {
  schema: 'sramlab.map/1';
  image: string;
  mcu: string;
  memories: Memory[];
  /** Every byte of flash and SRAM in exactly one band (unless the image itself overlaps), by address. */
  bands: Band[];
}

type Draft = Omit<Band, 'memory' | 'size'>;

/** The ABI's bands, from the symbol pairs firmware/README.md defines (skipped where absent or empty). */
const ABI_BANDS: readonly { kind: BandKind; name: string; from: string; to: string; note?: string }[] = [
  {
    kind: 'alloc-code',
    name: 'allocator code (.alloc_text)',
    from: '__alloc_text_start',
    to: '__alloc_text_end',
    note: 'the PCs the containment check watches',
  },
  {
    kind: 'alloc-state',
    name: 'allocator state (.alloc_data)',
    from: '__alloc_data_start',
    to: '__alloc_data_end',
    note: 'initialised: copied from flash at reset',
  },
  { kind: 'alloc-state', name: 'allocator state (.alloc_bss)', from: '__alloc_bss_start', to: '__alloc_bss_end', note: 'zeroed at reset' },
  { kind: 'heap', name: 'heap array (.heap)', from: '__heap_start', to: '__heap_end', note: 'not zeroed; sl_init is given a prefix of it' },
  { kind: 'stack', name: 'stack', from: '__stack_limit', to: '__stack_top', note: 'SP starts at the top and grows down' },
];

/** Reads the bands of an image on a profile; label names the image in the JSON. */
export function imageMap(image: ElfImage, profile: Profile, label: string): ImageMap {
  const memories: Memory[] = [
    { name: 'flash', base: FLASH_BASE, size: profile.flashSize },
    { name: 'sram', base: SRAM_BASE, size: profile.sramSize },
  ];
  const drafts = [...abiBands(image), ...loadImageBands(image)];
  for (const d of sectionBands(image)) if (!drafts.some((x) => overlaps(x, d))) drafts.push(d);
  const bands: Band[] = [];
  for (const m of memories) {
    const inside = drafts
      .map((d) => ({ ...d, start: Math.max(d.start, m.base), end: Math.min(d.end, m.base + m.size) }))
      .filter((d) => d.end > d.start)
      .sort((a, b) => a.start - b.start || a.end - b.end);
    bands.push(...withGaps(inside, m));
  }
  return { schema: 'sramlab.map/1', image: label, mcu: profile.name, memories, bands };
}

function abiBands(image: ElfImage): Draft[] {
  const out: Draft[] = [];
  for (const b of ABI_BANDS) {
    const start = image.symbol(b.from),
      end = image.symbol(b.to);
    if (start === undefined || end === undefined || end <= start) continue;
    out.push({ kind: b.kind, name: b.name, start, end, startSymbol: b.from, endSymbol: b.to, note: b.note });
  }
  return out;
}

/** Flash copies of initialised RAM (a segment stored at one address and run at another). */
function loadImageBands(image: ElfImage): Draft[] {
  return image.segments
    .filter((s) => s.fileSize > 0 && s.paddr !== s.vaddr)
    .map((s) => {
      const names = image.sections
        .filter((x) => x.size > 0 && x.type !== SHT_NOBITS && x.addr >= s.vaddr && x.addr < s.vaddr + s.fileSize)
        .map((x) => x.name);
      return {
        kind: 'data-image' as const,
        name: `initial values of ${names.join(', ') || 'RAM data'}`,
        start: s.paddr,
        end: s.paddr + s.fileSize,
        note: `copied to ${hex(s.vaddr)} at reset`,
      };
    });
}

/** Every other section that takes memory, named by what its flags say it holds. */
function sectionBands(image: ElfImage): Draft[] {
  return image.sections
    .filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0)
    .map((s) => ({ kind: sectionKind(s), name: `${KIND_NAMES[sectionKind(s)]} (${s.name})`, start: s.addr, end: s.addr + s.size }));
}

function sectionKind(s: ElfSection): BandKind {
  if (s.name === '.vectors' || s.name === '.isr_vector') return 'vectors';
  if (s.flags & SHF_EXECINSTR) return 'code';
  if (s.flags & SHF_WRITE) return s.type === SHT_NOBITS ? 'bss' : 'data';
  return 'rodata';
}

const KIND_NAMES: Record<BandKind, string> = {
  vectors: 'vector table',
  'alloc-code': 'allocator code',
  code: 'code',
  rodata: 'read-only data',
  'data-image': 'initial values',
  data: 'initialised data',
  'alloc-state': 'allocator state',
  bss: 'zeroed data',
  heap: 'heap array',
  stack: 'stack',
  unused: 'unused',
};

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

/** The memory's bands in address order, with 'unused' bands where nothing lies. */
function withGaps(sorted: Draft[], m: Memory): Band[] {
  const out: Band[] = [];
  let cursor = m.base;
  const push = ({ kind, name, start, end, ...rest }: Draft) =>
    out.push({ memory: m.name, kind, name, start, end, size: end - start, ...rest });
  for (const d of sorted) {
    if (d.start > cursor) push({ kind: 'unused', name: `unused ${m.name === 'flash' ? 'flash' : 'SRAM'}`, start: cursor, end: d.start });
    push(d);
    cursor = Math.max(cursor, d.end);
  }
  if (cursor < m.base + m.size)
    push({ kind: 'unused', name: `unused ${m.name === 'flash' ? 'flash' : 'SRAM'}`, start: cursor, end: m.base + m.size });
  return out;
}

// ---- the terminal drawing -------------------------------------------------------------------

export type Scale = 'linear' | 'log';

export interface MapDrawOptions {
  /** linear: rows ∝ bytes; log: rows ∝ log2(bytes). Every band gets at least one row either way. */
  scale?: Scale;
  /** Rows of fill per memory, besides the boundary lines (default 12 for flash, 16 for SRAM). */
  rows?: Partial<Record<MemoryName, number>>;
  /** Colours text by band kind (the CLI passes chalk on a terminal); identity by default. */
  paint?: (kind: BandKind, text: string) => string;
  /** Columns to fit the prose lines (title, scale, legend) in; unbounded by default. */
  width?: number;
}

/** The fill of each kind: the same character in plain text and on a colour terminal. */
export const FILL: Record<BandKind, string> = {
  vectors: '≡',
  'alloc-code': '█',
  'alloc-state': '█',
  code: '▓',
  rodata: '▓',
  'data-image': '░',
  data: '░',
  bss: '░',
  heap: '▒',
  stack: '↓',
  unused: ' ',
};

const LEGEND: readonly [BandKind, string][] = [
  ['alloc-code', 'allocator (code, state)'],
  ['vectors', 'vector table'],
  ['code', 'other code, read-only data'],
  ['data', 'other data'],
  ['heap', 'heap array'],
  ['stack', 'stack (grows down)'],
  ['unused', 'unused'],
];

const BOX = 10;

export function scaleNote(scale: Scale): string {
  return scale === 'linear'
    ? 'rows ∝ bytes, but every band gets at least one row so small ones stay visible'
    : 'rows ∝ log2(bytes), every band at least one row: small bands grow, big ones shrink';
}

/** Both memories as columns, high addresses on top (so the stack grows downward on screen), then the legend. */
export function renderImageMap(map: ImageMap, opts: MapDrawOptions = {}): string[] {
  const scale = opts.scale ?? 'linear';
  const paint = opts.paint ?? ((_k: BandKind, t: string) => t);
  const width = opts.width ?? Infinity;
  const wrapped = (line: string, indent: string) => (displayWidth(line) <= width ? [line] : wrapWords(line.split(' '), width, indent));
  const lines = [
    ...wrapped(`${map.image} on ${map.mcu}: flash and SRAM, high addresses on top; an address marks the boundary between two bands`, '  '),
    ...wrapped(`scale: ${scaleNote(scale)}`, '       '),
  ];
  for (const m of map.memories) {
    const bands = map.bands.filter((b) => b.memory === m.name);
    const rows = opts.rows?.[m.name] ?? (m.name === 'flash' ? 12 : 16);
    lines.push(
      '',
      `${m.name === 'flash' ? 'Flash' : 'SRAM'} ${bytes(m.size)} at ${hex(m.base)}`,
      ...drawColumn(bands, rowHeights(bands, rows, scale), paint),
    );
  }
  // The legend wraps between entries, never between a fill and what it stands for.
  lines.push('');
  let legend = 'legend:';
  LEGEND.forEach(([k, text], i) => {
    const entry = `${paint(k, FILL[k] === ' ' ? '␣' : FILL[k])} ${text}`;
    const next = `${legend}${i === 0 ? ' ' : '  '}${entry}`;
    if (i > 0 && displayWidth(next) > width) {
      lines.push(legend);
      legend = `${' '.repeat(8)}${entry}`;
    } else legend = next;
  });
  lines.push(legend);
  return lines;
}

/**
 * Rows per band: one each, then the rest shared in proportion to the weight (bytes, or log2 of
 * bytes), by largest remainder so the total is exact.
 */
export function rowHeights(bands: readonly Band[], rows: number, scale: Scale): number[] {
  const weight = bands.map((b) => (scale === 'log' ? Math.log2(b.size + 1) : b.size));
  const total = weight.reduce((a, b) => a + b, 0);
  const spare = Math.max(0, rows - bands.length);
  const exact = weight.map((w) => (total > 0 ? (w / total) * spare : 0));
  const heights = exact.map((x) => 1 + Math.floor(x));
  let left = spare - exact.reduce((n, x) => n + Math.floor(x), 0);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    heights[i]!++;
  }
  return heights;
}

/** One column: a boundary line at each band's edges (address and symbols), fill rows between, labels to the right. */
function drawColumn(bands: readonly Band[], heights: readonly number[], paint: NonNullable<MapDrawOptions['paint']>): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(11);
  for (let i = bands.length - 1; i >= 0; i--) {
    const b = bands[i]!;
    out.push(boundary(b.end, i === bands.length - 1 ? '┌' : '├', i === bands.length - 1 ? '┐' : '┤', symbolsAt(bands, b.end)));
    const text = [`${b.name.padEnd(34)} ${bytes(b.size).padStart(9)}`, ...(b.note ? [`  ${b.note}`] : [])];
    for (let r = 0; r < heights[i]!; r++) {
      out.push(`${pad}│${paint(b.kind, FILL[b.kind].repeat(BOX))}│ ${text[r] ?? ''}`.trimEnd());
    }
  }
  if (bands.length) out.push(boundary(bands[0]!.start, '└', '┘', symbolsAt(bands, bands[0]!.start)));
  return out;
}

function boundary(address: number, left: string, right: string, symbols: string[]): string {
  return `${hex(address)} ${left}${'─'.repeat(BOX)}${right}${symbols.length ? ` ${symbols.join(', ')}` : ''}`;
}

/** The ABI symbols that sit at an address (the end of one band, the start of the next). */
function symbolsAt(bands: readonly Band[], address: number): string[] {
  const names = new Set<string>();
  for (const b of bands) {
    if (b.start === address && b.startSymbol) names.add(b.startSymbol);
    if (b.end === address && b.endSymbol) names.add(b.endSymbol);
  }
  return [...names];
}
