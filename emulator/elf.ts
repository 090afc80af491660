// ELF32 loader for Cortex-M firmware (System V ABI "ELF" chapter, and the ARM ELF supplement
// "ELF for the Arm Architecture"): loadable segments, sections, symbols and, when present,
// DWARF line info.
//
// Images come from users, so every field is treated as hostile: each offset and size is
// checked against the file before it is used, nothing is allocated from an unchecked count,
// and anything the loader cannot trust is refused with an ElfError whose message is one line
// naming the problem.

import { type ArmAttributes, AttributesError, parseArmAttributes } from './arm-attributes.ts';
import { type LineTable, parseDebugLine } from './dwarf-lines.ts';

/** A refused image. The message is one line a person can act on. */
export class ElfError extends Error {
  override name = 'ElfError';
}

/** A PT_LOAD program header with its file bytes. */
export interface ElfSegment {
  /** Program header index, as readelf numbers segments. */
  index: number;
  /** Where the segment lives while the program runs (VMA): .data runs in SRAM... */
  vaddr: number;
  /** ...but is stored in flash at its load address (LMA); sramlab writes `data` here. */
  paddr: number;
  memSize: number;
  fileSize: number;
  /** PF_R | PF_W | PF_X. */
  flags: number;
  /** The fileSize bytes from the file. The memSize − fileSize tail is zero-filled by startup code. */
  data: Uint8Array;
}

export interface ElfSection {
  name: string;
  addr: number;
  size: number;
  /** SHT_* */
  type: number;
  /** SHF_* */
  flags: number;
  /** File offset of the section's bytes (meaningless for SHT_NOBITS). */
  offset: number;
}

export type SymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type SymbolBind = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  /** st_value as stored: a Thumb function's value has bit 0 set. */
  value: number;
  /** Where the symbol is: value with the Thumb bit cleared for functions (what `nm` prints). */
  address: number;
  size: number;
  type: SymbolType;
  bind: SymbolBind;
  /** st_shndx: 0 for undefined, 0xfff1 for absolute. */
  sectionIndex: number;
}

export interface ElfImage {
  /** e_entry as stored (bit 0 set for a Thumb entry point). Cortex-M resets from the vector table instead. */
  entry: number;
  segments: ElfSegment[];
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Address of a defined symbol (Thumb bit cleared), preferring global over weak over local. */
  symbol(name: string): number | undefined;
  /** Present when the image carries a usable `.debug_line`. */
  lines?: LineTable;
  /** What `.ARM.attributes` says the image is built for; absent when it has no such section. */
  attributes?: ArmAttributes;
}

/** A named span of the target's address space, e.g. flash or SRAM. */
export interface MemoryRegion {
  name: string;
  base: number;
  size: number;
}

// Constants from the ELF specification.
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
/** ARM ELF: the build attributes section (.ARM.attributes). */
export const SHT_ARM_ATTRIBUTES = 0x7000_0003;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

const PT_LOAD = 1;
const ET_EXEC = 2;
const EM_ARM = 40;
const ELF_HEADER_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const SHN_UNDEF = 0;
const SHN_XINDEX = 0xffff;
const PN_XNUM = 0xffff;
const SHF_COMPRESSED = 0x800;

/** Parses and validates an ARM ELF32 executable; throws ElfError for anything it cannot trust. */
export function parseElf(bytes: Uint8Array): ElfImage {
  const file = new FileView(bytes);
  const header = readHeader(file);
  const segments = readSegments(file, header.phoff, programHeaderCount(file, header));
  checkNoOverlap(segments);
  const sectionHeaders = readSectionHeaders(file, header);
  const sections = nameSections(file, sectionHeaders, sectionNameIndex(header, sectionHeaders));
  sectionHeaders.forEach((sh, i) => {
    checkSectionData(file, sh, `section ${i} (${sections[i]!.name})`);
  });
  const symbols = readSymbols(file, sectionHeaders);
  const lines = readLines(file, sectionHeaders, sections);
  const image = makeImage(header.entry, segments, sections, symbols, lines);
  const attributes = readAttributes(file, sectionHeaders);
  if (attributes) image.attributes = attributes;
  return image;
}

/**
 * Refuses an image that does not fit the target: each segment's load range (paddr, fileSize)
 * and run range (vaddr, memSize) must each lie inside one region of the map.
 */
export function checkSegmentsFit(image: Pick<ElfImage, 'segments'>, map: readonly MemoryRegion[]): void {
  for (const s of image.segments) {
    if (s.fileSize > 0 && !insideSomeRegion(s.paddr, s.fileSize, map)) {
      throw new ElfError(`segment ${s.index} at ${hex(s.paddr)} (${s.fileSize} bytes) is outside the memory map (${describeMap(map)})`);
    }
    if (s.memSize > 0 && !insideSomeRegion(s.vaddr, s.memSize, map)) {
      throw new ElfError(`segment ${s.index} runs at ${hex(s.vaddr)} (${s.memSize} bytes), outside the memory map (${describeMap(map)})`);
    }
  }
}

/** 0x-prefixed, eight hex digits: how reports print 32-bit addresses. */
export function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

// --- File access ------------------------------------------------------------------------------

/** Little-endian reads at absolute file offsets; callers bounds-check with `fits` first. */
class FileView {
  readonly view: DataView;
  /** Bytes of strings decoded so far may not exceed this, so overlapping names cannot exhaust memory. */
  stringBudget: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.stringBudget = 4 * bytes.length + 4096;
  }

  get length(): number {
    return this.bytes.length;
  }

  fits(offset: number, size: number): boolean {
    return offset >= 0 && size >= 0 && offset + size <= this.bytes.length;
  }

  u8(offset: number): number {
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }
}

function truncated(what: string, end: number, file: FileView): ElfError {
  return new ElfError(`ELF truncated: ${what} ends at byte ${end} of ${file.length}`);
}

// --- ELF header -------------------------------------------------------------------------------

interface ElfHeader {
  entry: number;
  phoff: number;
  shoff: number;
  phnum: number;
  shnum: number;
  shstrndx: number;
}

const MACHINE_NAMES: Record<number, string> = {
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  40: 'ARM',
  62: 'x86-64',
  83: 'AVR',
  94: 'Xtensa',
  105: 'MSP430',
  183: 'AArch64',
  243: 'RISC-V',
};

const TYPE_NAMES: Record<number, string> = {
  0: 'has no type (ET_NONE)',
  1: 'a relocatable object (ET_REL), not a linked executable',
  3: 'a shared object (ET_DYN), not a linked executable',
  4: 'a core dump (ET_CORE), not a linked executable',
};

/** e_ident and the fixed header fields, checked in the order a person would want to hear about them. */
function readHeader(file: FileView): ElfHeader {
  const b = file.bytes;
  if (b.length < 4 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new ElfError('not an ELF file (bad magic)');
  }
  if (b.length < 16) throw truncated('ELF identification', 16, file);
  const elfClass = b[4];
  if (elfClass === 2) throw new ElfError('ELF is 64-bit; sramlab runs 32-bit ARM images');
  if (elfClass !== 1) throw new ElfError(`ELF class ${elfClass} is invalid (expected 1, 32-bit)`);
  const data = b[5];
  if (data === 2) throw new ElfError('ELF is big-endian; sramlab runs little-endian Cortex-M images');
  if (data !== 1) throw new ElfError(`ELF data encoding ${data} is invalid (expected 1, little-endian)`);
  if (b[6] !== 1) throw new ElfError(`ELF version ${b[6]} is not supported (expected 1)`);
  if (b.length < ELF_HEADER_SIZE) throw truncated('ELF header', ELF_HEADER_SIZE, file);

  const type = file.u16(16);
  const machine = file.u16(18);
  if (machine !== EM_ARM) {
    const name = MACHINE_NAMES[machine];
    throw new ElfError(`ELF machine is ${name ? `${name} (${machine})` : machine}, not ARM (${EM_ARM})`);
  }
  if (type !== ET_EXEC) throw new ElfError(`ELF is ${TYPE_NAMES[type] ?? `of unknown type ${type}`}`);

  const phnum = file.u16(44);
  const shnum = file.u16(48);
  if (phnum > 0 && file.u16(42) !== PHDR_SIZE) {
    throw new ElfError(`ELF program header size is ${file.u16(42)}, expected ${PHDR_SIZE}`);
  }
  if (shnum > 0 && file.u16(46) !== SHDR_SIZE) {
    throw new ElfError(`ELF section header size is ${file.u16(46)}, expected ${SHDR_SIZE}`);
  }
  return {
    entry: file.u32(24),
    phoff: file.u32(28),
    shoff: file.u32(32),
    phnum,
    shnum,
    shstrndx: file.u16(50),
  };
}

// --- Program headers --------------------------------------------------------------------------

/** With 0xffff or more program headers (never, in firmware) the count lives in section 0's sh_info. */
function programHeaderCount(file: FileView, header: ElfHeader): number {
  return header.phnum === PN_XNUM ? (sectionZero(file, header)?.info ?? 0) : header.phnum;
}

function readSegments(file: FileView, phoff: number, phnum: number): ElfSegment[] {
  checkTable(file, 'program header', phoff, phnum, PHDR_SIZE);
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    if (file.u32(at) !== PT_LOAD) continue;
    const segment = readLoadSegment(file, at, i);
    if (segment.memSize > 0 || segment.fileSize > 0) segments.push(segment);
  }
  if (segments.length === 0) throw new ElfError('ELF has no loadable (PT_LOAD) segments');
  return segments;
}

/** Every header of a table must lie inside the file; names the first one that does not. */
function checkTable(file: FileView, what: string, offset: number, count: number, entrySize: number): void {
  if (file.fits(offset, count * entrySize)) return;
  const first = Math.max(0, Math.floor((file.length - offset) / entrySize));
  throw truncated(`${what} ${first}`, offset + (first + 1) * entrySize, file);
}

function readLoadSegment(file: FileView, at: number, index: number): ElfSegment {
  const offset = file.u32(at + 4);
  const vaddr = file.u32(at + 8);
  const paddr = file.u32(at + 12);
  const fileSize = file.u32(at + 16);
  const memSize = file.u32(at + 20);
  const flags = file.u32(at + 24);
  if (fileSize > memSize) {
    throw new ElfError(`segment ${index} stores ${fileSize} bytes but occupies only ${memSize} in memory`);
  }
  if (paddr + fileSize > 2 ** 32 || vaddr + memSize > 2 ** 32) {
    throw new ElfError(`segment ${index} wraps past the end of the 32-bit address space`);
  }
  if (fileSize > 0 && !file.fits(offset, fileSize)) throw truncated(`segment ${index} data`, offset + fileSize, file);
  // A copy, so the image does not pin or alias the file (Buffer.slice would be a view).
  const data = new Uint8Array(file.bytes.subarray(offset, offset + fileSize));
  return { index, vaddr, paddr, memSize, fileSize, flags, data };
}

/** Two segments loading bytes into the same place is a broken link, not something to guess about. */
function checkNoOverlap(segments: ElfSegment[]): void {
  const loaded = segments.filter((s) => s.fileSize > 0).sort((a, b) => a.paddr - b.paddr);
  for (let i = 1; i < loaded.length; i++) {
    const prev = loaded[i - 1]!;
    const next = loaded[i]!;
    if (prev.paddr + prev.fileSize > next.paddr) {
      const [lo, hi] = [prev.index, next.index].sort((a, b) => a - b);
      throw new ElfError(`segments ${lo} and ${hi} overlap at ${hex(next.paddr)}`);
    }
  }
}

// --- Section headers --------------------------------------------------------------------------

interface SectionHeader {
  nameOffset: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  entSize: number;
}

function readSectionHeaders(file: FileView, header: ElfHeader): SectionHeader[] {
  if (header.shoff === 0) return [];
  // Extended numbering: with 0xff00 or more sections the count lives in section 0's sh_size.
  const count = header.shnum === 0 ? (sectionZero(file, header)?.size ?? 0) : header.shnum;
  checkTable(file, 'section header', header.shoff, count, SHDR_SIZE);
  const sections: SectionHeader[] = [];
  for (let i = 0; i < count; i++) sections.push(readSectionHeader(file, header.shoff + i * SHDR_SIZE));
  return sections;
}

/** A section's bytes must lie inside the file; SHT_NOBITS (.bss) and SHT_NULL have none. */
function checkSectionData(file: FileView, sh: SectionHeader, what: string): void {
  if (sh.type !== SHT_NOBITS && sh.type !== SHT_NULL && !file.fits(sh.offset, sh.size)) {
    throw truncated(what, sh.offset + sh.size, file);
  }
}

/** Section header 0, which holds the counts that do not fit the ELF header. */
function sectionZero(file: FileView, header: ElfHeader): SectionHeader | undefined {
  if (header.shoff === 0) return undefined;
  checkTable(file, 'section header', header.shoff, 1, SHDR_SIZE);
  return readSectionHeader(file, header.shoff);
}

function readSectionHeader(file: FileView, at: number): SectionHeader {
  return {
    nameOffset: file.u32(at),
    type: file.u32(at + 4),
    flags: file.u32(at + 8),
    addr: file.u32(at + 12),
    offset: file.u32(at + 16),
    size: file.u32(at + 20),
    link: file.u32(at + 24),
    info: file.u32(at + 28),
    entSize: file.u32(at + 36),
  };
}

/** Index of the section-name string table, or undefined when the image has none. */
function sectionNameIndex(header: ElfHeader, sections: SectionHeader[]): number | undefined {
  const index = header.shstrndx === SHN_XINDEX ? (sections[0]?.link ?? 0) : header.shstrndx;
  if (index === SHN_UNDEF || sections.length === 0) return undefined;
  if (index >= sections.length) {
    throw new ElfError(`section name table index ${index} is out of range (${sections.length} sections)`);
  }
  return index;
}

function nameSections(file: FileView, headers: SectionHeader[], nameTable: number | undefined): ElfSection[] {
  if (nameTable !== undefined) checkSectionData(file, headers[nameTable]!, `section name table (section ${nameTable})`);
  const names = nameTable === undefined ? undefined : sectionBytes(file, headers[nameTable]!);
  return headers.map((sh, i) => ({
    name: names ? readString(file, names, sh.nameOffset, `section ${i} name`, 'the section name table') : '',
    addr: sh.addr,
    size: sh.size,
    type: sh.type,
    flags: sh.flags,
    offset: sh.offset,
  }));
}

function sectionBytes(file: FileView, sh: SectionHeader): Uint8Array {
  if (sh.type === SHT_NOBITS || sh.type === SHT_NULL) return new Uint8Array(0);
  return file.bytes.subarray(sh.offset, sh.offset + sh.size);
}

/** A NUL-terminated string at `offset` of a string table; it must end inside the table. */
function readString(file: FileView, table: Uint8Array, offset: number, what: string, tableName: string): string {
  if (offset >= table.length) {
    if (offset === 0) return ''; // an empty table holds only the empty string
    throw new ElfError(`${what} at offset ${offset} is outside ${tableName} (${table.length} bytes)`);
  }
  const length = table.subarray(offset).indexOf(0);
  if (length < 0) throw new ElfError(`${what} at offset ${offset} runs past the end of ${tableName}`);
  file.stringBudget -= length + 1;
  if (file.stringBudget < 0) throw new ElfError('ELF string tables are larger than the file (overlapping names)');
  return utf8.decode(table.subarray(offset, offset + length));
}

const utf8 = new TextDecoder('utf-8');

// --- Symbols ----------------------------------------------------------------------------------

const SYMBOL_TYPES: Record<number, SymbolType> = {
  0: 'notype',
  1: 'object',
  2: 'func',
  3: 'section',
  4: 'file',
  5: 'common',
  6: 'tls',
};

const SYMBOL_BINDS: Record<number, SymbolBind> = { 0: 'local', 1: 'global', 2: 'weak' };

/** The .symtab entries (a linked image has at most one SHT_SYMTAB), without the null entry 0. */
function readSymbols(file: FileView, headers: SectionHeader[]): ElfSymbol[] {
  const index = headers.findIndex((sh) => sh.type === SHT_SYMTAB);
  if (index < 0) return [];
  const symtab = headers[index]!;
  if (symtab.entSize !== SYM_SIZE) {
    throw new ElfError(`symbol table entry size is ${symtab.entSize}, expected ${SYM_SIZE}`);
  }
  if (symtab.size % SYM_SIZE !== 0) {
    throw new ElfError(`symbol table size ${symtab.size} is not a multiple of ${SYM_SIZE}`);
  }
  const strtab = headers[symtab.link];
  if (strtab === undefined || strtab.type !== SHT_STRTAB) {
    throw new ElfError(`symbol table's string table (section ${symtab.link}) is missing`);
  }
  const names = sectionBytes(file, strtab);
  const symbols: ElfSymbol[] = [];
  for (let i = 1; i < symtab.size / SYM_SIZE; i++) {
    symbols.push(readSymbol(file, symtab.offset + i * SYM_SIZE, names, i));
  }
  return symbols;
}

function readSymbol(file: FileView, at: number, names: Uint8Array, index: number): ElfSymbol {
  const value = file.u32(at + 4);
  const info = file.u8(at + 12);
  const type = SYMBOL_TYPES[info & 0xf] ?? 'other';
  return {
    name: readString(file, names, file.u32(at), `symbol ${index} name`, 'the symbol string table'),
    value,
    // ARM ELF: bit 0 of a function's value marks Thumb code; it is not part of the address.
    address: type === 'func' ? (value & ~1) >>> 0 : value,
    size: file.u32(at + 8),
    type,
    bind: SYMBOL_BINDS[info >> 4] ?? 'other',
    sectionIndex: file.u16(at + 14),
  };
}

// --- Image ------------------------------------------------------------------------------------

/** Line info is optional: anything short of a clean .debug_line just means no source lines. */
function readLines(file: FileView, headers: SectionHeader[], sections: ElfSection[]): LineTable | undefined {
  const find = (name: string): Uint8Array | undefined => {
    const i = sections.findIndex((s) => s.name === name);
    const sh = headers[i];
    // Compressed sections would need zlib; a report without lines is better than a refusal.
    if (sh === undefined || sh.flags & SHF_COMPRESSED) return undefined;
    return sectionBytes(file, sh);
  };
  const debugLine = find('.debug_line');
  if (debugLine === undefined) return undefined;
  return parseDebugLine({ debugLine, debugLineStr: find('.debug_line_str'), debugStr: find('.debug_str') });
}

/** The build attributes, when the image has them. Unlike debug info they decide whether it runs, so a broken section is refused. */
function readAttributes(file: FileView, headers: SectionHeader[]): ArmAttributes | undefined {
  const index = headers.findIndex((sh) => sh.type === SHT_ARM_ATTRIBUTES);
  if (index < 0) return undefined;
  try {
    return parseArmAttributes(sectionBytes(file, headers[index]!));
  } catch (e) {
    if (e instanceof AttributesError) throw new ElfError(`.ARM.attributes (section ${index}): ${e.message}`);
    throw e;
  }
}

function makeImage(
  entry: number,
  segments: ElfSegment[],
  sections: ElfSection[],
  symbols: ElfSymbol[],
  lines: LineTable | undefined,
): ElfImage {
  const byName = definedSymbolsByName(symbols);
  const image: ElfImage = {
    entry,
    segments,
    sections,
    symbols,
    symbol: (name) => byName.get(name)?.address,
  };
  if (lines) image.lines = lines;
  return image;
}

const BIND_PREFERENCE: Record<SymbolBind, number> = { global: 0, weak: 1, local: 2, other: 3 };

/** Name → symbol, skipping undefined references; a global beats a weak beats a local of the same name. */
export function definedSymbolsByName(symbols: readonly ElfSymbol[]): Map<string, ElfSymbol> {
  const byName = new Map<string, ElfSymbol>();
  for (const s of symbols) {
    if (s.name === '' || s.sectionIndex === SHN_UNDEF || s.type === 'section' || s.type === 'file') continue;
    const seen = byName.get(s.name);
    if (seen === undefined || BIND_PREFERENCE[s.bind] < BIND_PREFERENCE[seen.bind]) byName.set(s.name, s);
  }
  return byName;
}

// --- Memory map -------------------------------------------------------------------------------

function insideSomeRegion(start: number, size: number, map: readonly MemoryRegion[]): boolean {
  return map.some((r) => start >= r.base && start + size <= r.base + r.size);
}

function describeMap(map: readonly MemoryRegion[]): string {
  return map.map((r) => `${r.name} ${hex(r.base)}–${hex(r.base + r.size - 1)}`).join(', ');
}
