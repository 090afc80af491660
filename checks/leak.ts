// The leak rule (check 7), in one place: with every block freed, the allocator serves again the
// largest block it served right after sl_init. runScenario applies it at the end of every run
// that is not meant to stop at another rule (Scenario.leak says where it does not run, and why);
// fill-and-drain applies it after each of its drains, and `sramlab fuzz` after each sequence.
//
// Cheap by design: right after sl_init only SRAM is copied. The baseline (the largest block the
// fresh heap serves) is measured at the end, by bisection on that copy, so a workload's own
// violation is found in the workload, not while measuring; and it is measured once however often
// the rule runs. When nothing leaked, the check itself is one sl_alloc probe; a second bisection
// runs only to report how much is gone. Probes run on copies of SRAM: the run is not disturbed.

import type { Session } from './session.ts';

/** SRAM as sl_init left it, and the largest block that heap serves once it has been measured. */
export interface LeakBaseline {
  readonly fresh: Uint8Array;
  largest: number | null;
}

/** Call right after sl_init: a copy of SRAM, nothing measured yet. */
export function leakBaseline(s: Session): LeakBaseline {
  return { fresh: s.image.machine.bus.sram.slice(), largest: null };
}

/** The largest block the fresh heap served (bisection on the copy, the first time only). */
export function largestAtStart(s: Session, base: LeakBaseline): number {
  if (base.largest === null) {
    const sram = s.image.machine.bus.sram;
    const now = sram.slice();
    sram.set(base.fresh);
    try {
      base.largest = s.largestBlock();
    } finally {
      sram.set(now);
    }
  }
  return base.largest;
}

/**
 * Frees every block still live (oldest first), then breaks the leak rule when the allocator no
 * longer serves the largest block the fresh heap served. `freed` says how the blocks were freed.
 */
export function checkNoLeak(s: Session, base: LeakBaseline, freed?: string): void {
  s.freeAll();
  freed ??= `after ${s.operations} operations`;
  const start = largestAtStart(s, base);
  if (start === 0 || s.fits(start)) return;
  const now = s.largestBlock(4, start - 1);
  s.fail({ rule: 'leak', message: leakMessage(freed, now, start, s.heap.end - s.heap.start) });
}

/** The facts: the largest block now and right after sl_init, against the whole heap. */
export function leakMessage(freed: string, now: number, start: number, heapBytes: number): string {
  return (
    `with every block freed ${freed}, the largest allocatable block is ${now} bytes of the ${heapBytes}-byte heap; ` +
    `right after sl_init it was ${start} (${start - now} bytes fewer)`
  );
}
