// A two-core result in the shape every explorer reports (explore/report.ts, sramlab.explore/1),
// for `sramlab explore --model two-core` and `sramlab merge`. What the fields count: a "point"
// is a unit of the two-core search, where the first preemption falls (the first core, and how
// many instructions it runs first; 0: no preemption at all), so points and distinct are the
// units (the same in every shard, as merge requires), explored the units this run searched to
// the end, failingStates the failing schedules, and a failure's point is its unit's. The
// schedules run and the distinct states behind them are in the verdict.

import { type ExploreFailure, type ExploreReport, verdictLine } from '../report.ts';
import { parseSchedule, type TwoCoreResult } from '../two-core.ts';

export function twoCoreReport(
  r: TwoCoreResult,
  opts: { allocator: string; elf?: string; replay: string; failureReplay?: string },
): ExploreReport {
  const op = (core: number) => r.setupOperations + 1 + core;
  // A replay (--preempt-at) is one unit: the one schedule, as the other models count one point.
  const replayCore = r.replayed === null ? -1 : (parseSchedule(r.replayed).segments[0]?.core ?? parseSchedule(r.replayed).tail);
  const units = (c: number) => (r.replayed === null ? r.unitsByCore[c]! : c === replayCore ? 1 : 0);
  const total = units(0) + units(1);
  let failure: ExploreFailure | null = null;
  if (r.failure) {
    const { segments, tail } = parseSchedule(r.failure.schedule);
    const first = segments[0];
    failure = {
      point: first ? { operation: op(first.core), instruction: first.count } : { operation: op(tail), instruction: 0 },
      at: r.failure.schedule,
      violation: r.failure.violation,
      replay: opts.failureReplay ?? opts.replay,
    };
  }
  const report: ExploreReport = {
    schema: 'sramlab.explore/1',
    model: 'two-core',
    allocator: opts.allocator,
    mcu: r.mcu,
    ...(opts.elf ? { elf: opts.elf } : {}),
    heap: r.heap,
    workload: `${r.workload}: core 0 calls ${r.calls[0]} while core 1 calls ${r.calls[1]}`,
    isr: 'none: the other core is the concurrency',
    bounds: { preemptions: r.preemptions, window: r.window, quantum: r.quantum, globalMonitor: r.globalMonitor ? 1 : 0 },
    shard: r.shard,
    points: total,
    distinct: total,
    deferred: 0,
    explored: r.replayed === null ? r.unitsRun : 1,
    failingPoints: r.replayed === null ? r.failingUnits[0] + r.failingUnits[1] : r.failing,
    failingStates: r.failing,
    operations: [0, 1].map((c) => ({
      operation: op(c),
      call: `core ${c}: ${r.calls[c]} (units starting with core ${c})`,
      instructions: r.lengths[c]!,
      points: units(c),
      distinct: units(c),
      deferred: 0,
      failing: r.replayed === null ? r.failingUnits[c]! : c === replayCore ? r.failing : 0,
    })),
    ok: r.failure === null,
    failure,
    verdict: '',
    replay: opts.replay,
    seconds: r.seconds,
  };
  // The verdict every explore report gives (and sramlab merge recomputes): over units here; the
  // schedules themselves are counted in the two-core result (TwoCoreResult.verdict).
  report.verdict = verdictLine(report);
  return report;
}
