// Which ARMv6-M row of the encoding table an instruction belongs to, for labelling and
// checking golden cases (the most specific matching row, as the architecture's tables read).

import { type CompiledEncoding, compile, extractFields } from '../../emulator/isa/decoder.ts';
import { ENCODINGS } from '../../emulator/isa/encodings.ts';
import type { Insn } from '../support/thumb.ts';

export const V6M_ROWS: readonly CompiledEncoding[] = ENCODINGS.filter((e) => e.arch === 'v6m').map(compile);

export interface RowMatch {
  /** Row name, or undefined when no ARMv6-M row matches (UNDEFINED). */
  row: string | undefined;
  /** The row's UNPREDICTABLE rule holds for these fields. */
  unpredictable: boolean;
}

export function classify(insn: Insn): RowMatch {
  const wide = typeof insn !== 'number';
  const word = wide ? ((insn[0] << 16) | insn[1]) >>> 0 : insn;
  const hits = V6M_ROWS.filter((r) => (r.width === 32) === wide && (word & r.mask) >>> 0 === r.value);
  if (hits.length === 0) return { row: undefined, unpredictable: false };
  const best = hits.reduce((a, b) => (b.fixed > a.fixed ? b : a));
  return { row: best.enc.name, unpredictable: best.enc.unpredictable?.(extractFields(best, word)) ?? false };
}

/** The instruction starting at halfword index k of some code. */
export function insnAt(hw: readonly number[], k: number): Insn {
  return hw[k] >>> 11 >= 0b11101 ? [hw[k], hw[k + 1]] : hw[k];
}
