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

import { PAGE_SHIFT, type Bus } from './bus.ts';
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
      'pc', 'npc', 'fN', 'fZ', 'fC', 'fV', 'fQ', 'ge', 'tbit', 'ipsr', 'primask', 'control', 'otherSP',
      'eventRegister', 'itstate', 'exclusiveAddress', 'exclusiveSize', 'basepri', 'faultmask', 'ccr', 'groupMask',
      'cfsr', 'hfsr', 'mmfar', 'bfar', 'vtor', 'cycles', 'instructions', 'lastSingleAccess', 'eventAt',
      'budgetEnd', 'interruptAt', 'interruptIrq', 'stopReason', 'excReturnPending', 'excReturnFrom', 'faultMode',
      'minSP', 'stackLimit',
    ],
    savedArrays: ['r', 'pending', 'active', 'enabled', 'priority'],
    notSaved: [
      'profile', 'bus', 't', 'decode', 'systick', 'h16', 'scratch', 'faults' /* saved as a list of reports */,
      'onStackLimit', 'onBkpt', 'onSvc', 'describePC', 'onInstruction', 'hostVector', 'onExceptionReturn',
    ],
  },
  systick: { saved: ['enable', 'tickint', 'countflag', 'rvr', 'zeroAt', 'restAt', 'frozen'], savedArrays: [], notSaved: ['cpu'] },
  scs: { saved: ['scr', 'demcr', 'resetRequested'], savedArrays: [], notSaved: ['cpu', 'name', 'onDemcrChange'] },
  dwt: { saved: ['ctrl', 'base', 'since', 'running'], savedArrays: [], notSaved: ['cpu', 'scs', 'name'] },
  bus: {
    saved: ['pc', 'alignTrap'],
    savedArrays: [],
    notSaved: [
      'flash', 'flashSize', 'sramSize', 'flash16', 'flash32', 'devices', 'checker', 'checkers',
      'sram', 'sram16', 'sram32', 'dirty' /* SRAM is saved by pages, below */,
    ],
  },
  machine: {
    saved: ['exitCode'],
    savedArrays: [],
    notSaved: ['profile', 'bus', 'cpu', 'scs', 'dwt', 'image', 'symbols', 'semihosting', 'onOutput'],
  },
} as const;

type Part = keyof typeof SNAPSHOT_FIELDS;
type Fields = Record<string, unknown>;

/** A saved machine. Opaque to callers: take it with takeSnapshot, put it back with restoreSnapshot. */
export interface MachineSnapshot {
  readonly machine: Machine;
  readonly scalars: Readonly<Record<Part, readonly unknown[]>>;
  readonly arrays: readonly (Int32Array | Uint8Array | Int16Array)[];
  readonly faults: readonly FaultReport[];
  readonly sram: Uint8Array;
}

/** The snapshot each bus's dirty marks count from. */
const markedFrom = new WeakMap<Bus, MachineSnapshot>();

function partsOf(m: Machine): Record<Part, Fields | null> {
  return {
    cpu: m.cpu as unknown as Fields, systick: m.cpu.systick as unknown as Fields, scs: m.scs as unknown as Fields,
    dwt: m.dwt as unknown as Fields | null, bus: m.bus as unknown as Fields, machine: m as unknown as Fields,
  };
}

const PARTS = Object.keys(SNAPSHOT_FIELDS) as Part[];

/** Saves the whole state of m. Costs one copy of SRAM; take it between runs or from cpu.onInstruction. */
export function takeSnapshot(m: Machine): MachineSnapshot {
  const parts = partsOf(m);
  const scalars = {} as Record<Part, unknown[]>;
  const arrays: (Int32Array | Uint8Array | Int16Array)[] = [];
  for (const p of PARTS) {
    const obj = parts[p];
    scalars[p] = obj === null ? [] : SNAPSHOT_FIELDS[p].saved.map((k) => obj[k]);
    if (obj !== null) for (const k of SNAPSHOT_FIELDS[p].savedArrays) arrays.push((obj[k] as Int32Array).slice());
  }
  const snap: MachineSnapshot = { machine: m, scalars, arrays, faults: m.cpu.faults.slice(), sram: m.bus.sram.slice() };
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
  const parts = partsOf(m);
  let a = 0;
  for (const p of PARTS) {
    const obj = parts[p];
    if (obj === null) continue;
    const names = SNAPSHOT_FIELDS[p].saved, values = s.scalars[p];
    for (let i = 0; i < names.length; i++) obj[names[i]] = values[i];
    for (const k of SNAPSHOT_FIELDS[p].savedArrays) (obj[k] as Int32Array).set(s.arrays[a++] as Int32Array);
  }
  const faults = m.cpu.faults;
  faults.length = 0;
  for (const f of s.faults) faults.push(f);
  restoreSram(m.bus, s);
}

function restoreSram(bus: Bus, s: MachineSnapshot): void {
  const dirty = bus.dirty;
  if (markedFrom.get(bus) !== s) {
    bus.sram.set(s.sram);
    markedFrom.set(bus, s);
  } else {
    // Runs of marked pages, one copy each.
    const n = dirty.length, size = bus.sramSize;
    for (let p = 0; p < n; p++) {
      if (dirty[p] === 0) continue;
      let q = p + 1;
      while (q < n && dirty[q] !== 0) q++;
      const start = p << PAGE_SHIFT, end = Math.min(q << PAGE_SHIFT, size);
      bus.sram.set(s.sram.subarray(start, end), start);
      p = q;
    }
  }
  dirty.fill(0);
}
