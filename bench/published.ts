// `npm run bench:published`: the seeds' published comparisons (galloc's random_actions and
// heap_exhaustion, simple-chunk-allocator's benchmark) re-run on emulated Cortex-M0 and M3, in
// emulated cycles. docs/published-comparisons.md puts these beside the upstream figures.

import { runScenario } from '../scenarios/index.ts';

const ALLOCS = ['galloc', 'linked-list', 'chunk'];
const MCUS = ['cortex-m0', 'cortex-m3'];

for (const scenario of ['random-actions', 'heap-exhaustion', 'chunk-bench']) {
  console.log(`\n${scenario} (seed 1, 1000 operations, 16 KiB heap): median / mean cycles per call, failed rule if any`);
  for (const a of ALLOCS) {
    const cells = MCUS.map((mcu) => {
      const r = runScenario(scenario, a, mcu, { seed: 1, ops: 1000 });
      const al = r.stats.alloc.cycles,
        de = r.stats.dealloc.cycles,
        re = r.stats.realloc.cycles;
      const calls = al.count + de.count + re.count;
      const mean = (al.mean * al.count + de.mean * de.count + re.mean * re.count) / calls;
      const failed = r.ok ? '' : ` [${r.violation!.rule}]`;
      return `${mcu}: alloc ${al.median}/${Math.round(al.mean)}, all ops mean ${Math.round(mean)}, ${r.operations} ops${failed}`;
    });
    console.log(`  ${a.padEnd(12)} ${cells.join('   ')}`);
  }
}
