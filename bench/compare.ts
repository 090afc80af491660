// `npm run bench:compare`: wall time of a full `sramlab compare` (every allocator × profile ×
// scenario at default sizes, one worker per core), beside the 2-minute budget, in one run.

import { availableParallelism } from 'node:os';
import { PROFILES } from '../emulator/profiles.ts';
import { compare } from '../runners/compare.ts';
import { ALLOCATORS } from '../runners/image.ts';
import { SCENARIOS } from '../scenarios/index.ts';

const BUDGET_S = 120;
const o = {
  allocators: ALLOCATORS.map((a) => a.name),
  mcus: Object.keys(PROFILES),
  scenarios: SCENARIOS.map((s) => s.name),
  seed: 1,
  ops: 1000,
};
const t0 = performance.now();
const report = await compare(o);
const secs = (performance.now() - t0) / 1000;
const instructions = report.results.reduce(
  (n, r) =>
    n +
    r.stats.alloc.instructions.mean * r.stats.alloc.instructions.count +
    r.stats.dealloc.instructions.mean * r.stats.dealloc.instructions.count +
    r.stats.realloc.instructions.mean * r.stats.realloc.instructions.count,
  0,
);
console.log(
  `full compare: ${report.results.length} runs (${o.allocators.length} allocators × ${o.mcus.length} profiles × ${o.scenarios.length} scenarios) on ${availableParallelism()} cores`,
);
console.log(
  `  sramlab  ${secs.toFixed(1).padStart(6)} s   (budget ${BUDGET_S} s)   ${(instructions / 1e6).toFixed(1)} M allocator instructions`,
);
console.log(JSON.stringify({ compare_seconds: Math.round(secs * 10) / 10, budget_seconds: BUDGET_S, runs: report.results.length }));
