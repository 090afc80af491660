// One preemption exploration of an image, as `sramlab explore` runs it: load the image (a
// built-in allocator's or a user's ELF), bring the heap up, drive the workload through the
// explorer, then run the first failing point once more to report its violation as the session
// states it, and put it all in an ExploreReport (sramlab.explore/1).

import { leakBaseline } from '../checks/leak.ts';
import { Session, type SessionViolation, ViolationError } from '../checks/session.ts';
import { AllocatorImage, isElfPath } from '../runners/image.ts';
import { explainDeadlock } from '../scenarios/isr-reentrancy.ts';
import type { Shard } from '../shard/partition.ts';
import { ISR_SCRIPT_TEXT } from './isr-script.ts';
import { type Bounds, driveWorkload, Explorer, emptyExploration, type ModelName } from './preempt.ts';
import { type ExploreFailure, type ExploreReport, type PreemptPoint, pointText, verdictLine } from './report.ts';
import { ISR_WORKLOAD, type Workload } from './workload.ts';

export interface PreemptRequest {
  model: ModelName;
  /** A built-in allocator's name, or a path to an ELF built to the ABI. */
  allocator: string;
  mcu: string;
  heap: number;
  bounds: Bounds;
  shard: Shard | null;
  /** Run just this point. */
  at?: PreemptPoint;
  force?: boolean;
  workload?: Workload;
  /** The command that runs this exploration again (the CLI's). */
  replay: string;
}

const SLAB_SLOT_SYMBOL = 'sl_slab_slot_size';

export function explorePreemption(req: PreemptRequest): ExploreReport {
  const t0 = performance.now();
  const img = AllocatorImage.load(req.allocator, req.mcu, req.force ? { force: true } : {});
  const region = img.layout.heapRegion.end - img.layout.heapRegion.start;
  const heap = Math.min(req.heap, region);
  if (img.machine.symbol(SLAB_SLOT_SYMBOL) !== undefined) img.write32(img.address(SLAB_SLOT_SYMBOL), 64);
  const s = new Session(img);
  s.init(heap);
  const base = leakBaseline(s);
  const workload = req.workload ?? ISR_WORKLOAD;
  const x = new Explorer(s, base, { model: req.model, bounds: req.bounds, ...(req.shard ? { shard: req.shard } : {}) });
  const out = emptyExploration();
  let failure: ExploreFailure | null = null;
  const failAt = (point: PreemptPoint, v: SessionViolation): ExploreFailure => {
    const why = explainDeadlock(v);
    return {
      point,
      at: pointText(point),
      violation: v,
      ...(why ? { explanation: why } : {}),
      replay: `${req.replay} --preempt-at ${pointText(point)}`,
    };
  };
  try {
    if (req.at) {
      try {
        driveWorkload(x, workload, { explore: false, at: req.at }, out);
      } catch (e) {
        if (!(e instanceof ViolationError)) throw e;
        failure = failAt(req.at, e.violation);
      }
      out.points = out.distinct = out.explored = 1;
      if (failure) out.failingPoints = out.failingStates = 1;
    } else {
      const first = driveWorkload(x, workload, { explore: true }, out);
      if (first) {
        const p = x.before.get(first.operation)!;
        try {
          x.runPoint(p.op, p.blocks, first, true);
          throw new Error(`preemption point ${pointText(first)} failed while exploring and passed when run again`);
        } catch (e) {
          if (!(e instanceof ViolationError)) throw e;
          failure = failAt(first, e.violation);
        }
      }
    }
  } finally {
    x.dispose();
  }
  const figures = { ...out, failure, shard: req.shard };
  return {
    schema: 'sramlab.explore/1',
    model: req.model,
    allocator: req.allocator,
    mcu: req.mcu,
    ...(isElfPath(req.allocator) ? { elf: req.allocator } : {}),
    heap,
    workload: workload.description,
    isr: isrText(req.model),
    bounds: boundsOf(req),
    shard: req.shard,
    points: out.points,
    distinct: out.distinct,
    deferred: out.deferred,
    explored: out.explored,
    failingPoints: out.failingPoints,
    failingStates: out.failingStates,
    operations: out.operations,
    ok: failure === null,
    failure,
    verdict: req.at
      ? `${failure ? 'unsafe' : 'safe'} at preemption point ${pointText(req.at)} (run alone)${failure ? `: ${failure.violation.rule}: ${failure.violation.message}` : ''}`
      : verdictLine(figures),
    replay: req.replay,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The bounds as the report lists them: those of the model, the rest left out. */
function boundsOf(req: PreemptRequest): Record<string, number> {
  const b = req.bounds;
  if (req.model === 'nested') return { operations: b.operations, inner: b.inner };
  if (req.model === 'systick') return { operations: b.operations, ticks: b.ticks, period: b.period };
  return { operations: b.operations };
}

function isrText(model: ModelName): string {
  if (model === 'nested') return `IRQ 0 (priority 0x80) and, inside its handler, IRQ 1 (priority 0x40), each: ${ISR_SCRIPT_TEXT}`;
  if (model === 'systick') return `SysTick (priority 0x40), each tick: ${ISR_SCRIPT_TEXT}`;
  return `IRQ 0 (priority 0): ${ISR_SCRIPT_TEXT}`;
}
