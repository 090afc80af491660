// npm run bench:explore — how fast the preemption explorer is: every point of isr-reentrancy's
// workload (three calls, each interrupted at every instruction boundary, all points explored
// rather than stopping at the first failure) for the six built-in allocators on the four
// profiles, one after another in this process. Prints the points explored per second per cell
// and in all, and the wall time of the whole matrix beside the target of issue 11 (2 minutes on
// this 2-core machine); the last line is JSON.
//
//   npx tsx bench/explore.ts [--with-upstream]   also galloc-upstream (a seventh allocator)

import { explorePreemption } from '../explore/run.ts';

const TARGET_SECONDS = 120;
const MCUS = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'];

function main(argv: string[]): void {
  const allocators = [
    'basic',
    'chunk',
    'emballoc',
    'galloc',
    'linked-list',
    'slab',
    ...(argv.includes('--with-upstream') ? ['galloc-upstream'] : []),
  ];
  const t0 = performance.now();
  let points = 0,
    distinct = 0;
  const rows: { allocator: string; mcu: string; points: number; distinct: number; seconds: number; verdict: string }[] = [];
  console.log(`allocator        mcu             points  distinct   seconds   points/s  verdict`);
  for (const allocator of allocators) {
    for (const mcu of MCUS) {
      const r = explorePreemption({
        model: 'isr',
        allocator,
        mcu,
        heap: 16 * 1024,
        bounds: { operations: 3, inner: 0, ticks: 1, period: 0 },
        shard: null,
        replay: '',
      });
      points += r.points;
      distinct += r.distinct;
      rows.push({
        allocator,
        mcu,
        points: r.points,
        distinct: r.distinct,
        seconds: r.seconds,
        verdict: r.ok ? 'safe' : `unsafe from ${r.failure!.at} (${r.failure!.violation.rule})`,
      });
      console.log(
        `${allocator.padEnd(16)} ${mcu.padEnd(14)} ${String(r.points).padStart(7)} ${String(r.distinct).padStart(9)} ${r.seconds.toFixed(2).padStart(9)} ${Math.round(
          r.points / r.seconds,
        )
          .toLocaleString('en')
          .padStart(10)}  ${rows.at(-1)!.verdict}`,
      );
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `all points of isr-reentrancy, ${allocators.length} allocators × ${MCUS.length} profiles: ${points.toLocaleString('en')} points (${distinct.toLocaleString('en')} distinct states) in ${seconds.toFixed(1)} s = ${Math.round(points / seconds).toLocaleString('en')} points/s; target: under ${TARGET_SECONDS} s (${seconds < TARGET_SECONDS ? 'met' : 'missed'})`,
  );
  console.log(
    JSON.stringify({
      points,
      distinct,
      seconds: Math.round(seconds * 100) / 100,
      points_per_s: Math.round(points / seconds),
      target_s: TARGET_SECONDS,
      met: seconds < TARGET_SECONDS,
    }),
  );
}

main(process.argv.slice(2));
