// sramlab list: the MCU profiles, the allocators (with their footprint) and the scenarios.

import { readFileSync } from 'node:fs';
import chalk from 'chalk';
import { Command } from 'commander';
import { DUAL_PROFILES } from '../emulator/dual.ts';
import { PROFILES } from '../emulator/profiles.ts';
import { footprint } from '../firmware/footprint.ts';
import { ALLOCATORS, imagePath } from '../runners/image.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import { type Ctx, EXAMPLES, kib } from './common.ts';
import { type Io, println } from './io.ts';

function list(opts: { json?: boolean }, io: Io): number {
  const say = (line: string) => println(io, line);
  const profiles = Object.values(PROFILES).map((p) => ({
    name: p.name,
    arch: p.arch,
    summary: p.summary,
    flashSize: p.flashSize,
    sramSize: p.sramSize,
    clockHz: p.clockHz,
  }));
  const allocators = ALLOCATORS.map((a) => ({
    name: a.name,
    description: a.description,
    footprint: Object.fromEntries(profiles.map((p) => [p.name, safeFootprint(a.name, p.name)])),
  }));
  const scenarios = SCENARIOS.map((s) => ({ name: s.name, description: s.description, leak: s.leak ?? { applies: 'always' } }));
  // Two-core chips run only under `sramlab explore --model two-core`, so they are listed apart.
  const twoCore = Object.values(DUAL_PROFILES).map((d) => ({
    name: d.name,
    summary: d.summary,
    cores: d.cores,
    base: d.base,
    sramSize: d.core.sramSize,
    clockHz: d.core.clockHz,
  }));
  if (opts.json) {
    io.out(`${JSON.stringify({ schema: 'sramlab.list/1', profiles, twoCore, allocators, scenarios }, null, 2)}\n`);
    return 0;
  }
  say(chalk.bold('MCU profiles'));
  for (const p of profiles) {
    say(
      `  ${chalk.cyan(p.name.padEnd(14))} ${p.arch.padEnd(5)} flash ${kib(p.flashSize)}, SRAM ${kib(p.sramSize)}, ${p.clockHz / 1e6} MHz — ${p.summary}`,
    );
  }
  say(chalk.bold('\nTwo-core chips') + chalk.dim('  (sramlab explore --model two-core --mcu NAME)'));
  for (const d of twoCore) {
    say(`  ${chalk.cyan(d.name.padEnd(14))} SRAM ${kib(d.sramSize)}, ${d.clockHz / 1e6} MHz, runs the ${d.base} images — ${d.summary}`);
  }
  say(chalk.bold('\nAllocators') + chalk.dim('  (flash bytes of code / RAM bytes of state on cortex-m0)'));
  for (const a of allocators) {
    const f = a.footprint['cortex-m0'];
    const fp = f ? `${String(f.flashBytes).padStart(5)} / ${String(f.ramBytes).padStart(4)}` : '      n/a';
    say(`  ${chalk.cyan(a.name.padEnd(12))} ${fp}  ${a.description}`);
  }
  say(chalk.bold('\nScenarios'));
  for (const sc of scenarios) {
    say(`  ${chalk.cyan(sc.name.padEnd(16))} ${sc.description}`);
    if ('reason' in sc.leak)
      say(chalk.dim(`  ${''.padEnd(16)} leak rule: ${sc.leak.applies === 'never' ? 'not run' : 'not on every run'}: ${sc.leak.reason}`));
  }
  return 0;
}

function safeFootprint(allocator: string, profile: string): { flashBytes: number; ramBytes: number } | null {
  try {
    const f = footprint(readFileSync(imagePath(allocator, profile)));
    return { flashBytes: f.flashBytes, ramBytes: f.ramBytes };
  } catch {
    return null;
  }
}

export function listCommand(ctx: Ctx): Command {
  return new Command('list')
    .description('List the MCU profiles, the allocators (with their flash and RAM footprint) and the scenarios.')
    .option('--json', 'machine-readable output')
    .addHelpText('after', EXAMPLES(['sramlab list', 'sramlab list --json']))
    .action((opts: { json?: boolean }) => {
      ctx.status = list(opts, ctx.io);
    });
}
