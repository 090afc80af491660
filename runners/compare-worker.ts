// One compare worker: runs the scenario jobs it is sent and posts each result back.
import { parentPort } from 'node:worker_threads';
import { runScenario, type ScenarioParams } from '../scenarios/index.ts';
import type { CompareJob } from './compare.ts';
import type { LoadOptions } from './image.ts';

parentPort!.on('message', (m: { i: number; job: CompareJob; params: ScenarioParams; load: LoadOptions }) => {
  try {
    const result = runScenario(m.job.scenario, m.job.allocator, m.job.mcu, m.params, m.load);
    parentPort!.postMessage({ i: m.i, result });
  } catch (e) {
    parentPort!.postMessage({ i: m.i, error: `${m.job.scenario} on ${m.job.allocator}/${m.job.mcu}: ${(e as Error).message}` });
  }
});
