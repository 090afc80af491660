// ARMv7-M system instructions: MRS/MSR with the ARMv7-M special registers (B5.2.2, B5.2.3),
// CPS with FAULTMASK (B5.2.1), the 32-bit hints, CLREX, and the coprocessor space (no
// coprocessor: NOCP UsageFault).

import type { Cpu } from '../../cpu.ts';
import { InstructionFault } from '../../fault.ts';
import type { Handler } from '../v6m.ts';
import { HINT } from '../v6m.ts';

/** BASEPRI keeps only the implemented priority bits (B1.4.3: same format as a priority field). */
const priorityBits = (cpu: Cpu, v: number): number => v & ((0xff << (8 - cpu.profile.priorityBits)) & 0xff);

/** APSR as MRS reads it: N Z C V Q, and GE[3:0] with the DSP extension. */
function apsrValue(cpu: Cpu): number {
  let v = (cpu.fN << 31) | (cpu.fZ << 30) | (cpu.fC << 29) | (cpu.fV << 28) | (cpu.fQ << 27);
  if (cpu.profile.hasDsp) v |= cpu.ge << 16;
  return v;
}

export const MRS_v7: Handler = (cpu, w) => {
  const sysm = w & 0xff;
  let v = 0;
  switch (sysm >>> 3) {
    case 0: // xPSR views: bit 0 includes IPSR, bit 2 excludes APSR; EPSR reads as zero.
      if (sysm & 1) v |= cpu.ipsr;
      if (!(sysm & 4)) v |= apsrValue(cpu);
      break;
    case 1:
      if (cpu.privileged()) v = (sysm & 7) === 0 ? cpu.msp : cpu.psp;
      break;
    default: {
      // The MRS pseudocode (B5.2.2) gives PRIMASK, BASEPRI and FAULTMASK only when privileged,
      // else zero; CONTROL reads in either mode.
      const priv = cpu.privileged();
      switch (sysm & 7) {
        case 0:
          v = priv ? cpu.primask & 1 : 0;
          break;
        case 1:
        case 2:
          v = priv ? cpu.basepri & 0xff : 0;
          break;
        case 3:
          v = priv ? cpu.faultmask & 1 : 0;
          break;
        default:
          v = cpu.control & 3;
          break;
      }
    }
  }
  cpu.r[(w >>> 8) & 15] = v;
  cpu.cycles += cpu.t.msrMrs;
};

export const MSR_v7: Handler = (cpu, w) => {
  const v = cpu.r[(w >>> 16) & 15],
    sysm = w & 0xff,
    mask = (w >>> 10) & 3;
  switch (sysm >>> 3) {
    case 0: // xPSR: only the APSR part is writable (IPSR and EPSR writes are ignored)
      if (!(sysm & 4)) {
        if (mask & 2) {
          cpu.fN = v >>> 31;
          cpu.fZ = (v >>> 30) & 1;
          cpu.fC = (v >>> 29) & 1;
          cpu.fV = (v >>> 28) & 1;
          cpu.fQ = (v >>> 27) & 1;
        }
        if (mask & 1) cpu.ge = (v >>> 16) & 15;
      }
      break;
    case 1:
      if (cpu.privileged()) {
        if ((sysm & 7) === 0) cpu.msp = v;
        else cpu.psp = v;
      }
      break;
    default: {
      if (!cpu.privileged()) break;
      const b = v & 0xff;
      switch (sysm & 7) {
        case 0:
          cpu.primask = v & 1;
          break;
        case 1:
          cpu.basepri = priorityBits(cpu, b);
          break;
        case 2: {
          // BASEPRI_MAX: only raises the priority boost
          // MSR pseudocode (B5.2.3): compares R[n]<7:0> as written; the write keeps the implemented bits.
          if (b !== 0 && (b < cpu.basepri || cpu.basepri === 0)) cpu.basepri = priorityBits(cpu, b);
          break;
        }
        case 3:
          if (cpu.executionPriority() > -1) cpu.faultmask = v & 1;
          break;
        default: // CONTROL: nPRIV, and SPSEL in Thread mode only
          cpu.control = (cpu.control & ~1) | (v & 1);
          if (cpu.ipsr === 0) cpu.setSpsel((v >>> 1) & 1);
      }
      cpu.recheck();
    }
  }
  cpu.cycles += cpu.t.msrMrs;
};

/** CPSIE/CPSID with i and/or f; ignored when unprivileged. FAULTMASK cannot be set in NMI/HardFault. */
export const CPS_v7: Handler = (cpu, i) => {
  if (cpu.privileged()) {
    const disable = (i >>> 4) & 1;
    if (i & 2) cpu.primask = disable;
    if (i & 1) {
      if (!disable) cpu.faultmask = 0;
      else if (cpu.executionPriority() > -1) cpu.faultmask = 1;
    }
    cpu.recheck();
  }
  cpu.cycles += 1;
};

/** NOP.W, YIELD.W, WFE.W, WFI.W, SEV.W as their 16-bit forms; DBG and unallocated hints are NOPs. */
export const HINT_W: Handler = (cpu, w) => {
  const op = w & 0xff;
  if (op <= 4) HINT(cpu, op << 4);
  else cpu.cycles += 1;
};

export const CLREX: Handler = (cpu) => {
  cpu.clearExclusiveLocal();
  cpu.cycles += 1;
};

export const COPROC: Handler = (_cpu, w) => {
  throw new InstructionFault(
    'nocp',
    `coprocessor or floating-point instruction 0x${(w >>> 0).toString(16).padStart(8, '0')}: no coprocessor is present (UsageFault NOCP)`,
  );
};
