// sramlab demo: the point of sramlab in one screenful. Two builds of one allocator run on an
// emulated Cortex-M0 with every load and store checked: the fixed build holds, the one as
// published breaks a rule, and the report says where (PC, symbol, C line, address). Each run's
// heap is drawn with the stack beside it; then the next commands to try.

import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command } from 'commander';
import type { Session } from '../checks/session.ts';
import { hex } from '../emulator/elf.ts';
import { Machine } from '../emulator/machine.ts';
import { runScenario, type ScenarioResult } from '../scenarios/index.ts';
import { type HeapMap, HeapTracker, heapMap } from '../views/heap-map.ts';
import { renderHeapAndStack } from '../views/heap-stack.ts';
import { type StackState, stackState } from '../views/stack-view.ts';
import { displayWidth, terminalColumns, wrapWords } from '../views/text-width.ts';
import { type Ctx, EXAMPLES, invocation, loadInto, profileFrom, useColor } from './common.ts';
import { type Io, println } from './io.ts';

const MCU = 'cortex-m0';

/** The two runs: one that holds, one that breaks a rule inside allocator code. */
export const DEMO_RUNS = [
  {
    allocator: 'galloc',
    scenario: 'smoke',
    heap: 1024,
    seed: 1,
    ops: 1000,
    title: 'galloc (good_memory_allocator, built for a 32-bit MCU) runs smoke on a 1 KiB heap',
  },
  {
    allocator: 'galloc-upstream',
    scenario: 'random-actions',
    heap: 4096,
    seed: 1,
    ops: 1000,
    title: 'galloc-upstream (the same allocator as published) runs random-actions, 4 KiB',
  },
] as const;

interface Drawn {
  result: ScenarioResult;
  map: HeapMap | null;
  stack: StackState | null;
}

/** One run with the heap tracked from before sl_init; the heap and stack as they were at its end. */
function runOne(run: (typeof DEMO_RUNS)[number]): Drawn {
  let session: Session | null = null,
    tracker: HeapTracker | null = null;
  const result = runScenario(
    run.scenario,
    run.allocator,
    MCU,
    { seed: run.seed, ops: run.ops, heap: run.heap },
    {
      observe: (s) => {
        session = s;
        tracker = new HeapTracker(s);
      },
    },
  );
  const s = session as Session | null;
  return {
    result,
    map: s?.image.heap && tracker ? heapMap(s, tracker) : null,
    stack: s ? stackState(s) : null,
  };
}

/** The bundled free-list workload, every load and store trapped, timed: what one check-on run costs. */
function measureSpeed(): { mips: number; instructions: number } {
  const m = new Machine(profileFrom({ mcu: MCU }));
  loadInto(m, fileURLToPath(new URL('../bench/firmware/freelist-m0.elf', import.meta.url)));
  m.semihosting = true;
  m.onOutput = () => {}; // its own summary line is not the demo's
  // A checker that does nothing still puts every load and store through the check path.
  m.addChecker(() => {});
  m.reset();
  const t0 = performance.now();
  const r = m.run({ maxCycles: 5e9 });
  const secs = (performance.now() - t0) / 1000;
  return { mips: r.instructions / secs / 1e6, instructions: r.instructions };
}

/** "pc 0x00000868 sl_alloc+0x5c galloc.c:504, address 0x20004cdc". */
export function whereText(v: NonNullable<ScenarioResult['violation']>): string {
  const at = [v.pc !== undefined ? `pc ${hex(v.pc)}` : '', v.symbol ?? '', v.source ?? ''].filter(Boolean).join(' ');
  return [at, v.address !== undefined ? `address ${hex(v.address)}` : ''].filter(Boolean).join(', ');
}

function demo(io: Io, width: number): number {
  const say = (line = '') => println(io, line);
  const wrap = (text: string, indent = '  ') =>
    wrapWords(text.split(' '), width, indent).forEach((l) => {
      say(l);
    });
  const paint = useColor
    ? { live: chalk.green, metadata: chalk.yellow, free: chalk.blue, untouched: chalk.dim, violation: chalk.bgRed.white }
    : null;
  const stackPaint = useColor ? { used: chalk.magenta, free: chalk.dim, crossed: chalk.bgRed.white } : null;
  say(chalk.bold('sramlab demo'));
  wrap(
    'Real allocator firmware (C compiled to Thumb) on an emulated Cortex-M0, every load and store checked against the rules of a heap.',
    '',
  );
  const outcomes: boolean[] = [];
  DEMO_RUNS.forEach((run, i) => {
    const d = runOne(run);
    const r = d.result;
    outcomes.push(r.ok);
    say();
    wrapWords(`${i + 1}. ${run.title}`.split(' '), width, '   ').forEach((l) => {
      say(chalk.bold(l));
    });
    if (d.map && d.stack) {
      // The violation's own line is left out of the heap's summary: it is said below, with where it happened.
      const drawn = renderHeapAndStack({ ...d.map, violation: undefined }, d.stack, {
        width,
        maxBlocks: 4,
        legend: i === 0,
        cellBytes: run.heap / (32 * 8),
        paint: paint ? (k, t) => paint[k](t) : undefined,
        stackPaint: stackPaint ? (k, t) => stackPaint[k](t) : undefined,
      });
      for (const l of drawn) {
        if (displayWidth(l) <= width) say(l);
        else wrap(l);
      }
    }
    const alloc = r.stats.alloc.cycles;
    if (r.ok) {
      wrap(
        `${chalk.green('HOLDS')}: ${r.operations} operations, every check held; alloc median ${alloc.median} cycles, worst ${alloc.max}; stack ${r.peakStackBytes} B`,
      );
    } else {
      const v = r.violation!;
      say(`${chalk.red('CAUGHT')}: rule ${chalk.bold(v.rule)} broke at operation ${v.operation}`);
      wrap(`${v.message}`);
      say(`  at ${whereText(v)}`);
      wrap(`replay: ${invocation()} run ${r.scenario} --alloc ${r.allocator} --mcu ${MCU} --seed ${r.seed} --heap ${r.heap} --show heap`);
    }
  });
  say();
  say(chalk.bold('Next, try:'));
  for (const [cmd, why] of [
    ['run smoke --alloc emballoc --heap 1K --step', 'each operation drawn; watch forward-only merge'],
    ['run isr-reentrancy --alloc galloc', 'an interrupt meets a spin lock: deadlock'],
    ['compare --mcu cortex-m0', 'every allocator × every scenario'],
  ] as const) {
    say(`  ${invocation()} ${cmd}`);
    say(chalk.dim(`      ${why}`));
  }
  const speed = measureSpeed();
  say(
    chalk.dim(
      `Speed: ${speed.mips.toFixed(0)} MIPS, every load and store checked (freelist.c, ${(speed.instructions / 1e6).toFixed(0)} M instructions)`,
    ),
  );
  // The demo is as expected: the first run holds, the second is caught.
  return outcomes[0] === true && outcomes[1] === false ? 0 : 1;
}

export function demoCommand(ctx: Ctx): Command {
  return new Command('demo')
    .description('Two builds of an allocator on an emulated Cortex-M0: one holds, one breaks a rule; the heap and the stack drawn.')
    .addHelpText(
      'after',
      EXAMPLES(['sramlab demo']) +
        `
Exit status: 0 when the first run holds and the second breaks a rule, as the demo shows; 1 when
either does otherwise.
`,
    )
    .action(() => {
      ctx.status = demo(ctx.io, Math.min(120, terminalColumns()));
    });
}
