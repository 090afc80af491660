// Machine snapshots: the whole state of a Machine saved, and put back exactly, so that a run can
// branch from one point many times (every preemption point of a call, docs/snapshots.md).
//
// Saved: every field of the core (registers, xPSR with ITSTATE, both stack pointers, the masks,
// CONTROL, the exception state the NVIC and SCB show, fault status, the exclusive monitor, the
// cycle and instruction counters, the run's stop state and the host-scheduled interrupt), the
// SysTick, SCS and DWT registers (SysTick and CYCCNT are derived from the cycle counter, which is
// saved with them), the machine's exit status, and SRAM. Not saved: host wiring (checkers, hooks,
// the image and its symbols) and flash, which no firmware store can change (a store to flash
// faults before any byte is written) and which only the loader writes.
//
// SRAM is restored by pages. The bus marks each 256-byte page a store touches (Bus.dirty); a
// snapshot holds a full copy of SRAM and clears the marks. Restoring the snapshot the marks count
// from (the last one taken or restored) copies back only the marked pages; restoring any other
// copies all of SRAM and makes it the one the marks count from. Why pages and not an undo log of
// stores, with the figures, is in docs/snapshots.md.
//
// Writes that bypass the bus (bus.sram.set(...) directly) are not marked: code that writes SRAM
// that way while a snapshot is in use must leave it as it found it, as Session.probe does.

import { type Bus, PAGE_SHIFT } from './bus.ts';
import type { Cpu } from './cpu.ts';
import type { FaultReport } from './fault.ts';
import type { Machine } from './machine.ts';

/**
 * Every own field of each part of a machine, in two lists: the state a snapshot saves, and what
 * it leaves alone on purpose (host wiring, fixed configuration, scratch space, a part saved on its
 * own). A field in neither list is an error the snapshot test reports: state nobody classified.
 */
export const SNAPSHOT_FIELDS = {
  cpu: {
    saved: [
      'pc',
      'npc',
      'fN',
      'fZ',
      'fC',
      'fV',
      'fQ',
      'ge',
      'tbit',
      'ipsr',
      'primask',
      'control',
      'otherSP',
      'eventRegister',
      'itstate',
      'exclusiveAddress',
      'exclusiveSize',
      'basepri',
      'faultmask',
      'ccr',
      'groupMask',
      'cfsr',
      'hfsr',
      'mmfar',
      'bfar',
      'vtor',
      'cycles',
      'instructions',
      'lastSingleAccess',
      'eventAt',
      'budgetEnd',
      'interruptAt',
      'interruptIrq',
      'stopReason',
      'excReturnPending',
      'excReturnFrom',
      'faultMode',
      'minSP',
      'stackLimit',
    ],
    savedArrays: ['r', 'pending', 'active', 'enabled', 'priority'],
    notSaved: [
      'profile',
      'bus',
      't',
      'decode',
      'systick',
      'dispatch16',
      'executor' /* fixed by the profile */,
      'scratch',
      'faults' /* saved as a list of reports */,
      'onStackLimit',
      'onBkpt',
      'onSvc',
      'describePC',
      'onInstruction',
      'hostVector',
      'onExceptionReturn',
    ],
  },
  systick: { saved: ['enable', 'tickint', 'countflag', 'rvr', 'zeroAt', 'restAt', 'frozen'], savedArrays: [], notSaved: ['cpu'] },
  scs: { saved: ['scr', 'demcr', 'resetRequested'], savedArrays: [], notSaved: ['cpu', 'name', 'onDemcrChange'] },
  dwt: { saved: ['ctrl', 'base', 'since', 'running'], savedArrays: [], notSaved: ['cpu', 'scs', 'name'] },
  bus: {
    saved: ['pc', 'alignTrap'],
    savedArrays: [],
    notSaved: [
      'flash',
      'flashSize',
      'sramSize',
      'flash16',
      'flash32',
      'devices',
      'checker',
      'checkers',
      'codeLoads' /* counts host loads into flash, which snapshots never restore */,
      'flashLoadedEnd',
      'sram',
      'sram16',
      'sram32',
      'dirty' /* SRAM is saved by pages, below */,
    ],
  },
  machine: {
    saved: ['exitCode'],
    savedArrays: [],
    notSaved: ['profile', 'bus', 'cpu', 'scs', 'dwt', 'image', 'symbols', 'semihosting', 'onOutput'],
  },
} as const;

/** The fields of the core that TypeScript keeps private in Cpu; a snapshot reads and writes them too. */
interface CpuInside {
  budgetEnd: number;
  interruptAt: number;
  interruptIrq: number;
  excReturnPending: number | null;
  excReturnFrom: number;
}
interface SysTickInside {
  enable: number;
  tickint: number;
  countflag: number;
  rvr: number;
  zeroAt: number;
  restAt: number;
  frozen: number;
}
interface DwtInside {
  ctrl: number;
  base: number;
  since: number;
  running: boolean;
}
interface MachineInside {
  exitCode: number | undefined;
}
type Core = Pick<Cpu, keyof Cpu> & CpuInside;

/** A saved machine: take it with takeSnapshot, put it back with restoreSnapshot. */
export interface MachineSnapshot {
  readonly machine: Machine;
  readonly core: CoreState;
  readonly r: Int32Array;
  readonly pending: Uint8Array;
  readonly active: Uint8Array;
  readonly enabled: Uint8Array;
  readonly priority: Int16Array;
  readonly faults: readonly FaultReport[];
  readonly systick: SysTickInside;
  readonly scs: { scr: number; demcr: number; resetRequested: boolean };
  readonly dwt: DwtInside | null;
  readonly bus: { pc: number; alignTrap: boolean };
  readonly exitCode: number | undefined;
  readonly sram: Uint8Array;
}

type CoreState = ReturnType<typeof saveCore>;

// Written out field by field (not looped over SNAPSHOT_FIELDS): a restore is then a few hundred
// nanoseconds, not microseconds. The snapshot test checks these against SNAPSHOT_FIELDS.saved.
function saveCore(c: Core) {
  return {
    pc: c.pc,
    npc: c.npc,
    fN: c.fN,
    fZ: c.fZ,
    fC: c.fC,
    fV: c.fV,
    fQ: c.fQ,
    ge: c.ge,
    tbit: c.tbit,
    ipsr: c.ipsr,
    primask: c.primask,
    control: c.control,
    otherSP: c.otherSP,
    eventRegister: c.eventRegister,
    itstate: c.itstate,
    exclusiveAddress: c.exclusiveAddress,
    exclusiveSize: c.exclusiveSize,
    basepri: c.basepri,
    faultmask: c.faultmask,
    ccr: c.ccr,
    groupMask: c.groupMask,
    cfsr: c.cfsr,
    hfsr: c.hfsr,
    mmfar: c.mmfar,
    bfar: c.bfar,
    vtor: c.vtor,
    cycles: c.cycles,
    instructions: c.instructions,
    lastSingleAccess: c.lastSingleAccess,
    eventAt: c.eventAt,
    budgetEnd: c.budgetEnd,
    interruptAt: c.interruptAt,
    interruptIrq: c.interruptIrq,
    stopReason: c.stopReason,
    excReturnPending: c.excReturnPending,
    excReturnFrom: c.excReturnFrom,
    faultMode: c.faultMode,
    minSP: c.minSP,
    stackLimit: c.stackLimit,
  };
}

function restoreCore(c: Core, s: CoreState): void {
  c.pc = s.pc;
  c.npc = s.npc;
  c.fN = s.fN;
  c.fZ = s.fZ;
  c.fC = s.fC;
  c.fV = s.fV;
  c.fQ = s.fQ;
  c.ge = s.ge;
  c.tbit = s.tbit;
  c.ipsr = s.ipsr;
  c.primask = s.primask;
  c.control = s.control;
  c.otherSP = s.otherSP;
  c.eventRegister = s.eventRegister;
  c.itstate = s.itstate;
  c.exclusiveAddress = s.exclusiveAddress;
  c.exclusiveSize = s.exclusiveSize;
  c.basepri = s.basepri;
  c.faultmask = s.faultmask;
  c.ccr = s.ccr;
  c.groupMask = s.groupMask;
  c.cfsr = s.cfsr;
  c.hfsr = s.hfsr;
  c.mmfar = s.mmfar;
  c.bfar = s.bfar;
  c.vtor = s.vtor;
  c.cycles = s.cycles;
  c.instructions = s.instructions;
  c.lastSingleAccess = s.lastSingleAccess;
  c.eventAt = s.eventAt;
  c.budgetEnd = s.budgetEnd;
  c.interruptAt = s.interruptAt;
  c.interruptIrq = s.interruptIrq;
  c.stopReason = s.stopReason;
  c.excReturnPending = s.excReturnPending;
  c.excReturnFrom = s.excReturnFrom;
  c.faultMode = s.faultMode;
  c.minSP = s.minSP;
  c.stackLimit = s.stackLimit;
}

const saveSysTick = (t: SysTickInside): SysTickInside => ({
  enable: t.enable,
  tickint: t.tickint,
  countflag: t.countflag,
  rvr: t.rvr,
  zeroAt: t.zeroAt,
  restAt: t.restAt,
  frozen: t.frozen,
});
const saveDwt = (d: DwtInside): DwtInside => ({ ctrl: d.ctrl, base: d.base, since: d.since, running: d.running });

/** The snapshot each bus's dirty marks count from. */
const markedFrom = new WeakMap<Bus, MachineSnapshot>();

/** Saves the whole state of m. Costs one copy of SRAM; take it between runs or from cpu.onInstruction. */
export function takeSnapshot(m: Machine): MachineSnapshot {
  const c = m.cpu as unknown as Core;
  const snap: MachineSnapshot = {
    machine: m,
    core: saveCore(c),
    r: c.r.slice(),
    pending: c.pending.slice(),
    active: c.active.slice(),
    enabled: c.enabled.slice(),
    priority: c.priority.slice(),
    faults: c.faults.slice(),
    systick: saveSysTick(c.systick as unknown as SysTickInside),
    scs: { scr: m.scs.scr, demcr: m.scs.demcr, resetRequested: m.scs.resetRequested },
    dwt: m.dwt ? saveDwt(m.dwt as unknown as DwtInside) : null,
    bus: { pc: m.bus.pc, alignTrap: m.bus.alignTrap },
    exitCode: (m as unknown as MachineInside).exitCode,
    sram: m.bus.sram.slice(),
  };
  m.bus.dirty.fill(0);
  markedFrom.set(m.bus, snap);
  return snap;
}

/**
 * Puts m back exactly as it was when s was taken; s stays valid, to be restored again. Restoring
 * the snapshot last taken or restored copies back only the SRAM pages written since; any other
 * copies all of SRAM (nested snapshots: restore the inner one many times, then the outer).
 */
export function restoreSnapshot(m: Machine, s: MachineSnapshot): void {
  if (s.machine !== m) throw new Error('a snapshot is restored into the machine it was taken from');
  const c = m.cpu as unknown as Core;
  restoreCore(c, s.core);
  c.r.set(s.r);
  c.pending.set(s.pending);
  c.active.set(s.active);
  c.enabled.set(s.enabled);
  c.priority.set(s.priority);
  const faults = c.faults;
  faults.length = 0;
  for (let i = 0; i < s.faults.length; i++) faults.push(s.faults[i]);
  Object.assign(c.systick as unknown as SysTickInside, s.systick);
  m.scs.scr = s.scs.scr;
  m.scs.demcr = s.scs.demcr;
  m.scs.resetRequested = s.scs.resetRequested;
  if (m.dwt && s.dwt) Object.assign(m.dwt as unknown as DwtInside, s.dwt);
  m.bus.pc = s.bus.pc;
  m.bus.alignTrap = s.bus.alignTrap;
  (m as unknown as MachineInside).exitCode = s.exitCode;
  restoreSram(m.bus, s);
}

function restoreSram(bus: Bus, s: MachineSnapshot): void {
  const dirty = bus.dirty;
  if (markedFrom.get(bus) !== s) {
    bus.sram.set(s.sram);
    markedFrom.set(bus, s);
  } else {
    // Four pages a word, so a clean map is read in a few dozen steps; runs of marked pages are one copy each.
    const words = new Int32Array(dirty.buffer, dirty.byteOffset, dirty.length >>> 2);
    const n = dirty.length,
      size = bus.sramSize;
    let p = 0;
    while (p < n) {
      if ((p & 3) === 0 && words[p >>> 2] === 0) {
        p += 4;
        continue;
      }
      if (dirty[p] === 0) {
        p++;
        continue;
      }
      let q = p + 1;
      while (q < n && dirty[q] !== 0) q++;
      const start = p << PAGE_SHIFT,
        end = Math.min(q << PAGE_SHIFT, size);
      if (start < end) bus.sram.set(s.sram.subarray(start, end), start);
      p = q;
    }
  }
  dirty.fill(0);
}
