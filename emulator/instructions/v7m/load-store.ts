// ARMv7-M 32-bit loads and stores (A5.3.5–A5.3.10): single data items with 12-bit, 8-bit
// (pre/post-indexed, negative, unprivileged …T) and register offsets and PC-relative
// literals; LDRD/STRD; exclusives; LDM/STM (IA, DB) with PUSH.W/POP.W; TBB/TBH.
//
// Alignment (ARMv7-M A3.2): LDR/STR/LDRH/STRH (and their T forms) may be unaligned, which the
// bus allows on ARMv7-M unless CCR.UNALIGN_TRP is set. LDRD/STRD, LDREX*/STREX* and LDM/STM
// always need aligned addresses, so they check here and raise an UNALIGNED fault themselves.
//
// Rn = 15 never reaches the Rn forms: the literal rows own it (stores: UNDEFINED). Rt = 13 is
// legal for LDR/STR only, so only those go through writeReg; the writeback of Rn can be SP.
// Unprivileged forms (LDRT, …) behave as the normal ones: sramlab has no MPU, so a privileged
// and an unprivileged access see the same memory.
// Cycles (Cortex-M3/M4 TRMs): LDR/STR t.load/t.store; LDR to PC adds the pipeline refill;
// LDRD/STRD and LDM/STM 1 + N; LDM with PC popPcBase + N; TBB/TBH 2 + P.

import type { Cpu } from '../../cpu.ts';
import { InstructionFault, MemFault } from '../../fault.ts';
import { singleAccessCycles } from '../timing.ts';
import type { Handler } from '../v6m.ts';
import { lastInITBlockOrOutside, popcount16, writeReg } from './common.ts';

const rn = (w: number): number => (w >>> 16) & 15;
const rt = (w: number): number => (w >>> 12) & 15;

/** imm8 forms (Rt 1 P U W imm8): the offset address; the accessed address is this or Rn (post-index). */
const offsetAddr = (base: number, w: number): number => (w & 0x200 ? base + (w & 0xff) : base - (w & 0xff)) | 0;
/** Register forms: Rn + (Rm LSL imm2). */
const regAddr = (cpu: Cpu, w: number): number => (cpu.r[rn(w)] + (cpu.r[w & 15] << ((w >>> 4) & 3))) | 0;
/** Literal forms: Align(PC, 4) ± imm12 (U is w<23>). */
const litAddr = (cpu: Cpu, w: number): number => (((cpu.pc + 4) & ~3) + (w & 0x800000 ? w & 0xfff : -(w & 0xfff))) | 0;

function unaligned(address: number, size: number, access: 'load' | 'store'): never {
  throw new MemFault('unaligned', address >>> 0, size, access);
}

/** LDR with Rt = PC: LoadWritePC (an interworking branch, or an exception return in Handler mode). */
function loadPC(cpu: Cpu, address: number): number {
  lastInITBlockOrOutside(cpu, 'LDR to the PC');
  // "if address<1:0> == '00' then LoadWritePC(data) else UNPREDICTABLE": UNDEFINED in sramlab.
  if (address & 3) {
    throw new InstructionFault(
      'undefined',
      `LDR to the PC from the unaligned address 0x${(address >>> 0).toString(16)} is UNPREDICTABLE (treated as UNDEFINED)`,
    );
  }
  return cpu.bus.read32(address);
}

function writePC(cpu: Cpu, v: number): void {
  cpu.bxWritePC(v);
  cpu.cycles += cpu.t.load + cpu.t.branchTaken - 1;
}

// ---- LDR (word) -----------------------------------------------------------------------------

export const LDR_imm12: Handler = (cpu, w) => {
  const t = rt(w),
    a = (cpu.r[rn(w)] + (w & 0xfff)) | 0;
  if (t === 15) {
    writePC(cpu, loadPC(cpu, a));
    return;
  }
  const v = cpu.bus.read32(a);
  if (t === 13) cpu.setSP(v);
  else cpu.r[t] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDR_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    t = rt(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  const a = w & 0x400 ? off : base;
  const v = t === 15 ? loadPC(cpu, a) : cpu.bus.read32(a);
  if (w & 0x100) writeReg(cpu, n, off);
  if (t === 15) {
    writePC(cpu, v);
    return;
  }
  if (t === 13) cpu.setSP(v);
  else cpu.r[t] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDR_reg: Handler = (cpu, w) => {
  const t = rt(w),
    a = regAddr(cpu, w);
  if (t === 15) {
    writePC(cpu, loadPC(cpu, a));
    return;
  }
  const v = cpu.bus.read32(a);
  if (t === 13) cpu.setSP(v);
  else cpu.r[t] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDR_lit: Handler = (cpu, w) => {
  const t = rt(w),
    a = litAddr(cpu, w);
  if (t === 15) {
    writePC(cpu, loadPC(cpu, a));
    return;
  }
  const v = cpu.bus.read32(a);
  if (t === 13) cpu.setSP(v);
  else cpu.r[t] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

// ---- LDRB, LDRSB, LDRH, LDRSH (Rt is never SP or PC here) ---------------------------------

const sb = (v: number): number => (v << 24) >> 24;
const sh = (v: number): number => (v << 16) >> 16;

export const LDRB_imm12: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read8((cpu.r[rn(w)] + (w & 0xfff)) | 0);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSB_imm12: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sb(cpu.bus.read8((cpu.r[rn(w)] + (w & 0xfff)) | 0));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRH_imm12: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read16((cpu.r[rn(w)] + (w & 0xfff)) | 0);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSH_imm12: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sh(cpu.bus.read16((cpu.r[rn(w)] + (w & 0xfff)) | 0));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRB_reg: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read8(regAddr(cpu, w));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSB_reg: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sb(cpu.bus.read8(regAddr(cpu, w)));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRH_reg: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read16(regAddr(cpu, w));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSH_reg: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sh(cpu.bus.read16(regAddr(cpu, w)));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRB_lit: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read8(litAddr(cpu, w));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSB_lit: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sb(cpu.bus.read8(litAddr(cpu, w)));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRH_lit: Handler = (cpu, w) => {
  cpu.r[rt(w)] = cpu.bus.read16(litAddr(cpu, w));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSH_lit: Handler = (cpu, w) => {
  cpu.r[rt(w)] = sh(cpu.bus.read16(litAddr(cpu, w)));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRB_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  const v = cpu.bus.read8(w & 0x400 ? off : base);
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRSB_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  const v = sb(cpu.bus.read8(w & 0x400 ? off : base));
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRH_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  const v = cpu.bus.read16(w & 0x400 ? off : base);
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDRSH_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  const v = sh(cpu.bus.read16(w & 0x400 ? off : base));
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

// ---- STR, STRB, STRH ------------------------------------------------------------------------

export const STR_imm12: Handler = (cpu, w) => {
  cpu.bus.write32((cpu.r[rn(w)] + (w & 0xfff)) | 0, cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRB_imm12: Handler = (cpu, w) => {
  cpu.bus.write8((cpu.r[rn(w)] + (w & 0xfff)) | 0, cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRH_imm12: Handler = (cpu, w) => {
  cpu.bus.write16((cpu.r[rn(w)] + (w & 0xfff)) | 0, cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

export const STR_reg: Handler = (cpu, w) => {
  cpu.bus.write32(regAddr(cpu, w), cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRB_reg: Handler = (cpu, w) => {
  cpu.bus.write8(regAddr(cpu, w), cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRH_reg: Handler = (cpu, w) => {
  cpu.bus.write16(regAddr(cpu, w), cpu.r[rt(w)]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

/**
 * A store that moves SP down (STR Rt, [SP, #-imm]!, the single-register PUSH): SP moves first,
 * so the store lands in the live stack and the stack check sees the new low point before
 * anything is written, as the ARMv6-M PUSH does; a faulting store puts SP back.
 */
function pushSP(cpu: Cpu, w: number, newSP: number, size: 'W' | 'B' | 'H'): void {
  const old = cpu.r[13],
    v = cpu.r[rt(w)];
  const a = w & 0x400 ? newSP : old;
  cpu.setSP(newSP);
  try {
    if (size === 'W') cpu.bus.write32(a, v);
    else if (size === 'B') cpu.bus.write8(a, v);
    else cpu.bus.write16(a, v);
  } catch (e) {
    cpu.r[13] = old;
    throw e;
  }
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
}

export const STR_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  if (n === 13 && w & 0x100 && off >>> 0 < base >>> 0) {
    pushSP(cpu, w, off, 'W');
    return;
  }
  cpu.bus.write32(w & 0x400 ? off : base, cpu.r[rt(w)]);
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

export const STRB_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  if (n === 13 && w & 0x100 && off >>> 0 < base >>> 0) {
    pushSP(cpu, w, off, 'B');
    return;
  }
  cpu.bus.write8(w & 0x400 ? off : base, cpu.r[rt(w)]);
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

export const STRH_imm8: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = offsetAddr(base, w);
  if (n === 13 && w & 0x100 && off >>> 0 < base >>> 0) {
    pushSP(cpu, w, off, 'H');
    return;
  }
  cpu.bus.write16(w & 0x400 ? off : base, cpu.r[rt(w)]);
  if (w & 0x100) writeReg(cpu, n, off);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

/** PLD, PLI and the unallocated memory hints: no effect on the architectural state. */
export const MEM_HINT: Handler = (cpu) => {
  cpu.cycles += 1;
};

// ---- LDRD, STRD: 1110100 P U 1 W L Rn | Rt Rt2 imm8 (P w<24>, U w<23>, W w<21>) -----------

const dualOffset = (base: number, w: number): number => (w & 0x800000 ? base + ((w & 0xff) << 2) : base - ((w & 0xff) << 2)) | 0;

export const LDRD_imm: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = dualOffset(base, w);
  const a = w & 0x1000000 ? off : base;
  if (a & 3) unaligned(a, 4, 'load');
  const lo = cpu.bus.read32(a),
    hi = cpu.bus.read32((a + 4) | 0);
  if (w & 0x200000) writeReg(cpu, n, off);
  cpu.r[rt(w)] = lo;
  cpu.r[(w >>> 8) & 15] = hi;
  cpu.cycles += cpu.t.multipleBase + 2;
};

export const LDRD_lit: Handler = (cpu, w) => {
  const a = dualOffset((cpu.pc + 4) & ~3, w); // word-aligned by construction
  const lo = cpu.bus.read32(a),
    hi = cpu.bus.read32((a + 4) | 0);
  cpu.r[rt(w)] = lo;
  cpu.r[(w >>> 8) & 15] = hi;
  cpu.cycles += cpu.t.multipleBase + 2;
};

export const STRD_imm: Handler = (cpu, w) => {
  const n = rn(w),
    base = cpu.r[n],
    off = dualOffset(base, w);
  const a = w & 0x1000000 ? off : base;
  if (a & 3) unaligned(a, 4, 'store');
  const lo = cpu.r[rt(w)],
    hi = cpu.r[(w >>> 8) & 15];
  // STRD Rt, Rt2, [SP, #-8]!: SP moves first (see pushSP).
  const spFirst = n === 13 && (w & 0x200000) !== 0 && off >>> 0 < base >>> 0;
  if (spFirst) cpu.setSP(off);
  try {
    cpu.bus.write32(a, lo);
    cpu.bus.write32((a + 4) | 0, hi);
  } catch (e) {
    if (spFirst) cpu.r[13] = base;
    throw e;
  }
  if (w & 0x200000 && !spFirst) writeReg(cpu, n, off);
  cpu.cycles += cpu.t.multipleBase + 2;
};

// ---- exclusives (A3.4): the local monitor is on the Cpu ------------------------------------

export const LDREX: Handler = (cpu, w) => {
  const a = (cpu.r[rn(w)] + ((w & 0xff) << 2)) | 0;
  if (a & 3) unaligned(a, 4, 'load');
  const v = cpu.bus.read32(a);
  cpu.setExclusiveMonitor(a, 4);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDREXB: Handler = (cpu, w) => {
  const a = cpu.r[rn(w)];
  const v = cpu.bus.read8(a);
  cpu.setExclusiveMonitor(a, 1);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const LDREXH: Handler = (cpu, w) => {
  const a = cpu.r[rn(w)];
  if (a & 1) unaligned(a, 2, 'load');
  const v = cpu.bus.read16(a);
  cpu.setExclusiveMonitor(a, 2);
  cpu.r[rt(w)] = v;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

/** STREX: the alignment check comes first (ExclusiveMonitorsPass); Rd = 0 if stored, 1 if not. */
export const STREX: Handler = (cpu, w) => {
  const a = (cpu.r[rn(w)] + ((w & 0xff) << 2)) | 0;
  if (a & 3) unaligned(a, 4, 'store');
  const d = (w >>> 8) & 15;
  if (cpu.exclusiveMonitorsPass(a, 4)) {
    cpu.bus.write32(a, cpu.r[rt(w)]);
    cpu.r[d] = 0;
  } else cpu.r[d] = 1;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

export const STREXB: Handler = (cpu, w) => {
  const a = cpu.r[rn(w)],
    d = w & 15;
  if (cpu.exclusiveMonitorsPass(a, 1)) {
    cpu.bus.write8(a, cpu.r[rt(w)]);
    cpu.r[d] = 0;
  } else cpu.r[d] = 1;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

export const STREXH: Handler = (cpu, w) => {
  const a = cpu.r[rn(w)],
    d = w & 15;
  if (a & 1) unaligned(a, 2, 'store');
  if (cpu.exclusiveMonitorsPass(a, 2)) {
    cpu.bus.write16(a, cpu.r[rt(w)]);
    cpu.r[d] = 0;
  } else cpu.r[d] = 1;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};

// ---- TBB, TBH: BranchWritePC(PC + 2 * entry) -------------------------------------------------

export const TBB: Handler = (cpu, w) => {
  lastInITBlockOrOutside(cpu, 'TBB');
  const entry = cpu.bus.read8((cpu.reg(rn(w)) + cpu.r[w & 15]) | 0);
  cpu.npc = (cpu.pc + 4 + 2 * entry) >>> 0;
  cpu.cycles += cpu.t.branchTaken + 1;
};

export const TBH: Handler = (cpu, w) => {
  lastInITBlockOrOutside(cpu, 'TBH');
  const entry = cpu.bus.read16((cpu.reg(rn(w)) + (cpu.r[w & 15] << 1)) | 0);
  cpu.npc = (cpu.pc + 4 + 2 * entry) >>> 0;
  cpu.cycles += cpu.t.branchTaken + 1;
};

// ---- LDM, STM (IA and DB), PUSH.W, POP.W -----------------------------------------------------
// Register list: w<15> PC (loads only), w<14> LR, w<12:0> r0–r12; SP is never in the list.

/** Loaded values, so a fault part-way leaves the registers as they were. */
const SCRATCH = new Int32Array(16);

function loadMultiple(cpu: Cpu, w: number, start: number, wbValue: number): void {
  const list = w & 0xdfff,
    n = rn(w);
  if (list & 0x8000) lastInITBlockOrOutside(cpu, 'LDM with the PC in its list');
  if (start & 3) unaligned(start, 4, 'load');
  const bus = cpu.bus;
  let a = start;
  for (let k = 0; k < 16; k++)
    if ((list >>> k) & 1) {
      SCRATCH[k] = bus.read32(a);
      a = (a + 4) | 0;
    }
  for (let k = 0; k < 15; k++) if ((list >>> k) & 1) cpu.r[k] = SCRATCH[k];
  if (w & 0x200000 && !((list >>> n) & 1)) writeReg(cpu, n, wbValue);
  const count = popcount16(list);
  if (list & 0x8000) {
    cpu.bxWritePC(SCRATCH[15]);
    cpu.cycles += cpu.t.popPcBase + count;
  } else cpu.cycles += cpu.t.multipleBase + count;
}

function storeMultiple(cpu: Cpu, w: number, start: number, wbValue: number): void {
  const list = w & 0x5fff,
    n = rn(w);
  if (start & 3) unaligned(start, 4, 'store');
  const bus = cpu.bus;
  // PUSH.W (STMDB SP!): SP moves first and a faulting store puts it back (see pushSP).
  const old = cpu.r[13];
  const spFirst = n === 13 && (w & 0x200000) !== 0 && wbValue >>> 0 < old >>> 0;
  if (spFirst) cpu.setSP(wbValue);
  try {
    let a = start;
    for (let k = 0; k < 15; k++) {
      if ((list >>> k) & 1) {
        bus.write32(a, cpu.r[k]);
        a = (a + 4) | 0;
      }
    }
  } catch (e) {
    if (spFirst) cpu.r[13] = old;
    throw e;
  }
  if (w & 0x200000 && !spFirst) writeReg(cpu, n, wbValue);
  cpu.cycles += cpu.t.multipleBase + popcount16(list);
}

export const LDM_W: Handler = (cpu, w) => {
  const base = cpu.r[rn(w)];
  loadMultiple(cpu, w, base, (base + 4 * popcount16(w & 0xdfff)) | 0);
};

export const LDMDB: Handler = (cpu, w) => {
  const start = (cpu.r[rn(w)] - 4 * popcount16(w & 0xdfff)) | 0;
  loadMultiple(cpu, w, start, start);
};

export const STM_W: Handler = (cpu, w) => {
  const base = cpu.r[rn(w)];
  storeMultiple(cpu, w, base, (base + 4 * popcount16(w & 0x5fff)) | 0);
};

export const STMDB: Handler = (cpu, w) => {
  const start = (cpu.r[rn(w)] - 4 * popcount16(w & 0x5fff)) | 0;
  storeMultiple(cpu, w, start, start);
};
