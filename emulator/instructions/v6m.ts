// ARMv6-M instruction semantics, one function per row of isa/encodings.ts, written from the
// ARMv6-M ARM pseudocode (DDI 0419E, chapter A6). Each takes the CPU and the instruction
// (a halfword, or hw1 << 16 | hw2 for 32-bit encodings) and charges its cycles.

import type { Cpu } from '../cpu.ts';
import { InstructionFault } from '../fault.ts';
import { conditionPassed } from '../isa/condition.ts';
import { addWithCarry, popcount8, setNZ } from './alu.ts';
import { singleAccessCycles } from './timing.ts';
import { lastInITBlockOrOutside } from './v7m/common.ts';

export type Handler = (cpu: Cpu, insn: number) => void;

// ---- shift (immediate), add, subtract, move, compare (A5.2.1) ----

export const LSLS_imm: Handler = (cpu, i) => {
  const imm = (i >>> 6) & 31,
    x = cpu.r[(i >>> 3) & 7];
  let res = x;
  if (imm !== 0) {
    cpu.fC = (x >>> (32 - imm)) & 1;
    res = x << imm;
  }
  cpu.r[i & 7] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const LSRS_imm: Handler = (cpu, i) => {
  const imm = (i >>> 6) & 31,
    x = cpu.r[(i >>> 3) & 7];
  let res: number;
  if (imm === 0) {
    cpu.fC = x >>> 31;
    res = 0;
  } // encodes a shift by 32
  else {
    cpu.fC = (x >>> (imm - 1)) & 1;
    res = x >>> imm;
  }
  cpu.r[i & 7] = res;
  setNZ(cpu, res | 0);
  cpu.cycles += 1;
};

export const ASRS_imm: Handler = (cpu, i) => {
  const imm = (i >>> 6) & 31,
    x = cpu.r[(i >>> 3) & 7];
  let res: number;
  if (imm === 0) {
    cpu.fC = x >>> 31;
    res = x >> 31;
  } else {
    cpu.fC = (x >>> (imm - 1)) & 1;
    res = x >> imm;
  }
  cpu.r[i & 7] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const ADDS_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = addWithCarry(cpu, cpu.r[(i >>> 3) & 7], cpu.r[(i >>> 6) & 7], 0);
  cpu.cycles += 1;
};

export const SUBS_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = addWithCarry(cpu, cpu.r[(i >>> 3) & 7], ~cpu.r[(i >>> 6) & 7], 1);
  cpu.cycles += 1;
};

export const ADDS_imm3: Handler = (cpu, i) => {
  cpu.r[i & 7] = addWithCarry(cpu, cpu.r[(i >>> 3) & 7], (i >>> 6) & 7, 0);
  cpu.cycles += 1;
};

export const SUBS_imm3: Handler = (cpu, i) => {
  cpu.r[i & 7] = addWithCarry(cpu, cpu.r[(i >>> 3) & 7], ~((i >>> 6) & 7), 1);
  cpu.cycles += 1;
};

export const MOVS_imm: Handler = (cpu, i) => {
  const v = i & 0xff;
  cpu.r[(i >>> 8) & 7] = v;
  cpu.fN = 0;
  cpu.fZ = v === 0 ? 1 : 0;
  cpu.cycles += 1;
};

export const CMP_imm: Handler = (cpu, i) => {
  addWithCarry(cpu, cpu.r[(i >>> 8) & 7], ~(i & 0xff), 1);
  cpu.cycles += 1;
};

export const ADDS_imm8: Handler = (cpu, i) => {
  const d = (i >>> 8) & 7;
  cpu.r[d] = addWithCarry(cpu, cpu.r[d], i & 0xff, 0);
  cpu.cycles += 1;
};

export const SUBS_imm8: Handler = (cpu, i) => {
  const d = (i >>> 8) & 7;
  cpu.r[d] = addWithCarry(cpu, cpu.r[d], ~(i & 0xff), 1);
  cpu.cycles += 1;
};

// ---- data processing (A5.2.2): Rdn = Rdn op Rm ----

export const ANDS: Handler = (cpu, i) => {
  const d = i & 7,
    res = cpu.r[d] & cpu.r[(i >>> 3) & 7];
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const EORS: Handler = (cpu, i) => {
  const d = i & 7,
    res = cpu.r[d] ^ cpu.r[(i >>> 3) & 7];
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const ORRS: Handler = (cpu, i) => {
  const d = i & 7,
    res = cpu.r[d] | cpu.r[(i >>> 3) & 7];
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const BICS: Handler = (cpu, i) => {
  const d = i & 7,
    res = cpu.r[d] & ~cpu.r[(i >>> 3) & 7];
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const MVNS: Handler = (cpu, i) => {
  const res = ~cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const TST: Handler = (cpu, i) => {
  setNZ(cpu, cpu.r[i & 7] & cpu.r[(i >>> 3) & 7]);
  cpu.cycles += 1;
};

export const MULS: Handler = (cpu, i) => {
  // C and V are unchanged on ARMv6-M.
  const d = i & 7,
    res = Math.imul(cpu.r[(i >>> 3) & 7], cpu.r[d]);
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += cpu.t.mul;
};

export const ADCS: Handler = (cpu, i) => {
  const d = i & 7;
  cpu.r[d] = addWithCarry(cpu, cpu.r[d], cpu.r[(i >>> 3) & 7], cpu.fC);
  cpu.cycles += 1;
};

export const SBCS: Handler = (cpu, i) => {
  const d = i & 7;
  cpu.r[d] = addWithCarry(cpu, cpu.r[d], ~cpu.r[(i >>> 3) & 7], cpu.fC);
  cpu.cycles += 1;
};

export const RSBS: Handler = (cpu, i) => {
  cpu.r[i & 7] = addWithCarry(cpu, ~cpu.r[(i >>> 3) & 7], 0, 1);
  cpu.cycles += 1;
};

export const CMP_reg: Handler = (cpu, i) => {
  addWithCarry(cpu, cpu.r[i & 7], ~cpu.r[(i >>> 3) & 7], 1);
  cpu.cycles += 1;
};

export const CMN: Handler = (cpu, i) => {
  addWithCarry(cpu, cpu.r[i & 7], cpu.r[(i >>> 3) & 7], 0);
  cpu.cycles += 1;
};

// Shifts by register use the bottom byte of Rm (Shift_C with amounts 0..255).
export const LSLS_reg: Handler = (cpu, i) => {
  const d = i & 7,
    n = cpu.r[(i >>> 3) & 7] & 0xff,
    x = cpu.r[d];
  let res = x;
  if (n === 0) {
    /* C unchanged */
  } else if (n < 32) {
    cpu.fC = (x >>> (32 - n)) & 1;
    res = x << n;
  } else {
    cpu.fC = n === 32 ? x & 1 : 0;
    res = 0;
  }
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const LSRS_reg: Handler = (cpu, i) => {
  const d = i & 7,
    n = cpu.r[(i >>> 3) & 7] & 0xff,
    x = cpu.r[d];
  let res = x;
  if (n === 0) {
    /* C unchanged */
  } else if (n < 32) {
    cpu.fC = (x >>> (n - 1)) & 1;
    res = x >>> n;
  } else {
    cpu.fC = n === 32 ? x >>> 31 : 0;
    res = 0;
  }
  cpu.r[d] = res;
  setNZ(cpu, res | 0);
  cpu.cycles += 1;
};

export const ASRS_reg: Handler = (cpu, i) => {
  const d = i & 7,
    n = cpu.r[(i >>> 3) & 7] & 0xff,
    x = cpu.r[d];
  let res = x;
  if (n === 0) {
    /* C unchanged */
  } else if (n < 32) {
    cpu.fC = (x >>> (n - 1)) & 1;
    res = x >> n;
  } else {
    cpu.fC = x >>> 31;
    res = x >> 31;
  }
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

export const RORS: Handler = (cpu, i) => {
  const d = i & 7,
    n = cpu.r[(i >>> 3) & 7] & 0xff,
    x = cpu.r[d];
  let res = x;
  if (n !== 0) {
    const k = n & 31;
    res = k === 0 ? x : (x >>> k) | (x << (32 - k));
    cpu.fC = res >>> 31;
  }
  cpu.r[d] = res;
  setNZ(cpu, res);
  cpu.cycles += 1;
};

// ---- special data instructions and branch and exchange (A5.2.3) ----

export const ADD_hi: Handler = (cpu, i) => {
  const d = ((i >>> 4) & 8) | (i & 7),
    m = (i >>> 3) & 15;
  if (d === 15) lastInITBlockOrOutside(cpu, 'ADD PC');
  const res = (cpu.reg(d) + cpu.reg(m)) | 0;
  writeRegOrPC(cpu, d, res);
};

export const MOV_hi: Handler = (cpu, i) => {
  const d = ((i >>> 4) & 8) | (i & 7),
    m = (i >>> 3) & 15;
  if (d === 15) lastInITBlockOrOutside(cpu, 'MOV PC');
  writeRegOrPC(cpu, d, cpu.reg(m));
};

export const CMP_hi: Handler = (cpu, i) => {
  const n = ((i >>> 4) & 8) | (i & 7),
    m = (i >>> 3) & 15;
  addWithCarry(cpu, cpu.reg(n), ~cpu.reg(m), 1);
  cpu.cycles += 1;
};

/** ALUWritePC for d = 15 (a branch, bit 0 ignored); SP writes are word-aligned. */
function writeRegOrPC(cpu: Cpu, d: number, v: number): void {
  if (d === 15) {
    cpu.branchTo(v);
    cpu.cycles += cpu.t.branchTaken;
    return;
  }
  if (d === 13) cpu.setSP(v);
  else cpu.r[d] = v;
  cpu.cycles += 1;
}

export const BX: Handler = (cpu, i) => {
  lastInITBlockOrOutside(cpu, 'BX');
  cpu.bxWritePC(cpu.reg((i >>> 3) & 15));
  cpu.cycles += cpu.t.branchTaken;
};

export const BLX: Handler = (cpu, i) => {
  lastInITBlockOrOutside(cpu, 'BLX');
  const target = cpu.reg((i >>> 3) & 15);
  cpu.r[14] = (cpu.pc + 2) | 1;
  cpu.setThumbBit(target & 1);
  cpu.npc = (target & ~1) >>> 0;
  cpu.cycles += cpu.t.branchTaken;
};

// ---- loads and stores (A5.2.4) ----

export const LDR_lit: Handler = (cpu, i) => {
  const addr = (((cpu.pc + 4) & ~3) + ((i & 0xff) << 2)) >>> 0;
  cpu.r[(i >>> 8) & 7] = cpu.bus.read32(addr);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

const regAddr = (cpu: Cpu, i: number): number => (cpu.r[(i >>> 3) & 7] + cpu.r[(i >>> 6) & 7]) | 0;
const immAddr = (cpu: Cpu, i: number, scale: number): number => (cpu.r[(i >>> 3) & 7] + (((i >>> 6) & 31) << scale)) | 0;

export const STR_reg: Handler = (cpu, i) => {
  cpu.bus.write32(regAddr(cpu, i), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRH_reg: Handler = (cpu, i) => {
  cpu.bus.write16(regAddr(cpu, i), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const STRB_reg: Handler = (cpu, i) => {
  cpu.bus.write8(regAddr(cpu, i), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const LDR_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read32(regAddr(cpu, i));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRH_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read16(regAddr(cpu, i));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRB_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read8(regAddr(cpu, i));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSB_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = (cpu.bus.read8(regAddr(cpu, i)) << 24) >> 24;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const LDRSH_reg: Handler = (cpu, i) => {
  cpu.r[i & 7] = (cpu.bus.read16(regAddr(cpu, i)) << 16) >> 16;
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const STR_imm: Handler = (cpu, i) => {
  cpu.bus.write32(immAddr(cpu, i, 2), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const LDR_imm: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read32(immAddr(cpu, i, 2));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const STRB_imm: Handler = (cpu, i) => {
  cpu.bus.write8(immAddr(cpu, i, 0), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const LDRB_imm: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read8(immAddr(cpu, i, 0));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};
export const STRH_imm: Handler = (cpu, i) => {
  cpu.bus.write16(immAddr(cpu, i, 1), cpu.r[i & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const LDRH_imm: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.bus.read16(immAddr(cpu, i, 1));
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

export const STR_sp: Handler = (cpu, i) => {
  cpu.bus.write32((cpu.r[13] + ((i & 0xff) << 2)) | 0, cpu.r[(i >>> 8) & 7]);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.store);
};
export const LDR_sp: Handler = (cpu, i) => {
  cpu.r[(i >>> 8) & 7] = cpu.bus.read32((cpu.r[13] + ((i & 0xff) << 2)) | 0);
  cpu.cycles += singleAccessCycles(cpu, cpu.t.load);
};

// ---- address generation and SP adjustment ----

export const ADR: Handler = (cpu, i) => {
  cpu.r[(i >>> 8) & 7] = (((cpu.pc + 4) & ~3) + ((i & 0xff) << 2)) | 0;
  cpu.cycles += 1;
};
export const ADD_sp_imm8: Handler = (cpu, i) => {
  cpu.r[(i >>> 8) & 7] = (cpu.r[13] + ((i & 0xff) << 2)) | 0;
  cpu.cycles += 1;
};
export const ADD_sp_imm7: Handler = (cpu, i) => {
  cpu.setSP(cpu.r[13] + ((i & 0x7f) << 2));
  cpu.cycles += 1;
};
export const SUB_sp_imm7: Handler = (cpu, i) => {
  cpu.setSP(cpu.r[13] - ((i & 0x7f) << 2));
  cpu.cycles += 1;
};

// ---- miscellaneous (A5.2.5) ----

export const SXTH: Handler = (cpu, i) => {
  cpu.r[i & 7] = (cpu.r[(i >>> 3) & 7] << 16) >> 16;
  cpu.cycles += 1;
};
export const SXTB: Handler = (cpu, i) => {
  cpu.r[i & 7] = (cpu.r[(i >>> 3) & 7] << 24) >> 24;
  cpu.cycles += 1;
};
export const UXTH: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.r[(i >>> 3) & 7] & 0xffff;
  cpu.cycles += 1;
};
export const UXTB: Handler = (cpu, i) => {
  cpu.r[i & 7] = cpu.r[(i >>> 3) & 7] & 0xff;
  cpu.cycles += 1;
};

export const REV: Handler = (cpu, i) => {
  const x = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = (x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
  cpu.cycles += 1;
};
export const REV16: Handler = (cpu, i) => {
  const x = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
  cpu.cycles += 1;
};
export const REVSH: Handler = (cpu, i) => {
  const x = cpu.r[(i >>> 3) & 7];
  cpu.r[i & 7] = (((x & 0xff) << 24) >> 16) | ((x >>> 8) & 0xff);
  cpu.cycles += 1;
};

export const PUSH: Handler = (cpu, i) => {
  const list = i & 0xff,
    lr = (i >>> 8) & 1;
  const count = popcount8(list) + lr;
  const old = cpu.r[13];
  let addr = (old - 4 * count) | 0;
  // SP moves first, so the stores land in the live stack (and the stack check sees the new
  // low point before anything is written); a faulting store puts SP back.
  cpu.setSP(addr);
  const bus = cpu.bus;
  try {
    for (let k = 0; k < 8; k++)
      if ((list >>> k) & 1) {
        bus.write32(addr, cpu.r[k]);
        addr += 4;
      }
    if (lr) bus.write32(addr, cpu.r[14]);
  } catch (e) {
    cpu.r[13] = old;
    throw e;
  }
  cpu.cycles += cpu.t.multipleBase + count;
};

export const POP: Handler = (cpu, i) => {
  const list = i & 0xff,
    pc = (i >>> 8) & 1;
  if (pc) lastInITBlockOrOutside(cpu, 'POP with the PC');
  const count = popcount8(list) + pc;
  let addr = cpu.r[13];
  const bus = cpu.bus;
  // Load into temporaries first: a fault part-way must leave the registers as they were.
  const vals = cpu.scratch;
  for (let k = 0; k < 8; k++)
    if ((list >>> k) & 1) {
      vals[k] = bus.read32(addr);
      addr = (addr + 4) | 0;
    }
  const newPC = pc ? bus.read32(addr) : 0;
  for (let k = 0; k < 8; k++) if ((list >>> k) & 1) cpu.r[k] = vals[k];
  cpu.setSP(cpu.r[13] + 4 * count);
  if (pc) {
    cpu.bxWritePC(newPC);
    cpu.cycles += cpu.t.popPcBase + count;
  } else cpu.cycles += cpu.t.multipleBase + count;
};

/**
 * STM (T1) always writes back. A base register in the list is stored as its value before the
 * instruction: the architecture makes that word UNKNOWN unless the base is the lowest register
 * listed, and this is the value QEMU and Unicorn store (tests/golden/DEVIATIONS.md).
 */
export const STM: Handler = (cpu, i) => {
  const n = (i >>> 8) & 7,
    list = i & 0xff;
  let addr = cpu.r[n];
  const bus = cpu.bus;
  for (let k = 0; k < 8; k++)
    if ((list >>> k) & 1) {
      bus.write32(addr, cpu.r[k]);
      addr = (addr + 4) | 0;
    }
  cpu.r[n] = addr;
  cpu.cycles += cpu.t.multipleBase + popcount8(list);
};

export const LDM: Handler = (cpu, i) => {
  const n = (i >>> 8) & 7,
    list = i & 0xff;
  let addr = cpu.r[n];
  const bus = cpu.bus;
  const vals = cpu.scratch;
  for (let k = 0; k < 8; k++)
    if ((list >>> k) & 1) {
      vals[k] = bus.read32(addr);
      addr = (addr + 4) | 0;
    }
  for (let k = 0; k < 8; k++) if ((list >>> k) & 1) cpu.r[k] = vals[k];
  // Write-back only when the base register is not in the list.
  if (!((list >>> n) & 1)) cpu.r[n] = addr;
  cpu.cycles += cpu.t.multipleBase + popcount8(list);
};

export const CPS: Handler = (cpu, i) => {
  cpu.cycles += 1;
  if (!cpu.privileged()) return; // ignored in unprivileged Thread mode (ARMv7-M B5.2.1)
  cpu.primask = (i >>> 4) & 1;
  if (cpu.primask === 0) cpu.recheck();
};

export const BKPT: Handler = (cpu, i) => {
  const imm = i & 0xff;
  if (cpu.onBkpt?.(imm)) {
    cpu.cycles += 1;
    return;
  }
  throw new InstructionFault('bkpt', `BKPT #${imm} with no debugger attached (escalates to HardFault)`);
};

export const HINT: Handler = (cpu, i) => {
  cpu.cycles += 1;
  switch ((i >>> 4) & 15) {
    case 2: // WFE
      if (cpu.eventRegister) {
        cpu.eventRegister = 0;
        return;
      }
      cpu.sleep();
      return;
    case 3: // WFI
      cpu.sleep();
      return;
    case 4: // SEV
      cpu.eventRegister = 1;
      return;
    default: // NOP, YIELD and unallocated hints
      return;
  }
};

// ---- branches and exception-generating instructions ----

export const B_cond: Handler = (cpu, i) => {
  // A conditional branch inside an IT block is UNPREDICTABLE (ARMv7-M A7.7.12): UNDEFINED here.
  if (cpu.itstate !== 0) throw new InstructionFault('undefined', 'UNPREDICTABLE: B<cond> inside an IT block');
  if (conditionPassed(cpu, (i >>> 8) & 15)) {
    cpu.npc = (cpu.pc + 4 + (((i & 0xff) << 24) >> 23)) >>> 0;
    cpu.cycles += cpu.t.branchTaken;
  } else {
    cpu.cycles += cpu.t.branchNotTaken;
  }
};

export const B: Handler = (cpu, i) => {
  lastInITBlockOrOutside(cpu, 'B');
  cpu.npc = (cpu.pc + 4 + (((i & 0x7ff) << 21) >> 20)) >>> 0;
  cpu.cycles += cpu.t.branchTaken;
};

export const UDF: Handler = (_cpu, i) => {
  throw new InstructionFault('undefined', `UDF #${i & 0xff} (permanently UNDEFINED)`);
};

export const SVC: Handler = (cpu) => {
  cpu.cycles += 1;
  cpu.svc();
};

// ---- 32-bit instructions of ARMv6-M (A5.3) ----

export const BL: Handler = (cpu, w) => {
  lastInITBlockOrOutside(cpu, 'BL');
  const s = (w >>> 26) & 1,
    j1 = (w >>> 13) & 1,
    j2 = (w >>> 11) & 1;
  const i1 = ~(j1 ^ s) & 1,
    i2 = ~(j2 ^ s) & 1;
  const imm = (s << 24) | (i1 << 23) | (i2 << 22) | (((w >>> 16) & 0x3ff) << 12) | ((w & 0x7ff) << 1);
  const offset = (imm << 7) >> 7;
  cpu.r[14] = (cpu.pc + 4) | 1;
  cpu.npc = (cpu.pc + 4 + offset) >>> 0;
  cpu.cycles += cpu.t.bl;
};

export const MRS: Handler = (cpu, w) => {
  const d = (w >>> 8) & 15,
    sysm = w & 0xff;
  let v = 0;
  switch (sysm >>> 3) {
    case 0: // xPSR views: bit 0 includes IPSR, bit 2 excludes APSR; EPSR reads as zero.
      if (sysm & 1) v |= cpu.ipsr;
      if (!(sysm & 4)) v |= cpu.apsr;
      break;
    case 1:
      v = (sysm & 7) === 0 ? cpu.msp : cpu.psp;
      break;
    case 2:
      v = (sysm & 7) === 0 ? cpu.primask : cpu.control;
      break;
  }
  cpu.r[d] = v;
  cpu.cycles += cpu.t.msrMrs;
};

export const MSR: Handler = (cpu, w) => {
  const v = cpu.r[(w >>> 16) & 15],
    sysm = w & 0xff;
  switch (sysm >>> 3) {
    case 0:
      // NZCV only (ARMv6-M has no Q or GE); writes to IPSR and EPSR are ignored.
      if (!(sysm & 4)) {
        cpu.fN = (v >>> 31) & 1;
        cpu.fZ = (v >>> 30) & 1;
        cpu.fC = (v >>> 29) & 1;
        cpu.fV = (v >>> 28) & 1;
      }
      break;
    case 1:
      if ((sysm & 7) === 0) cpu.msp = v;
      else cpu.psp = v;
      break;
    case 2:
      if ((sysm & 7) === 0) {
        cpu.primask = v & 1;
        cpu.recheck();
      } else if (cpu.ipsr === 0) cpu.setSpsel((v >>> 1) & 1); // SPSEL is only writable in Thread mode
      break;
  }
  cpu.cycles += cpu.t.msrMrs;
};

export const BARRIER: Handler = (cpu) => {
  cpu.cycles += cpu.t.barrier;
};

export const UDF_W: Handler = (_cpu, w) => {
  throw new InstructionFault('undefined', `UDF.W #${((w >>> 4) & 0xf000) | (w & 0xfff)} (permanently UNDEFINED)`);
};
