// DWARF `.debug_line` reader (DWARF 2–5, section 6.2 of the DWARF 5 standard): runs each
// unit's line-number program and keeps the address → file:line ranges it describes, so a
// report can say "alloc.c:42" next to a PC.
//
// Debug info is a nicety, never a reason to refuse an image: a malformed unit is dropped and
// the reader carries on with the next one. Every read is bounds-checked and every loop
// consumes input, so hostile bytes can neither crash nor hang it.

import { lastAtOrBefore } from './sorted.ts';

/** A source position, as a report shows it. */
export interface SourceLine {
  /** Base name of the source file, e.g. "alloc.c". */
  file: string;
  /** The path as the line table records it (directory joined with the file name). */
  path: string;
  line: number;
  /** 0 when the producer did not say. */
  column: number;
}

/** One address range [address, end) attributed to a source position. */
export interface LineRow {
  address: number;
  end: number;
  path: string;
  line: number;
  column: number;
}

/** The raw bytes of the sections the line program refers to. */
export interface DebugLineSections {
  debugLine: Uint8Array;
  /** `.debug_line_str`, target of DW_FORM_line_strp (DWARF 5). */
  debugLineStr?: Uint8Array;
  /** `.debug_str`, target of DW_FORM_strp. */
  debugStr?: Uint8Array;
}

/**
 * Address → source line lookups. `rows` are what is left once overlapping sequences are
 * resolved (see resolveSequences): sorted by address and never overlapping, so a lookup is
 * one binary search. A row with line 0 ("no source line") still holds its addresses.
 */
export class LineTable {
  readonly rows: readonly LineRow[];

  constructor(rows: LineRow[]) {
    this.rows = [...rows].sort((a, b) => a.address - b.address);
  }

  lineFor(address: number): SourceLine | undefined {
    const a = address >>> 0;
    const row = this.rows[lastAtOrBefore(this.rows, (e) => e.address, a)];
    if (row === undefined || a >= row.end || row.line <= 0) return undefined;
    return { file: baseName(row.path), path: row.path, line: row.line, column: row.column };
  }

  /** "alloc.c:42", or undefined when no range covers the address. */
  format(address: number): string | undefined {
    const where = this.lineFor(address);
    return where && formatSourceLine(where);
  }
}

export function formatSourceLine(where: SourceLine): string {
  return `${where.file}:${where.line}`;
}

/** Parses every unit of `.debug_line`; undefined when none yields a row. Never throws on bad input. */
export function parseDebugLine(sections: DebugLineSections): LineTable | undefined {
  const rows = resolveSequences(lineSequences(sections));
  return rows.some((r) => r.line > 0) ? new LineTable(rows) : undefined;
}

/** The completed sequences of each well-formed unit, in section order, as the programs state them. */
export function lineSequences(sections: DebugLineSections): Sequence[][] {
  const units: Sequence[][] = [];
  const cursor = new Cursor(sections.debugLine, 0, sections.debugLine.length);
  const strings = new Strings(sections);
  while (cursor.remaining() > 0) {
    let unit: Unit;
    try {
      unit = nextUnit(cursor);
    } catch (e) {
      if (e instanceof DwarfError) break; // unit length unusable: the rest cannot be found
      throw e;
    }
    try {
      units.push(runUnit(unit, strings));
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      // This unit is malformed; its neighbours may be fine.
    }
  }
  return units;
}

/** One DW_LNE_end_sequence-terminated run of rows: [start, end) in address order. */
export interface Sequence {
  start: number;
  end: number;
  rows: LineRow[];
}

/**
 * Decides which sequence answers for an address where sequences overlap, as GNU addr2line
 * (binutils 2.40, bfd/dwarf2.c) does. They overlap in practice because `ld --gc-sections`
 * keeps the line program of every discarded function and resolves its start address to 0,
 * so on a Cortex-M image whose code starts at 0 the leftovers lie on top of live code.
 *
 * The rule, in our words:
 *  - Units are asked in the order they appear; the first unit with a sequence covering the
 *    address answers. (addr2line asks the compilation units whose address ranges hold the
 *    address, in .debug_info order; those ranges include the discarded functions at 0 too,
 *    and gcc emits .debug_line units in the same order, so a unit's sequences stand in.)
 *  - Inside a unit, sequences are sorted by start, the longer first when starts are equal,
 *    then by their order in the program. Walking that order, a sequence that lies wholly
 *    inside what the earlier ones cover is dropped, and one that sticks out past them is cut
 *    to begin where they end. What is left never overlaps.
 *  - Within the chosen sequence the row at or before the address gives the line.
 *
 * So a leftover at 0 can still win over live code — it does whenever it is the longest in
 * the first unit covering the address — and then sramlab names the same line addr2line does.
 */
export function resolveSequences(units: readonly (readonly Sequence[])[]): LineRow[] {
  // Each unit's rows are disjoint after trimUnit; across units the lowest unit index wins.
  // A sweep over every row boundary, with the rows covering it in a heap by unit, finds the
  // winner of each stretch in O(n log n), however many units a hostile section holds.
  const rows = units.flatMap((u, unit) => trimUnit(u).map((row) => ({ row, unit })));
  rows.sort((a, b) => a.row.address - b.row.address);
  const bounds = [...new Set(rows.flatMap(({ row }) => [row.address, row.end]))].sort((a, b) => a - b);
  const active = new MinHeap<{ row: LineRow; unit: number }>((a, b) => a.unit - b.unit);
  const out: LineRow[] = [];
  let next = 0;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const at = bounds[i]!;
    while (next < rows.length && rows[next]!.row.address === at) active.push(rows[next++]!);
    while (active.size() > 0 && active.peek()!.row.end <= at) active.pop();
    const top = active.peek()?.row;
    if (top === undefined) continue;
    const last = out[out.length - 1];
    // Neighbouring stretches won by the same row become one row again.
    if (last !== undefined && last.end === at && sameSource(last, top)) {
      last.end = bounds[i + 1]!;
    } else {
      out.push({ ...top, address: at, end: bounds[i + 1]! });
    }
  }
  return out;
}

function sameSource(a: LineRow, b: LineRow): boolean {
  return a.path === b.path && a.line === b.line && a.column === b.column;
}

/** A binary min-heap under `compare`. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const h = this.items;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(h[i]!, h[parent]!) >= 0) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): void {
    const h = this.items;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.compare(h[l]!, h[m]!) < 0) m = l;
      if (r < h.length && this.compare(h[r]!, h[m]!) < 0) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** A unit's sequences after sorting, dropping nested ones and cutting overlapping ones: its rows, disjoint. */
function trimUnit(sequences: readonly Sequence[]): LineRow[] {
  const order = sequences
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.end > s.start)
    .sort((a, b) => a.s.start - b.s.start || b.s.end - a.s.end || a.i - b.i);
  const rows: LineRow[] = [];
  let coveredTo = -1;
  for (const { s } of order) {
    if (s.end <= coveredTo) continue;
    const from = Math.max(s.start, coveredTo);
    for (const r of s.rows) {
      if (r.end <= from) continue;
      rows.push(r.address >= from ? r : { ...r, address: from });
    }
    coveredTo = s.end;
  }
  return rows;
}

/** Malformed DWARF. Internal: parseDebugLine turns it into "no line info". */
class DwarfError extends Error {}

// --- Byte cursor ------------------------------------------------------------------------------

/** Little-endian reader confined to [pos, end) of one buffer; reading past end is a DwarfError. */
class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  need(n: number): void {
    if (n < 0 || n > this.end - this.pos) throw new DwarfError('read past the end of a unit');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  s8(): number {
    return (this.u8() << 24) >> 24;
  }

  /** Unsigned little-endian integer of 1–8 bytes; above 2^53 precision is lost, which no valid field needs. */
  uint(size: number): number {
    this.need(size);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + this.bytes[this.pos + i]!;
    this.pos += size;
    return value;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  uleb(): number {
    let value = 0;
    for (let i = 0; i < MAX_LEB_BYTES; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    throw new DwarfError('LEB128 number too long');
  }

  sleb(): number {
    let value = 0;
    for (let i = 0; i < MAX_LEB_BYTES; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        const bits = 7 * (i + 1);
        return byte & 0x40 ? value - 2 ** bits : value;
      }
    }
    throw new DwarfError('LEB128 number too long');
  }

  /** A sub-cursor over the next n bytes; this cursor moves past them. */
  take(n: number): Cursor {
    this.need(n);
    const sub = new Cursor(this.bytes, this.pos, this.pos + n);
    this.pos += n;
    return sub;
  }
}

/** A ten-byte LEB128 already holds 70 bits; anything longer is garbage, not a number. */
const MAX_LEB_BYTES = 10;

const utf8 = new TextDecoder('utf-8');

/**
 * NUL-terminated strings, inline or in the string sections. Hostile tables can point many
 * entries into one long string; capping the bytes decoded at twice the input keeps that from
 * costing quadratic time or memory.
 */
class Strings {
  private budget: number;

  constructor(private readonly sections: DebugLineSections) {
    const s = sections;
    this.budget = 2 * (s.debugLine.length + (s.debugLineStr?.length ?? 0) + (s.debugStr?.length ?? 0)) + 4096;
  }

  /** A string inline in the unit; the cursor moves past its NUL. */
  inline(c: Cursor): string {
    const length = this.lengthAt(c.bytes, c.pos, c.end);
    const text = utf8.decode(c.bytes.subarray(c.pos, c.pos + length));
    c.pos += length + 1;
    return text;
  }

  lineStr(offset: number): string {
    return this.inSection(this.sections.debugLineStr, offset);
  }

  str(offset: number): string {
    return this.inSection(this.sections.debugStr, offset);
  }

  private inSection(section: Uint8Array | undefined, offset: number): string {
    if (section === undefined) throw new DwarfError('string section missing');
    const length = this.lengthAt(section, offset, section.length);
    return utf8.decode(section.subarray(offset, offset + length));
  }

  private lengthAt(bytes: Uint8Array, start: number, end: number): number {
    if (start < 0 || start >= end) throw new DwarfError('string offset out of range');
    const length = bytes.subarray(start, end).indexOf(0);
    if (length < 0) throw new DwarfError('unterminated string');
    this.budget -= length + 1;
    if (this.budget < 0) throw new DwarfError('strings larger than their sections');
    return length;
  }
}

// --- Unit header ------------------------------------------------------------------------------

interface FileEntry {
  path: string;
}

interface FileTables {
  dirs: string[];
  files: FileEntry[];
}

interface UnitHeader {
  version: number;
  minInstLength: number;
  maxOpsPerInst: number;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  standardOpcodeLengths: number[];
  /** Include directories; DWARF 2–4's DW_LNE_define_file refers to them. */
  dirs: string[];
  files: FileEntry[];
}

interface Unit {
  body: Cursor;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF: the size of section offsets in this unit. */
  offsetSize: number;
}

/** Splits off the next unit: its unit_length field says where it ends and how wide offsets are. */
function nextUnit(section: Cursor): Unit {
  let length = section.uint(4);
  let offsetSize = 4;
  if (length === 0xffff_ffff) {
    length = section.uint(8);
    offsetSize = 8;
  } else if (length >= 0xffff_fff0) {
    throw new DwarfError('reserved unit length');
  }
  return { body: section.take(length), offsetSize };
}

function readHeader(unit: Cursor, offsetSize: number, strings: Strings): UnitHeader {
  const version = unit.uint(2);
  if (version < 2 || version > 5) throw new DwarfError(`line table version ${version}`);
  if (version >= 5) {
    unit.u8(); // address_size: DW_LNE_set_address carries its own length
    unit.u8(); // segment_selector_size: segmented addresses do not exist on ARM
  }
  const headerLength = unit.uint(offsetSize);
  const header = unit.take(headerLength);
  const minInstLength = header.u8();
  const maxOpsPerInst = version >= 4 ? header.u8() : 1;
  header.u8(); // default_is_stmt: addr2line answers from every row, statement or not, and so do we
  const lineBase = header.s8();
  const lineRange = header.u8();
  const opcodeBase = header.u8();
  if (lineRange === 0) throw new DwarfError('line_range is 0');
  if (opcodeBase === 0) throw new DwarfError('opcode_base is 0');
  const standardOpcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(header.u8());
  const { dirs, files } = version >= 5 ? readFileTableV5(header, offsetSize, strings) : readFileTableV2(header, strings);
  return {
    version,
    minInstLength,
    maxOpsPerInst: Math.max(maxOpsPerInst, 1), // 0 is invalid; treat it as the usual 1
    lineBase,
    lineRange,
    opcodeBase,
    standardOpcodeLengths,
    dirs,
    files,
  };
}

/**
 * DWARF 2–4: include_directories then file_names, each list ended by an empty string.
 * Directory 0 is the compilation directory, which only .debug_info knows; file numbers
 * start at 1, so slot 0 is a placeholder.
 */
function readFileTableV2(header: Cursor, strings: Strings): FileTables {
  const dirs: string[] = [''];
  for (let dir = strings.inline(header); dir !== ''; dir = strings.inline(header)) dirs.push(dir);
  const files: FileEntry[] = [{ path: '' }];
  for (let name = strings.inline(header); name !== ''; name = strings.inline(header)) {
    files.push(fileEntryV2(header, name, dirs));
  }
  return { dirs, files };
}

/** The rest of a DWARF 2–4 file entry (also DW_LNE_define_file): directory, mtime, length. */
function fileEntryV2(c: Cursor, name: string, dirs: string[]): FileEntry {
  const dirIndex = c.uleb();
  c.uleb(); // modification time
  c.uleb(); // file length
  return { path: joinPath(dirs[dirIndex] ?? '', name) };
}

// DWARF 5 content types and forms used in the directory and file tables (DWARF 5, 6.2.4.1, 7.5.6).
const DW_LNCT_path = 0x1;
const DW_LNCT_directory_index = 0x2;
const DW_FORM_block = 0x09;
const DW_FORM_block1 = 0x0a;
const DW_FORM_data1 = 0x0b;
const DW_FORM_data2 = 0x05;
const DW_FORM_data4 = 0x06;
const DW_FORM_data8 = 0x07;
const DW_FORM_data16 = 0x1e;
const DW_FORM_string = 0x08;
const DW_FORM_strp = 0x0e;
const DW_FORM_line_strp = 0x1f;
const DW_FORM_udata = 0x0f;

interface EntryFormat {
  contentType: number;
  form: number;
}

/**
 * DWARF 5: each table is described by (content type, form) pairs and then its entries.
 * Directory 0 is the compilation directory; other directories are relative to it.
 * File 0 is the primary source file, and files are numbered from 0.
 */
function readFileTableV5(header: Cursor, offsetSize: number, strings: Strings): FileTables {
  const named = readEntryTable(header, offsetSize, strings).map((e) => e.path ?? '');
  const compDir = named[0] ?? '';
  const dirs = named.map((d, i) => (i === 0 ? d : joinPath(compDir, d)));
  const files = readEntryTable(header, offsetSize, strings).map((e) => ({
    path: joinPath(dirs[e.dirIndex ?? 0] ?? '', e.path ?? ''),
  }));
  return { dirs, files };
}

interface Entry {
  path?: string;
  dirIndex?: number;
}

function readEntryTable(header: Cursor, offsetSize: number, strings: Strings): Entry[] {
  const formatCount = header.u8();
  const formats: EntryFormat[] = [];
  for (let i = 0; i < formatCount; i++) formats.push({ contentType: header.uleb(), form: header.uleb() });
  const count = header.uleb();
  // Each entry takes at least one byte, so a count beyond the header is a lie; checking it
  // first also keeps an empty format list from spinning through 2^60 empty entries.
  if (count > header.remaining()) throw new DwarfError('entry count exceeds the header');
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const entry: Entry = {};
    for (const f of formats) {
      const value = readForm(header, f.form, offsetSize, strings);
      if (f.contentType === DW_LNCT_path && typeof value === 'string') entry.path = value;
      if (f.contentType === DW_LNCT_directory_index && typeof value === 'number') entry.dirIndex = value;
    }
    entries.push(entry);
  }
  return entries;
}

/** Reads one attribute value; strings come back as strings, constants as numbers, blocks (MD5) skipped. */
function readForm(c: Cursor, form: number, offsetSize: number, strings: Strings): string | number | undefined {
  switch (form) {
    case DW_FORM_string:
      return strings.inline(c);
    case DW_FORM_line_strp:
      return strings.lineStr(c.uint(offsetSize));
    case DW_FORM_strp:
      return strings.str(c.uint(offsetSize));
    case DW_FORM_udata:
      return c.uleb();
    case DW_FORM_data1:
      return c.uint(1);
    case DW_FORM_data2:
      return c.uint(2);
    case DW_FORM_data4:
      return c.uint(4);
    case DW_FORM_data8:
      return c.uint(8);
    case DW_FORM_data16:
      c.skip(16); // MD5 digest: nothing to check it against
      return undefined;
    case DW_FORM_block:
      c.skip(c.uleb());
      return undefined;
    case DW_FORM_block1:
      c.skip(c.u8());
      return undefined;
    default:
      // Without knowing its size the rest of the table cannot be read.
      throw new DwarfError(`unsupported form 0x${form.toString(16)}`);
  }
}

// --- Line-number program ----------------------------------------------------------------------

// Standard opcodes (DWARF 5, 6.2.5.2).
const DW_LNS_copy = 1;
const DW_LNS_advance_pc = 2;
const DW_LNS_advance_line = 3;
const DW_LNS_set_file = 4;
const DW_LNS_set_column = 5;
const DW_LNS_const_add_pc = 8;
const DW_LNS_fixed_advance_pc = 9;
// Extended opcodes (6.2.5.3).
const DW_LNE_end_sequence = 1;
const DW_LNE_set_address = 2;
const DW_LNE_define_file = 3;

/** The state-machine registers that matter for address → line (6.2.2). */
interface Registers {
  address: number;
  opIndex: number;
  file: number;
  line: number;
  column: number;
}

interface Row {
  address: number;
  file: number;
  line: number;
  column: number;
  endSequence: boolean;
}

function initialRegisters(): Registers {
  return { address: 0, opIndex: 0, file: 1, line: 1, column: 0 };
}

/** Runs one unit's program; every completed sequence becomes a Sequence of ranges. */
function runUnit({ body: unit, offsetSize }: Unit, strings: Strings): Sequence[] {
  const h = readHeader(unit, offsetSize, strings);
  const sequences: Sequence[] = [];
  let sequence: Row[] = [];
  let regs = initialRegisters();
  const emit = (endSequence: boolean): void => {
    sequence.push({ address: regs.address, file: regs.file, line: regs.line, column: regs.column, endSequence });
  };
  // Every iteration reads at least one byte, so the loop ends with the unit.
  while (unit.remaining() > 0) {
    const op = unit.u8();
    if (op >= h.opcodeBase) {
      const adjusted = op - h.opcodeBase;
      advance(regs, h, Math.floor(adjusted / h.lineRange));
      regs.line += h.lineBase + (adjusted % h.lineRange);
      emit(false);
    } else if (op === 0) {
      const sub = unit.take(unit.uleb());
      if (sub.remaining() === 0) continue;
      const ext = sub.u8();
      if (ext === DW_LNE_end_sequence) {
        emit(true);
        sequences.push(toSequence(sequence, h.files));
        sequence = [];
        regs = initialRegisters();
      } else if (ext === DW_LNE_set_address) {
        // The operand fills the rest of the op; keep the low 32 bits (a 32-bit target).
        regs.address = sub.uint(Math.min(sub.remaining(), 4)) >>> 0;
        regs.opIndex = 0;
      } else if (ext === DW_LNE_define_file && h.version < 5) {
        h.files.push(fileEntryV2(sub, strings.inline(sub), h.dirs));
      }
      // Other extended ops (set_discriminator, vendor ones) carry nothing we use.
    } else {
      runStandard(op, unit, regs, h, emit);
    }
  }
  // A sequence without DW_LNE_end_sequence has no known end: it is left out.
  return sequences;
}

function runStandard(op: number, unit: Cursor, regs: Registers, h: UnitHeader, emit: (end: boolean) => void): void {
  switch (op) {
    case DW_LNS_copy:
      emit(false);
      return;
    case DW_LNS_advance_pc:
      advance(regs, h, unit.uleb());
      return;
    case DW_LNS_advance_line:
      regs.line += unit.sleb();
      return;
    case DW_LNS_set_file:
      regs.file = unit.uleb();
      return;
    case DW_LNS_set_column:
      regs.column = unit.uleb();
      return;
    case DW_LNS_const_add_pc:
      advance(regs, h, Math.floor((255 - h.opcodeBase) / h.lineRange));
      return;
    case DW_LNS_fixed_advance_pc:
      regs.address = (regs.address + unit.uint(2)) >>> 0;
      regs.opIndex = 0;
      return;
    default:
      // negate_stmt, set_basic_block, prologue_end, epilogue_begin, set_isa and opcodes from
      // later standards do not move address or line: skip the operands the header declares.
      for (let i = 0; i < (h.standardOpcodeLengths[op - 1] ?? 0); i++) unit.uleb();
      return;
  }
}

/** "operation advance" (6.2.5.1), which also covers VLIW op_index; ARM has one op per instruction. */
function advance(regs: Registers, h: UnitHeader, operationAdvance: number): void {
  const ops = regs.opIndex + operationAdvance;
  regs.address = (regs.address + h.minInstLength * Math.floor(ops / h.maxOpsPerInst)) % 2 ** 32;
  regs.opIndex = ops % h.maxOpsPerInst;
}

/**
 * A row covers the addresses up to the next row with a higher address. Rows sharing an
 * address cover nothing except the last of them, which is how addr2line reads them too.
 * Line 0 means "no source line" (compiler-made code): its range is kept, so the sequence
 * still owns those addresses, and the lookup answers "no line" there.
 */
function toSequence(rows: Row[], files: FileEntry[]): Sequence {
  const ranges: LineRow[] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const row = rows[i]!;
    const next = rows[i + 1]!;
    if (row.endSequence || next.address <= row.address) continue;
    const path = files[row.file]?.path ?? '?';
    ranges.push({ address: row.address, end: next.address, path, line: Math.max(row.line, 0), column: row.column });
  }
  const start = rows[0]!.address;
  const end = rows[rows.length - 1]!.address;
  return { start, end, rows: ranges.filter((r) => r.address >= start && r.end <= end) };
}

// --- Lookup helpers ---------------------------------------------------------------------------

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path);
}

function joinPath(dir: string, name: string): string {
  if (dir === '' || isAbsolute(name)) return name;
  if (name === '') return dir;
  return /[\\/]$/.test(dir) ? dir + name : `${dir}/${name}`;
}

/** The file name after the last slash; Windows-built firmware records backslashes. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
