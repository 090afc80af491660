// The stack, drawn beside the heap: a bar from __stack_top (high addresses, where SP starts)
// down to __stack_limit (which link.ld puts at the heap's end), filled as deep as the
// allocator's calls have pushed it, with SP, the deepest SP (the peak) and the limit marked —
// and, when SP went below the limit, the row where it crossed into the heap.

import type { Session } from '../checks/session.ts';
import { hex } from '../emulator/elf.ts';

export interface StackState {
  /** __stack_top: SP at reset; the stack grows down from here. */
  top: number;
  /** __stack_limit: SP may never go below it. */
  limit: number;
  /** SP now (after the operation, or where a call stopped). */
  sp: number;
  /** The lowest SP any allocator call reached (top when none took any stack). */
  deepest: number;
}

/** The stack of a session now: the stack rule's SP when it broke, else the peak measured per call. */
export function stackState(s: Session): StackState {
  const { stackTop: top, stackLimit: limit } = s.image.layout;
  const v = s.violation;
  const entry = s.image.entrySP ?? top;
  const sp = s.image.machine.cpu.sp;
  let deepest = Math.min(entry, top) - s.peakStackBytes;
  if (v?.rule === 'stack' && v.address !== undefined) deepest = Math.min(deepest, v.address);
  return { top, limit, sp: sp <= top && sp >= limit - 4096 ? sp : entry, deepest: Math.max(0, deepest) };
}

export type StackPaint = (kind: 'used' | 'free' | 'crossed', text: string) => string;

/**
 * Lines of at most 24 columns: a heading, then `rows` rows of the bar from the top down (each
 * (top − limit) / rows bytes; a row is filled when the deepest SP reached into it), the limit
 * line, and a row in the heap when SP crossed it.
 */
export function renderStack(st: StackState, rows = 8, paint: StackPaint = (_k, t) => t): string[] {
  const size = st.top - st.limit;
  const rowBytes = size / rows;
  const rowOf = (a: number) => Math.min(rows - 1, Math.floor((st.top - a - 1) / rowBytes));
  const used = st.top - Math.max(st.deepest, st.limit);
  const lines = [`stack ${kib(size)}, grows down`, `${hex(st.top)} top${st.sp === st.top ? ' ◄ SP' : ''}`];
  const spRow = st.sp >= st.limit && st.sp < st.top ? rowOf(st.sp) : -1;
  const peakRow = st.deepest < st.top ? rowOf(Math.max(st.deepest, st.limit)) : -1;
  for (let i = 0; i < rows; i++) {
    const filled = used > 0 && i <= peakRow;
    const bar = `│${paint(filled ? 'used' : 'free', filled ? '██' : '  ')}│`;
    // Past the limit the whole stack is in use (the peak is the crossing, drawn below the bar).
    const peak = st.deepest < st.limit ? 'full' : `peak ${used} B`;
    const marks = [i === spRow ? 'SP' : '', i === peakRow ? peak : ''].filter(Boolean).join(', ');
    lines.push(`  ${bar}${marks ? ` ◄ ${marks}` : ''}`);
  }
  lines.push(`${hex(st.limit)} limit`);
  if (st.deepest < st.limit)
    lines.push(paint('crossed', `!! SP ${hex(st.deepest)}`), paint('crossed', `   ${st.limit - st.deepest} B below the limit`));
  return lines;
}

function kib(n: number): string {
  return n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

/** Two columns of lines: `left` padded to its widest line (as displayed), then two spaces, then `right`. */
export function besideEachOther(left: string[], right: string[], width: (s: string) => number): string[] {
  const w = Math.max(0, ...left.map(width));
  const n = Math.max(left.length, right.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = left[i] ?? '';
    const r = right[i];
    out.push(r === undefined ? l : l + ' '.repeat(w - width(l) + 2) + r);
  }
  return out;
}
