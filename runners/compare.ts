// `sramlab compare`: every chosen scenario on every chosen allocator × profile, spread over
// worker threads (one per core), results in a fixed order whatever the finishing order.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { runScenario, type ScenarioParams, type ScenarioResult } from '../scenarios/index.ts';
import { pickShard, type Shard, WHOLE } from '../shard/partition.ts';
import type { LoadOptions } from './image.ts';

/** Workers load the TypeScript worker through tsx, as the CLI itself does. */
const WORKER_BOOT =
  `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
  `.then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./compare-worker.ts', import.meta.url).href)}); })`;

export interface CompareJob {
  scenario: string;
  allocator: string;
  mcu: string;
}

export interface CompareOptions extends ScenarioParams {
  scenarios: string[];
  allocators: string[];
  mcus: string[];
  /** Worker threads (default: one per core; 1 runs in this thread). */
  workers?: number;
  /** How each image is loaded (e.g. force: run a user's image built for another architecture). */
  load?: LoadOptions;
  /** --shard: run only this part of the jobs (default: the whole). */
  shard?: Shard;
}

export interface CompareReport {
  schema: 'sramlab.compare/1';
  seed: number;
  ops: number;
  heap: number | null;
  results: ScenarioResult[];
}

export function jobsOf(o: CompareOptions): CompareJob[] {
  return o.allocators.flatMap((allocator) => o.mcus.flatMap((mcu) => o.scenarios.map((scenario) => ({ scenario, allocator, mcu }))));
}

/** The jobs this run does: its shard's, in the whole's order. */
export const shardJobsOf = (o: CompareOptions): CompareJob[] => pickShard(jobsOf(o), o.shard ?? WHOLE);

export async function compare(o: CompareOptions, onProgress?: (done: number, total: number) => void): Promise<CompareReport> {
  const jobs = shardJobsOf(o);
  const params: ScenarioParams = { seed: o.seed, ops: o.ops, heap: o.heap };
  const width = Math.max(1, Math.min(o.workers ?? availableParallelism(), jobs.length));
  const results: ScenarioResult[] = new Array(jobs.length);
  let done = 0;
  const finish = (i: number, r: ScenarioResult) => {
    results[i] = r;
    onProgress?.(++done, jobs.length);
  };
  if (width === 1) {
    jobs.forEach((j, i) => {
      finish(i, runScenario(j.scenario, j.allocator, j.mcu, params, o.load));
    });
  } else {
    let next = 0;
    const worker = () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(WORKER_BOOT, { eval: true });
        const feed = () => {
          if (next >= jobs.length) {
            void w.terminate();
            resolve();
            return;
          }
          const i = next++;
          w.postMessage({ i, job: jobs[i], params, load: o.load ?? {} });
        };
        w.on('message', (m: { i: number; result?: ScenarioResult; error?: string }) => {
          if (m.error) {
            void w.terminate();
            reject(new Error(m.error));
            return;
          }
          finish(m.i, m.result!);
          feed();
        });
        w.on('error', reject);
        feed();
      });
    await Promise.all(Array.from({ length: width }, worker));
  }
  return { schema: 'sramlab.compare/1', seed: o.seed, ops: o.ops, heap: o.heap ?? null, results };
}
