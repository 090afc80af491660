// A global exclusive monitor for two ARMv7-M cores sharing SRAM (ARMv7-M ARM A3.4.2, "The global
// monitor"). Each Cpu keeps its local monitor (Cpu.exclusiveAddress); what a second core adds is
// that a store by one core to memory the other core has tagged clears the other core's tag, so
// the other core's STREX then fails. Without it, two cores that both LDREX a free lock and both
// STREX it would both succeed: the lock would not exclude.
//
// The tagged block (the exclusives reservation granule) is IMPLEMENTATION DEFINED; this model
// tags one aligned GRANULE-byte block. A store that overlaps the other core's block clears its
// tag whatever the value stored, as on silicon (the monitor watches addresses, not data).
//
// Installed as one bus checker per core: the checker sees every store the core makes (STREX
// that passes, plain stores, exception stacking) before it reaches memory.

import type { Checker } from './bus.ts';
import type { Machine } from './machine.ts';

/** Bytes of one tagged block in this model (an aligned block; silicon's size is IMPLEMENTATION DEFINED). */
export const GRANULE = 8;

/** The checker for `from`'s bus: its stores clear `other`'s tag when they touch the tagged block. */
export function globalMonitorChecker(other: Machine): Checker {
  const cpu = other.cpu;
  return (_pc, address, size, kind) => {
    if (kind !== 'store') return;
    const tag = cpu.exclusiveAddress;
    if (tag === -1) return;
    const block = (tag & ~(GRANULE - 1)) >>> 0;
    if (address + size > block && address < block + GRANULE) cpu.clearExclusiveLocal();
  };
}

/** Wires the monitor between two cores; returns the function that takes it off again. */
export function installGlobalMonitor(a: Machine, b: Machine): () => void {
  const ca = globalMonitorChecker(b),
    cb = globalMonitorChecker(a);
  a.addChecker(ca);
  b.addChecker(cb);
  return () => {
    a.removeChecker(ca);
    b.removeChecker(cb);
  };
}
