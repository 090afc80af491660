// The result of one exploration (sramlab.explore/1): which preemption points were explored, how
// many distinct machine states they came to, and the verdict — safe at every point explored, or
// the first failing point with its replay. Every explorer (the preemption models here and the
// two-core model) reports in this shape, so `sramlab merge` and the JSON readers need one type.

import type { SessionViolation } from '../checks/session.ts';
import type { ShardInfo } from '../shard/info.ts';
import type { Shard } from '../shard/partition.ts';

/**
 * Where an exploration interrupts: operation (1-based, as SessionViolation numbers them) and the
 * instruction boundary inside that call (0 = before its first instruction). inner: for a model
 * that nests (the second IRQ, a further SysTick tick), the boundary inside the first handler.
 */
export interface PreemptPoint {
  operation: number;
  instruction: number;
  inner?: number;
}

/** "3:41", or "3:41:7" with an inner boundary: what --preempt-at takes and reports print. */
export const pointText = (p: PreemptPoint): string => `${p.operation}:${p.instruction}${p.inner !== undefined ? `:${p.inner}` : ''}`;

/** Orders points as the explorer visits them: operation, then boundary, then inner boundary. */
export function comparePoints(a: PreemptPoint, b: PreemptPoint): number {
  return a.operation - b.operation || a.instruction - b.instruction || (a.inner ?? -1) - (b.inner ?? -1);
}

/** One operation of the workload and what was explored inside it. */
export interface OperationCoverage {
  operation: number;
  /** The thread-mode call as the host made it: "sl_alloc(64, 8)". */
  call: string;
  /** Instructions of the call run uninterrupted: its boundaries are 0 … instructions − 1. */
  instructions: number;
  /** Points explored in it (every boundary, times the inner boundaries for a nesting model). */
  points: number;
  /** Distinct states at the moment an interrupt was taken (the dedup key), first seen in this operation. */
  distinct: number;
  /** Points whose interrupt was taken later than pended, because the call masked interrupts there. */
  deferred: number;
  /** Points whose state failed (counted by the shards that explored them). */
  failing: number;
}

/** The first failing point (in point order among those this run explored), and why it failed. */
export interface ExploreFailure {
  point: PreemptPoint;
  /** pointText(point). */
  at: string;
  violation: SessionViolation;
  /** For a deadlock: who holds the lock, which PC spins (lines for the terminal). */
  explanation?: string[];
  /** The command that runs exactly this point again. */
  replay: string;
}

export interface ExploreReport {
  schema: 'sramlab.explore/1';
  /** The interrupt model: 'isr', 'nested', 'systick' (explore/models.ts), or 'two-core'. */
  model: string;
  allocator: string;
  mcu: string;
  /** The ELF explored, when it was not a built-in allocator's committed image. */
  elf?: string;
  heap: number;
  /** The workload whose operations are interrupted, in words. */
  workload: string;
  /** What the handler does, in words ("sl_alloc(32, 4), sl_realloc(…, 48), sl_dealloc(…)"). */
  isr: string;
  /** The model's bounds by name (operations, depth, ticks, inner points …), as run. */
  bounds: Record<string, number>;
  /**
   * This run's share of the states; null: the whole exploration. With --shard the CLI writes
   * the full ShardInfo (total, items, run, version), what `sramlab merge` checks.
   */
  shard: Shard | ShardInfo | null;
  /** Every preemption point of the workload (the same in every shard). */
  points: number;
  /** Distinct states among them (the same in every shard). */
  distinct: number;
  /** Points taken later than pended (interrupts masked there). */
  deferred: number;
  /** Distinct states this run explored to the end (all of them unsharded; its share in a shard). */
  explored: number;
  /** Points, and distinct states, that failed among those explored. */
  failingPoints: number;
  failingStates: number;
  operations: OperationCoverage[];
  ok: boolean;
  /** The first failing point, or null when every point explored was safe. */
  failure: ExploreFailure | null;
  /** One line: "safe at all 1,234 preemption points explored (567 distinct states)" or the failure. */
  verdict: string;
  /** The command that runs this exploration again. */
  replay: string;
  /** Wall time of the exploration. */
  seconds: number;
}

const n = (x: number) => x.toLocaleString('en');

/** The verdict line of a report's figures (also what isr-reentrancy's summary says). */
export function verdictLine(r: Pick<ExploreReport, 'points' | 'distinct' | 'deferred' | 'failingPoints' | 'failure' | 'shard'>): string {
  const states = `${n(r.distinct)} distinct state${r.distinct === 1 ? '' : 's'}`;
  const masked = r.deferred ? `, ${n(r.deferred)} taken late because interrupts were masked` : '';
  const of = r.shard && r.shard.count > 1 ? ` (shard ${r.shard.index}/${r.shard.count})` : '';
  if (!r.failure) return `safe at all ${n(r.points)} preemption point${r.points === 1 ? '' : 's'} explored (${states}${masked})${of}`;
  return (
    `unsafe: ${n(r.failingPoints)} of ${n(r.points)} preemption points fail (${states}${masked})${of}; ` +
    `first at ${r.failure.at}: ${r.failure.violation.rule}: ${r.failure.violation.message}`
  );
}
