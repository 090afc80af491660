// What each byte of the heap array is at one moment, as a learner would want to see it: the
// live blocks the host holds (with the operation that made each), the allocator's metadata
// (its headers and free lists), free bytes, bytes nobody ever wrote, and where a check broke.
//
// HeapTracker watches stores as a bus checker and keeps one byte of flags per heap byte, so
// it costs a subtraction and a compare on every access outside the heap. heapMap() turns that,
// plus the session's live blocks, into spans that a terminal grid (renderHeapMap below) or a
// web page draws.

import type { Block, OperationEvent, Session } from '../checks/session.ts';
import type { Checker } from '../emulator/bus.ts';
import { hex } from '../emulator/elf.ts';

export type SpanKind = 'live' | 'metadata' | 'free' | 'untouched' | 'violation';

export interface HeapSpan {
  /** [start, end): addresses. */
  start: number;
  end: number;
  kind: SpanKind;
  /** live: 1-based operation number that made the block. */
  op?: number;
  /** live: the call that made the block, e.g. "alloc(24, 8)"; violation: the rule and message. */
  label?: string;
}

export interface HeapMap {
  /** The heap in use: what sl_init was given. */
  heapStart: number;
  heapEnd: number;
  /** Sorted, contiguous and disjoint, covering [heapStart, heapEnd). */
  spans: HeapSpan[];
  /** The operation the map is after (0: after sl_init). */
  operation: number;
  /** The first broken rule, when it broke inside the heap or outside it. */
  violation?: { rule: string; message: string; address?: number; size?: number };
}

/** Flag bits per heap byte. WRITTEN: anyone ever stored there. BY_ALLOCATOR: the last store there was allocator code's. */
const WRITTEN = 1;
const BY_ALLOCATOR = 2;

/**
 * Records, per byte of the image's heap region, whether anyone ever wrote it and whether the
 * last writer was allocator code. The host's fill of a new block (done without the bus) counts
 * as a user write, so a header later overwritten by user data stops being metadata; a header
 * the allocator merged away but never overwrote stays metadata — it is still what the
 * allocator last put there. Stores made by largestBlock()'s probes are ignored: the host
 * rolls SRAM back after them.
 */
export class HeapTracker {
  readonly regionStart: number;
  readonly regionEnd: number;
  private readonly flags: Uint8Array;
  /** What made each live block, by operation number, for span labels. */
  private readonly made = new Map<number, string>();
  private readonly checker: Checker;
  private readonly stopListening: () => void;

  /** Installs itself on the session's machine; make it before sl_init to see what init writes. */
  constructor(private readonly session: Session) {
    const { heapRegion, code } = session.image.layout;
    this.regionStart = heapRegion.start >>> 0;
    this.regionEnd = heapRegion.end >>> 0;
    this.flags = new Uint8Array(this.regionEnd - this.regionStart);
    this.checker = this.makeChecker(code.start >>> 0, (code.end - code.start) >>> 0);
    session.image.machine.addChecker(this.checker);
    this.stopListening = session.onOperation((e) => this.onOperation(e));
  }

  detach(): void {
    this.session.image.machine.removeChecker(this.checker);
    this.stopListening();
  }

  private makeChecker(codeStart: number, codeLen: number): Checker {
    const flags = this.flags,
      start = this.regionStart,
      len = flags.length,
      session = this.session;
    return (pc, address, size, kind) => {
      const o = (address - start) >>> 0;
      if (kind !== 'store' || o >= len || session.probing) return;
      const f = (pc - codeStart) >>> 0 < codeLen ? WRITTEN | BY_ALLOCATOR : WRITTEN;
      flags.fill(f, o, Math.min(o + size, len));
    };
  }

  private onOperation(e: OperationEvent): void {
    // A block given back holds the host's pattern, even one adopted from an ISR (no event made it).
    if (e.phase === 'start' && e.block) this.userWrote(e.block);
    if (e.phase !== 'end') return;
    if (e.block && e.block.op !== undefined && (e.kind === 'dealloc' || e.result)) this.made.delete(e.block.op);
    if (e.result) {
      this.userWrote(e.result);
      this.made.set(e.result.op!, callOf(e));
    }
  }

  /** The host filled a block with its pattern: those bytes are user data now. */
  private userWrote(b: Block): void {
    const o = b.ptr - this.regionStart;
    if (o < 0 || o >= this.flags.length) return;
    this.flags.fill(WRITTEN, o, Math.min(o + b.size, this.flags.length));
  }

  /** The call that made a live block ("alloc(24, 8)"), if this tracker saw it. */
  madeBy(op: number): string | undefined {
    return this.made.get(op);
  }

  /** Was the byte at this address ever written? Did allocator code write it last? */
  written(address: number): boolean {
    return (this.flagsAt(address) & WRITTEN) !== 0;
  }
  byAllocator(address: number): boolean {
    return (this.flagsAt(address) & BY_ALLOCATOR) !== 0;
  }

  private flagsAt(address: number): number {
    const o = address - this.regionStart;
    return o >= 0 && o < this.flags.length ? this.flags[o]! : 0;
  }

  /** The non-live kind of the byte at an address: metadata, free or untouched. */
  kindAt(address: number): 'metadata' | 'free' | 'untouched' {
    const f = this.flagsAt(address);
    return f & BY_ALLOCATOR ? 'metadata' : f & WRITTEN ? 'free' : 'untouched';
  }
}

/** "alloc(24, 8)", "realloc(0x20001010, 24 → 200)": the call an operation made, in C terms. */
export function callOf(e: OperationEvent): string {
  switch (e.kind) {
    case 'init':
      return `sl_init(heap, ${e.size})`;
    case 'alloc':
      return `alloc(${e.size}, ${e.align})`;
    case 'dealloc':
      return `dealloc(${hex(e.ptr!)}, ${e.size}, ${e.align})`;
    case 'realloc':
      return `realloc(${hex(e.ptr!)}, ${e.size} → ${e.newSize})`;
  }
}

/** One line for an operation that ended: "op 3: alloc(24, 8) → 0x20001010", naming the block a free gave back. */
export function describeOperation(e: OperationEvent): string {
  const made = e.block?.op !== undefined ? ` (the block op ${e.block.op} made)` : '';
  const result = e.result === undefined ? '' : e.result === null ? ' → NULL' : ` → ${hex(e.result.ptr)}`;
  return `op ${e.number}: ${callOf(e)}${result}${e.kind === 'dealloc' ? made : ''}`;
}

/** The heap in use, span by span, as the tracker and the session's live blocks say. */
export function heapMap(session: Session, tracker: HeapTracker): HeapMap {
  const { start, end } = session.heap;
  const spans: HeapSpan[] = [];
  let cursor = start;
  for (const b of liveBlocksByAddress(session, start, end)) {
    pushTracked(spans, tracker, cursor, b.ptr);
    const from = Math.max(b.ptr, cursor),
      to = Math.min(b.ptr + b.size, end);
    if (to > from)
      spans.push({
        start: from,
        end: to,
        kind: 'live',
        op: b.op,
        label: b.op !== undefined ? tracker.madeBy(b.op) : 'adopted from an ISR',
      });
    cursor = Math.max(cursor, to);
  }
  pushTracked(spans, tracker, cursor, end);
  const map: HeapMap = { heapStart: start, heapEnd: end, spans, operation: session.operations };
  const v = session.violation;
  if (v) {
    map.violation = { rule: v.rule, message: v.message, address: v.address, size: v.size };
    if (v.address !== undefined) {
      const label = `${v.rule}: ${v.message}`;
      map.spans = overlay(spans, { start: v.address, end: v.address + Math.max(v.size ?? 1, 1), kind: 'violation', label }, start, end);
    }
  }
  return map;
}

/** Live blocks that have bytes inside [start, end), by address. */
function liveBlocksByAddress(session: Session, start: number, end: number): Block[] {
  return [...session.live.values()].filter((b) => b.size > 0 && b.ptr < end && b.ptr + b.size > start).sort((a, b) => a.ptr - b.ptr);
}

/** Appends [from, to) as runs of metadata / free / untouched, from the tracker's flags. */
function pushTracked(spans: HeapSpan[], tracker: HeapTracker, from: number, to: number): void {
  let runStart = from;
  for (let a = from; a < to; a++) {
    const kind = tracker.kindAt(a);
    if (a + 1 === to || tracker.kindAt(a + 1) !== kind) {
      spans.push({ start: runStart, end: a + 1, kind });
      runStart = a + 1;
    }
  }
}

/** Lays one span over a span list, clipped to [lo, hi): what it covers is cut out of the others. */
function overlay(spans: HeapSpan[], top: HeapSpan, lo: number, hi: number): HeapSpan[] {
  const s = Math.max(top.start, lo),
    e = Math.min(top.end, hi);
  if (e <= s) return spans;
  const out: HeapSpan[] = [];
  for (const x of spans) {
    if (x.end <= s || x.start >= e) {
      out.push(x);
      continue;
    }
    if (x.start < s) out.push({ ...x, end: s });
    if (x.start <= s && s < x.end) out.push({ ...top, start: s, end: e });
    if (x.end > e) out.push({ ...x, start: e });
  }
  return out;
}

// ---- the terminal grid ----------------------------------------------------------------------

export interface HeapGridOptions {
  /** Bytes per character cell (default: a power of two from 4 up that keeps the grid ≤ 32 rows). */
  cellBytes?: number;
  /** Cells per row (default 64). */
  columns?: number;
  /** Colours a piece of text by kind (the CLI passes chalk on a terminal); identity by default. */
  paint?: (kind: SpanKind, text: string) => string;
  /** Most live blocks listed under the grid (default 26). */
  maxBlocks?: number;
  /** Print the legend line (default true; a sequence of maps needs it once). */
  legend?: boolean;
  /** Fold runs of COLLAPSE_MIN or more never-written rows into one line (default true). */
  collapse?: boolean;
}

const GLYPH: Record<Exclude<SpanKind, 'live'>, string> = { metadata: '#', free: '-', untouched: '·', violation: '!' };
const BLOCK_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** A block adopted from an ISR has no operation number, so no letter of its own. */
const ADOPTED_LETTER = '@';
const COLLAPSE_MIN = 3;
/**
 * Which kind a cell shows: bytes in use (live, metadata) win over bytes not in use (free,
 * untouched), so a 1-byte block or a 4-byte header is never hidden by the padding beside it;
 * within each pair the kind with more bytes wins, ties going to the first listed.
 */
const IN_USE: readonly SpanKind[] = ['metadata', 'live'];
const NOT_IN_USE: readonly SpanKind[] = ['free', 'untouched'];
const MAX_ROWS = 32;

/** Bytes per cell: the smallest power of two ≥ 4 that fits the heap in MAX_ROWS rows. */
export function defaultCellBytes(heapBytes: number, columns = 64): number {
  let cell = 4;
  while (Math.ceil(heapBytes / (cell * columns)) > MAX_ROWS) cell *= 2;
  return cell;
}

/**
 * The heap as a grid, lowest address top left: one character per cellBytes, `columns` a row,
 * so lengths on screen are proportional to bytes. A live block is drawn with its own letter
 * (listed under the grid with its operation); what a shared cell shows is in IN_USE's comment,
 * and a violation always shows.
 */
export function renderHeapMap(map: HeapMap, opts: HeapGridOptions = {}): string[] {
  const columns = opts.columns ?? 64;
  const size = map.heapEnd - map.heapStart;
  const cell = opts.cellBytes ?? defaultCellBytes(size, columns);
  const paint = opts.paint ?? ((_k: SpanKind, t: string) => t);
  const rowBytes = cell * columns;
  const lines = [
    `heap ${hex(map.heapStart)}–${hex(map.heapEnd - 1)}, ${bytes(size)}: ${columns} cells a row, 1 cell = ${cell} B, 1 row = ${bytes(rowBytes)}`,
  ];
  const cursor = { index: 0 };
  const rows: { start: number; kinds: SpanKind[]; text: string }[] = [];
  for (let row = map.heapStart; row < map.heapEnd; row += rowBytes) {
    const kinds: SpanKind[] = [];
    let text = '';
    for (let c = row; c < Math.min(row + rowBytes, map.heapEnd); c += cell) {
      const { kind, span } = cellContent(map.spans, cursor, c, Math.min(c + cell, map.heapEnd));
      kinds.push(kind);
      text += paint(kind, kind === 'live' ? letterOf(span!) : GLYPH[kind]);
    }
    rows.push({ start: row, kinds, text });
  }
  const blank = (r: { kinds: SpanKind[] }) => r.kinds.every((k) => k === 'untouched');
  for (let i = 0; i < rows.length; i++) {
    let j = i;
    while (opts.collapse !== false && j < rows.length && blank(rows[j]!)) j++;
    if (j - i >= COLLAPSE_MIN) {
      const end = Math.min(rows[j - 1]!.start + rowBytes, map.heapEnd);
      const r = rows[i]!;
      lines.push(
        `${hex(r.start)} +${(r.start - map.heapStart).toString(16).padStart(5, '0')} ⋮ ${paint('untouched', `${j - i} rows never written (${bytes(end - r.start)})`)}`,
      );
      i = j - 1;
      continue;
    }
    const r = rows[i]!;
    lines.push(`${hex(r.start)} +${(r.start - map.heapStart).toString(16).padStart(5, '0')} │${r.text}│`);
  }
  lines.push(...summaryLines(map, paint, opts.maxBlocks ?? 26, opts.legend ?? true));
  return lines;
}

/**
 * A live block's letter comes from the operation that made it (op 1 is a, op 27 is A, op 53 is
 * a again), so a block keeps its letter from one --step map to the next.
 */
function letterOf(span: HeapSpan): string {
  return span.op === undefined ? ADOPTED_LETTER : BLOCK_LETTERS[(span.op - 1) % BLOCK_LETTERS.length]!;
}

/**
 * What one cell [from, to) shows: bytes per kind over the spans it covers (spans are sorted,
 * so a cursor walks them once for the whole grid), and for live, the block with most bytes.
 */
function cellContent(spans: readonly HeapSpan[], cursor: { index: number }, from: number, to: number): { kind: SpanKind; span?: HeapSpan } {
  while (cursor.index < spans.length && spans[cursor.index]!.end <= from) cursor.index++;
  const count = new Map<SpanKind, number>();
  let best: HeapSpan | undefined,
    bestBytes = 0;
  for (let k = cursor.index; k < spans.length && spans[k]!.start < to; k++) {
    const s = spans[k]!;
    const n = Math.min(s.end, to) - Math.max(s.start, from);
    count.set(s.kind, (count.get(s.kind) ?? 0) + n);
    if (s.kind === 'live' && n > bestBytes) {
      best = s;
      bestBytes = n;
    }
  }
  if (count.has('violation')) return { kind: 'violation' };
  const kind = mostBytes(IN_USE, count) ?? mostBytes(NOT_IN_USE, count) ?? 'untouched';
  return kind === 'live' ? { kind, span: best } : { kind };
}

/** Of these kinds, the one with most bytes in the cell (the first on a tie), or undefined when none is there. */
function mostBytes(kinds: readonly SpanKind[], count: ReadonlyMap<SpanKind, number>): SpanKind | undefined {
  let kind: SpanKind | undefined,
    most = 0;
  for (const k of kinds) {
    const n = count.get(k) ?? 0;
    if (n > most) {
      kind = k;
      most = n;
    }
  }
  return kind;
}

/** Bytes of each kind, the legend, the live blocks with the operation that made each, the violation. */
function summaryLines(map: HeapMap, paint: NonNullable<HeapGridOptions['paint']>, maxBlocks: number, legend: boolean): string[] {
  const total = (k: SpanKind) => map.spans.filter((s) => s.kind === k).reduce((n, s) => n + s.end - s.start, 0);
  const live = map.spans.filter((s) => s.kind === 'live');
  const lines = [
    `live ${bytes(total('live'))} in ${live.length} block${live.length === 1 ? '' : 's'} · metadata ${bytes(total('metadata'))} · ` +
      `free ${bytes(total('free'))} · untouched ${bytes(total('untouched'))}` +
      (total('violation') ? ` · violation ${bytes(total('violation'))}` : ''),
  ];
  if (legend) {
    // Two lines of at most 80 columns.
    lines.push(
      `legend: ${paint('live', 'a')}–${paint('live', 'Z')} a live block, lettered by the op that made it (op 1 = a)`,
      `        ${paint('metadata', '#')} allocator metadata  ${paint('free', '-')} free (no block)  ${paint('untouched', '·')} never written  ${paint('violation', '!')} violation`,
    );
  }
  for (const s of live.slice(0, maxBlocks)) {
    const made = [s.op !== undefined ? `op ${s.op}` : '', s.label ?? ''].filter(Boolean).join(' ');
    lines.push(`  ${paint('live', letterOf(s))} ${hex(s.start)} ${bytes(s.end - s.start).padStart(8)}  ${made}`);
  }
  if (live.length > maxBlocks) lines.push(`  … and ${live.length - maxBlocks} more live blocks`);
  const v = map.violation;
  if (v) {
    const inside = v.address !== undefined && v.address < map.heapEnd && v.address + Math.max(v.size ?? 1, 1) > map.heapStart;
    const where =
      v.address === undefined ? '' : ` at ${hex(v.address)}${v.size ? ` (${v.size} B)` : ''}${inside ? '' : ', outside the heap'}`;
    lines.push(`${paint('violation', '!')} ${v.rule}${where}: ${v.message}`);
  }
  return lines;
}

/** "736 B", "24 KiB", "3.25 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const k = n / 1024;
  return `${Number.isInteger(k) ? k : Number(k.toFixed(2))} KiB`;
}
