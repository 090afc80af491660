// The two-core model as `sramlab explore --model two-core` runs it: the request the CLI builds
// (--mcu rp2040|dual-cortex-m3, the model's bounds, --preempt-at with a schedule, --shard k/n),
// the exploration, and the result as an ExploreReport (sramlab.explore/1) whose failure replays
// with --preempt-at and the failing schedule.

import { allocatorName, isElfPath } from '../../runners/image.ts';
import type { Shard } from '../../shard/partition.ts';
import type { ExploreReport } from '../report.ts';
import { exploreTwoCore, type TwoCoreOptions, type Workload } from '../two-core.ts';
import { twoCoreReport } from './report.ts';

export interface TwoCoreRequest {
  /** A built-in allocator's name, or a path to an ELF built to the ABI. */
  allocator: string;
  mcu: string;
  preemptions?: number;
  window?: number;
  workload?: Workload;
  globalMonitor?: boolean;
  sioBuild?: boolean;
  heap?: number;
  shard: Shard | null;
  /** Run just this schedule ("0:8,1:15,0"). */
  schedule?: string;
  force?: boolean;
  /** The command that runs this exploration again (the CLI's, without --preempt-at). */
  replay: string;
}

export function exploreTwoCoreRequest(req: TwoCoreRequest): ExploreReport {
  // Every unit is searched to the end, failing or not, as the other models do: the counts then
  // say how much fails, and shards merge to exactly the unsharded run.
  const opts: TwoCoreOptions = {
    mcu: req.mcu,
    all: true,
    ...(req.preemptions !== undefined ? { preemptions: req.preemptions } : {}),
    ...(req.window !== undefined ? { window: req.window } : {}),
    ...(req.workload ? { workload: req.workload } : {}),
    ...(req.globalMonitor !== undefined ? { globalMonitor: req.globalMonitor } : {}),
    ...(req.sioBuild ? { sioBuild: true } : {}),
    ...(req.heap !== undefined ? { heapSize: req.heap } : {}),
    ...(req.shard ? { shard: req.shard } : {}),
    ...(req.schedule !== undefined ? { schedule: req.schedule } : {}),
    ...(req.force ? { force: true } : {}),
  };
  const r = exploreTwoCore(req.allocator, opts);
  return twoCoreReport(r, {
    allocator: allocatorName(req.allocator),
    ...(isElfPath(req.allocator) ? { elf: req.allocator } : {}),
    replay: req.replay,
    ...(r.failure ? { failureReplay: `${req.replay} --preempt-at ${r.failure.schedule}` } : {}),
  });
}
