// Disassembly for reports and traces, from the same table the decoder uses.

import type { Arch } from '../profiles.ts';
import { decode32, decodeTables, extractFields } from './decoder.ts';
import { is32bit, SYSM_NAMES } from './encodings.ts';

const REG = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];
const HINTS = ['nop', 'yield', 'wfe', 'wfi', 'sev'];

const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
const regList = (bits: number, extra?: string): string => {
  const names = REG.slice(0, 8).filter((_, k) => (bits >>> k) & 1);
  if (extra) names.push(extra);
  return '{' + names.join(', ') + '}';
};
const signExtend = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

/**
 * Disassembles one instruction: `word` is a halfword, or hw1 << 16 | hw2 for a 32-bit one.
 * Encodings that are UNDEFINED for the architecture come out as "undefined 0x…".
 */
export function disassemble(arch: Arch, word: number, pc: number): string {
  const t = decodeTables(arch);
  const wide = word > 0xffff;
  if (!wide && is32bit(word)) return `(first half of a 32-bit instruction) ${hex(word)}`;
  const row = wide ? decode32(t, word >>> 16, word & 0xffff) : t.rows16[word];
  if (!row) return `undefined ${hex(word)}`;
  const f = extractFields(row, word);
  return row.enc.asm.replace(/\{(\w+)\}/g, (_, key: string) => field(key, f, pc));
}

function field(key: string, f: Record<string, number>, pc: number): string {
  switch (key) {
    case 'rdD': return REG[(f.D << 3) | f.d];
    case 'rnN': return REG[(f.N << 3) | f.n];
    case 'i32': return String(f.i === 0 ? 32 : f.i);
    case 'i4': return String(f.i * 4);
    case 'i2': return String(f.i * 2);
    case 'l': return regList(f.l);
    case 'lM': return regList(f.l, f.M ? 'lr' : undefined);
    case 'lP': return regList(f.l, f.P ? 'pc' : undefined);
    case 'wb': return (f.l >>> f.n) & 1 ? '' : '!';
    case 'cond': return COND[f.c];
    case 'ie': return f.m ? 'id' : 'ie';
    case 'hint': return HINTS[f.h] ?? `hint #${f.h}`;
    case 'sysm': return SYSM_NAMES[f.s] ?? `sysm${f.s}`;
    case 'ij': return String((f.i << 12) | f.j);
    case 'target8': return hex(pc + 4 + signExtend(f.i << 1, 9));
    case 'target11': return hex(pc + 4 + signExtend(f.i << 1, 12));
    case 'targetBL': {
      const i1 = ~(f.A ^ f.S) & 1, i2 = ~(f.B ^ f.S) & 1;
      const imm = (f.S << 24) | (i1 << 23) | (i2 << 22) | (f.j << 12) | (f.k << 1);
      return hex(pc + 4 + signExtend(imm, 25));
    }
  }
  if (key.length === 2 && key[0] === 'r' && key[1] in f) return REG[f[key[1]]];
  if (key in f) return String(f[key]);
  return `{${key}}`;
}
