// The figures an engineer choosing an allocator reads: the p99 and the worst cycles of each
// kind of call, the same in microseconds at the profile's clock, and the peak stack.
//
// The clock is the one each profile declares (emulator/profiles.ts), the top clock of the
// typical part it is modelled on. Microseconds are cycles ÷ MHz: the cycle model is the TRMs'
// zero-wait-state timing, so a part running from flash with wait states takes longer.

import type { OpKind } from '../checks/session.ts';
import { PROFILES } from '../emulator/profiles.ts';
import type { ScenarioResult } from '../scenarios/index.ts';

export const OP_KINDS: readonly OpKind[] = ['alloc', 'dealloc', 'realloc'];

/** The profile's clock in MHz, or undefined for a profile this build does not know. */
export function clockMHz(mcu: string): number | undefined {
  const hz = PROFILES[mcu]?.clockHz;
  return hz ? hz / 1e6 : undefined;
}

/** The typical part a profile is modelled on, as its summary names it ("like an STM32F091"). */
export function typicalPart(mcu: string): string | undefined {
  return PROFILES[mcu]?.summary.match(/like an? ([^)]+)\)?$/)?.[1];
}

/** Microseconds to three significant figures at most (0.54, 10.5, 123), never in exponent form. */
export function formatMicros(us: number): string {
  if (us < 10) return us.toFixed(2);
  if (us < 100) return us.toFixed(1);
  return us.toFixed(0);
}

/** A figure and where it was measured. */
export interface Measured {
  value: number;
  scenario: string;
}

/** One allocator × profile over several scenarios: per kind, the highest p99 and the worst call; the peak stack. */
export interface Worst {
  p99: Partial<Record<OpKind, Measured>>;
  max: Partial<Record<OpKind, Measured>>;
  peakStack?: Measured;
}

/**
 * The worst figures over runs of one allocator on one profile. Runs made to break a rule on
 * purpose (stack-collision, no-cas on ARMv6-M: `expected` set) stop at their first call and say
 * nothing about speed, so they are left out; a run that broke a rule counts the calls before it.
 */
export function worstOf(runs: readonly ScenarioResult[]): Worst {
  const w: Worst = { p99: {}, max: {} };
  const raise = (slot: Measured | undefined, value: number, scenario: string) => (!slot || value > slot.value ? { value, scenario } : slot);
  for (const r of runs) {
    if (r.expected !== undefined) continue;
    for (const k of OP_KINDS) {
      const c = r.stats[k].cycles;
      if (c.count === 0) continue;
      w.p99[k] = raise(w.p99[k], c.p99, r.scenario);
      w.max[k] = raise(w.max[k], c.max, r.scenario);
    }
    if (r.operations > 0) w.peakStack = raise(w.peakStack, r.peakStackBytes, r.scenario);
  }
  return w;
}
