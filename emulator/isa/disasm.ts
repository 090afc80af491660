// Disassembly for reports and traces, from the same table the decoder uses.

import type { Arch } from '../profiles.ts';
import { decode32, decodeTables, extractFields } from './decoder.ts';
import { is32bit, SYSM_NAMES } from './encodings.ts';

const REG = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'];
const COND = ['eq', 'ne', 'cs', 'cc', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', '', ''];
const HINTS = ['nop', 'yield', 'wfe', 'wfi', 'sev'];

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const regList = (bits: number, extra?: string): string => {
  const names = REG.slice(0, 8).filter((_, k) => (bits >>> k) & 1);
  if (extra) names.push(extra);
  return `{${names.join(', ')}}`;
};
const signExtend = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);

/**
 * Disassembles one instruction: `word` is a halfword, or hw1 << 16 | hw2 for a 32-bit one.
 * An encoding UNDEFINED for the architecture but defined in a later M-profile one comes out
 * as that instruction, marked ("mov.w r1, #2048  ; ARMv7-M, UNDEFINED on ARMv6-M"), so a
 * fault report shows what the image meant; one that no profile defines as GNU objdump
 * prints words it cannot decode, ".inst.w 0x…  ; UNDEFINED".
 */
export function disassemble(arch: Arch, word: number, pc: number): string {
  const wide = word > 0xffff;
  if (!wide && is32bit(word)) return `(first half of a 32-bit instruction) ${hex(word)}`;
  const text = decodeText(arch, word, pc);
  if (text !== undefined) return text;
  for (const later of LATER[arch]) {
    const meant = decodeText(later, word, pc);
    if (meant !== undefined) return `${meant}  ; ${ARCH_NAMES[later]}, UNDEFINED on ${ARCH_NAMES[arch]}`;
  }
  return `.inst${wide ? '.w' : '.n'} ${hex(word)}  ; UNDEFINED`;
}

const ARCH_NAMES: Record<Arch, string> = { v6m: 'ARMv6-M', v7m: 'ARMv7-M', v7em: 'ARMv7E-M' };
/** The architectures that extend each one, nearest first. */
const LATER: Record<Arch, Arch[]> = { v6m: ['v7m', 'v7em'], v7m: ['v7em'], v7em: [] };

function decodeText(arch: Arch, word: number, pc: number): string | undefined {
  const t = decodeTables(arch);
  const row = word > 0xffff ? decode32(t, word >>> 16, word & 0xffff) : t.rows16[word];
  if (!row) return undefined;
  const f = extractFields(row, word);
  return row.enc.asm.replace(/\{(\w+)\}/g, (_, key: string) => field(key, f, pc));
}

function field(key: string, f: Record<string, number>, pc: number): string {
  switch (key) {
    case 'rdD':
      return REG[(f.D << 3) | f.d];
    case 'rnN':
      return REG[(f.N << 3) | f.n];
    case 'i32':
      return String(f.i === 0 ? 32 : f.i);
    case 'i4':
      return String(f.i * 4);
    case 'i2':
      return String(f.i * 2);
    case 'l':
      return regList(f.l);
    case 'lM':
      return regList(f.l, f.M ? 'lr' : undefined);
    case 'lP':
      return regList(f.l, f.P ? 'pc' : undefined);
    case 'wb':
      return (f.l >>> f.n) & 1 ? '' : '!';
    case 'cond':
      return COND[f.c];
    case 'ie':
      return f.m ? 'id' : 'ie';
    case 'hint':
      return HINTS[f.h] ?? `hint #${f.h}`;
    case 'sysm':
      return SYSM_NAMES[f.s] ?? `sysm${f.s}`;
    case 'ij':
      return String((f.i << 12) | f.j);
    case 'target8':
      return hex(pc + 4 + signExtend(f.i << 1, 9));
    case 'target11':
      return hex(pc + 4 + signExtend(f.i << 1, 12));
    // ---- ARMv7-M templates (encodings-v7m.ts) ----
    case 'sf':
      return f.S ? 's' : '';
    case 'mi':
      return `#${hex(thumbExpandImm(f.i))}`;
    case 'sh':
      return shiftSuffix(f.y, f.i);
    case 'movsh': {
      const s = f.S ? 's' : '';
      if (f.y === 0 && f.i === 0) return `mov${s}.w ${REG[f.d]}, ${REG[f.m]}`;
      if (f.y === 3 && f.i === 0) return `rrx${s} ${REG[f.d]}, ${REG[f.m]}`;
      return `${SHIFTS[f.y]}${s}.w ${REG[f.d]}, ${REG[f.m]}, #${f.i === 0 ? 32 : f.i}`;
    }
    case 'shreg':
      return SHIFTS[f.y];
    case 'ji':
      return String((f.j << 12) | f.i);
    case 'adrAdd':
      return hex(((pc + 4) & ~3) + f.i);
    case 'adrSub':
      return hex(((pc + 4) & ~3) - f.i);
    case 'sat1':
      return String(f.k + 1);
    case 'ssh':
      return f.h ? `, asr #${f.i}` : f.i ? `, lsl #${f.i}` : '';
    case 'w1':
      return String(f.w + 1);
    case 'bfw':
      return String(f.k - f.i + 1);
    case 'pkh':
      return f.b ? 'tb' : 'bt';
    case 'pks':
      return f.b ? `, asr #${f.i === 0 ? 32 : f.i}` : f.i ? `, lsl #${f.i}` : '';
    case 'ror':
      return f.r ? `, ror #${8 * f.r}` : '';
    case 'par':
      return PARALLEL[f.o] ?? `?${f.o}`;
    case 'xy':
      return (f.N ? 't' : 'b') + (f.M ? 't' : 'b');
    case 'x':
      return f.X ? 'x' : '';
    case 'y':
      return f.M ? 't' : 'b';
    case 'R':
      return f.R ? 'r' : '';
    case 'L':
      return regList16(((f.P ?? 0) << 15) | ((f.M ?? 0) << 14) | f.l);
    case 'wb1':
      return f.W ? '!' : '';
    case 'am8':
      return addressing(f, f.i);
    case 'am8x4':
      return addressing(f, 4 * f.i);
    case 'lsl2':
      return f.i ? `, lsl #${f.i}` : '';
    case 'lit12':
      return `[pc, #${f.U ? '' : '-'}${f.i}]`;
    case 'lit8x4':
      return `[pc, #${f.U ? '' : '-'}${4 * f.i}]`;
    case 'tT3': {
      const imm = (f.S << 20) | (f.B << 19) | (f.A << 18) | (f.j << 12) | (f.k << 1);
      return hex(pc + 4 + signExtend(imm, 21));
    }
    case 'tT4': {
      const i1 = ~(f.A ^ f.S) & 1,
        i2 = ~(f.B ^ f.S) & 1;
      const imm = (f.S << 24) | (i1 << 23) | (i2 << 22) | (f.j << 12) | (f.k << 1);
      return hex(pc + 4 + signExtend(imm, 25));
    }
    case 'tCB':
      return hex(pc + 4 + (f.i << 1));
    case 'cbnz':
      return f.o ? 'n' : '';
    case 'itm': {
      // mask bits above the terminating 1 say t (same as firstcond<0>) or e.
      let out = '';
      const tz = f.k & -f.k;
      for (let b = 8; b > tz; b >>= 1) out += (f.k & b ? 1 : 0) === (f.c & 1) ? 't' : 'e';
      return out;
    }
    case 'itc':
      return COND[f.c] || 'al';
    case 'sysm7':
      return SYSM_V7[f.s] ?? `sysm${f.s}`;
    case 'msrg':
      return f.m ? 'apsr_nzcvqg' : 'apsr_g';
    case 'cpsif':
      return (f.I ? 'i' : '') + (f.F ? 'f' : '');
    case 'hintw':
      return `${HINTS[f.h] ?? `hint #${f.h}`}.w`;
    case 'targetBL': {
      const i1 = ~(f.A ^ f.S) & 1,
        i2 = ~(f.B ^ f.S) & 1;
      const imm = (f.S << 24) | (i1 << 23) | (i2 << 22) | (f.j << 12) | (f.k << 1);
      return hex(pc + 4 + signExtend(imm, 25));
    }
  }
  if (key.length === 2 && key[0] === 'r' && key[1] in f) return REG[f[key[1]]];
  if (key in f) return String(f[key]);
  return `{${key}}`;
}

// ---- ARMv7-M helpers ----
const SHIFTS = ['lsl', 'lsr', 'asr', 'ror'];
const PARALLEL: Record<number, string> = { 0: 'add8', 1: 'add16', 2: 'asx', 4: 'sub8', 5: 'sub16', 6: 'sax' };
const SYSM_V7: Record<number, string> = { ...SYSM_NAMES, 17: 'basepri', 18: 'basepri_max', 19: 'faultmask' };

function thumbExpandImm(imm12: number): number {
  const imm8 = imm12 & 0xff;
  if ((imm12 & 0xc00) === 0) {
    switch ((imm12 >>> 8) & 3) {
      case 0:
        return imm8;
      case 1:
        return (imm8 << 16) | imm8;
      case 2:
        return (imm8 << 24) | (imm8 << 8);
      default:
        return (imm8 << 24) | (imm8 << 16) | (imm8 << 8) | imm8;
    }
  }
  const unrotated = 0x80 | (imm12 & 0x7f),
    rot = (imm12 >>> 7) & 31;
  return (unrotated >>> rot) | (unrotated << (32 - rot));
}

function shiftSuffix(type: number, imm5: number): string {
  if (type === 0 && imm5 === 0) return '';
  if (type === 3 && imm5 === 0) return ', rrx';
  return `, ${SHIFTS[type]} #${imm5 === 0 ? 32 : imm5}`;
}

function regList16(bits: number): string {
  return `{${REG.filter((_, k) => (bits >>> k) & 1).join(', ')}}`;
}

/** [Rn, #±imm]{!} or [Rn], #±imm from the P, U, W bits. */
function addressing(f: Record<string, number>, imm: number): string {
  const off = `#${f.U ? '' : '-'}${imm}`;
  return f.P ? `[${REG[f.n]}, ${off}]${f.W ? '!' : ''}` : `[${REG[f.n]}], ${off}`;
}
