// A two-core result in the shape every explorer reports (explore/report.ts, sramlab.explore/1),
// for `sramlab explore --model two-core` and `sramlab merge`. How the fields map:
// points = schedules run (in this shard), distinct = distinct states entered, explored = the
// same (every distinct state's schedule is run to the end), deferred = 0 (no interrupts), one
// OperationCoverage per core's call, and a failure's point = the operation of the core that
// broke the rule and the length of the schedule's first segment; `at` is the schedule's text.

import type { ExploreFailure, ExploreReport } from '../report.ts';
import type { TwoCoreResult } from '../two-core.ts';

export function twoCoreReport(
  r: TwoCoreResult,
  opts: { allocator: string; elf?: string; replay: string; failureReplay?: string },
): ExploreReport {
  const first = r.failure ? /^[01]:(\d+)/.exec(r.failure.schedule) : null;
  const failure: ExploreFailure | null = r.failure
    ? {
        point: { operation: r.failure.violation.operation, instruction: first ? Number(first[1]) : 0 },
        at: r.failure.schedule,
        violation: r.failure.violation,
        replay: opts.failureReplay ?? opts.replay,
      }
    : null;
  return {
    schema: 'sramlab.explore/1',
    model: 'two-core',
    allocator: opts.allocator,
    mcu: r.mcu,
    ...(opts.elf ? { elf: opts.elf } : {}),
    heap: r.heap,
    workload: `${r.workload}: core 0 ${r.calls[0]}, core 1 ${r.calls[1]}, at once`,
    isr: `none: core 1 calls ${r.calls[1]}`,
    bounds: { preemptions: r.preemptions, window: r.window, quantum: r.quantum, globalMonitor: r.globalMonitor ? 1 : 0 },
    shard: r.shard,
    points: r.schedules,
    distinct: r.distinct,
    deferred: 0,
    explored: r.distinct,
    failingPoints: r.failing,
    failingStates: r.failing,
    operations: [0, 1].map((c) => ({
      operation: r.setupOperations + 1 + c,
      call: `core ${c}: ${r.calls[c]}`,
      instructions: r.lengths[c]!,
      points: r.schedules,
      distinct: r.distinct,
      deferred: 0,
      failing: r.failure?.core === c ? r.failing : 0,
    })),
    ok: r.failure === null,
    failure,
    verdict: r.verdict,
    replay: opts.replay,
    seconds: r.seconds,
  };
}
