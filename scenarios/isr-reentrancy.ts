// isr-reentrancy: interrupts that allocate while thread mode is inside the allocator, explored
// at every instruction boundary (explore/preempt.ts). After six allocations populate the heap,
// each of three thread-mode calls — sl_alloc(64, 8), a free, a realloc — is interrupted at every
// boundary inside it, each time from a snapshot, by IRQ 0 whose handler allocates, reallocates
// and frees (emulator/host-irq.ts: real exception entry and return, nothing linked into the
// image); the interrupted call then completes and is checked, and the allocator must still serve
// with nothing lost. Points that come to the same state when the IRQ is taken are run once. An
// allocator behind a spin lock deadlocks (the handler spins on a lock the thread holds); a
// lock-free one, or one that masks interrupts, passes at every point. The exploration itself is
// quiet; what listeners hear (views, traces) is the first failing point run again, or, when every
// point is safe, each call interrupted halfway. `--preempt-at OP:INSTRUCTION` runs one point.

import type { LeakBaseline } from '../checks/leak.ts';
import type { Session } from '../checks/session.ts';
import { hex } from '../emulator/elf.ts';
import { driveWorkload, type Exploration, Explorer, emptyExploration } from '../explore/preempt.ts';
import type { PreemptPoint } from '../explore/report.ts';
import { ISR_WORKLOAD } from '../explore/workload.ts';

export const description =
  'IRQ 0 allocates, reallocates and frees at every instruction boundary of three thread-mode calls: spin locks deadlock, lock-free and interrupt-masking allocators pass';

/** Explored operations of the workload, by default all three. */
export const ISR_OPERATIONS = 3;

/** What the exploration of a run covered (runScenario reports it). */
export interface PreemptionCoverage extends Exploration {
  /** One line: "safe at all 1,234 preemption points explored (567 distinct states)". */
  verdict: string;
  /** The point a replay ran, when the run was one (--preempt-at). */
  at?: PreemptPoint;
}

const coverage = new WeakMap<Session, PreemptionCoverage>();

/** The coverage of a session's isr-reentrancy run (undefined for any other run). */
export const preemptionCoverage = (s: Session): PreemptionCoverage | undefined => coverage.get(s);

export function isrReentrancy(s: Session, base: LeakBaseline, at?: PreemptPoint): void {
  const x = new Explorer(s, base, {
    model: 'isr',
    bounds: { operations: ISR_OPERATIONS, inner: 0, ticks: 1, period: 0 },
    stopAtFirst: true,
  });
  const out: PreemptionCoverage = { ...emptyExploration(), verdict: '' };
  coverage.set(s, out);
  try {
    if (at) {
      out.at = at;
      out.verdict = `replayed preemption point ${at.operation}:${at.instruction} alone`;
      driveWorkload(x, ISR_WORKLOAD, { explore: false, at }, out);
      out.verdict = `safe at preemption point ${at.operation}:${at.instruction} (replayed alone)`;
      return;
    }
    driveWorkload(x, ISR_WORKLOAD, { explore: true, show: true }, out);
    out.verdict = verdictOf(out);
  } catch (e) {
    if (!at) out.verdict = verdictOf(out);
    throw e;
  } finally {
    x.dispose();
  }
  s.freeAll();
}

function verdictOf(c: Exploration): string {
  const n = (v: number) => v.toLocaleString('en');
  const states = `${n(c.distinct)} distinct state${c.distinct === 1 ? '' : 's'}`;
  const masked = c.deferred ? `, ${n(c.deferred)} taken late because interrupts were masked` : '';
  if (!c.first) return `safe at all ${n(c.points)} preemption points explored (${states}${masked})`;
  return `unsafe at preemption point ${c.first.operation}:${c.first.instruction}, the first of ${n(c.points)} explored in order (${states}${masked})`;
}

/**
 * The deadlock in a few lines for the terminal (null for any other violation): what this run
 * saw — the call that holds the lock and where it was interrupted, the PC that spins — then why
 * it can never end and what an allocator does instead. The facts come from the violation.
 */
export function explainDeadlock(v: {
  rule: string;
  message: string;
  operation: number;
  pc?: number;
  symbol?: string;
  source?: string;
}): string[] | null {
  // The message the explorer gives a deadlock (explore/preempt.ts).
  const m =
    /^deadlock: (IRQ \d+|SysTick)'s (sl_\w+) spins at (.+?) and never returns; the (.+?) it interrupted at (.+?) cannot run again until it does(?: \(the interrupted call: (.+); the handler's: (.+)\))?/.exec(
      v.message,
    );
  if (v.rule !== 'liveness' || !m) return null;
  const [, source, isrName, spin, holder, resumeAt, threadCall, inCall] = m;
  const isrCall = inCall ?? isrName;
  const held = holder!.startsWith('thread-mode ') && threadCall ? `thread-mode ${threadCall}` : holder;
  const spinAt = v.pc !== undefined ? [hex(v.pc), v.symbol, v.source].filter(Boolean).join(' ') : spin;
  return [
    'Why this is a deadlock:',
    `  Who holds the lock: operation ${v.operation}, the ${held}. It took the allocator's lock, and ${source} interrupted it at ${resumeAt}.`,
    `  Who spins: ${source}'s handler calls ${isrCall}, which waits for that lock at ${spinAt}.`,
    `  Why it never ends: the handler runs at a higher priority than thread mode, so the interrupted call cannot run again — and release the lock — until the handler returns; the handler returns only once the lock is free.`,
    `  What works instead: an allocator that masks interrupts (PRIMASK) around its critical section keeps the IRQ pending until the call is done; a lock-free one (slab here) never waits on the call it interrupted: it claims a slot with one atomic step (LDREX/STREX on ARMv7-M; ARMv6-M has no such instructions, so there the step itself runs with interrupts masked).`,
  ];
}
