// `npm run conformance -- --mcu cortex-m0 --count 100000 [--seed 1] [--show 10]`
// Differential test of sramlab's CPU against Unicorn. Exit 0 only when nothing mismatched;
// 1 on mismatches or when the reference is unavailable (CI must not pass by skipping);
// 2 on bad arguments.

import { parseArgs } from 'node:util';
import { PROFILES } from '../emulator/profiles.ts';
import { type ConformanceSummary, formatMismatch, runConformance } from './compare.ts';
import { KNOWN_DEVIATIONS } from './generate.ts';

interface Args {
  mcu: string;
  count: number;
  seed: number;
  show: number;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      mcu: { type: 'string' },
      count: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      show: { type: 'string', default: '10' },
    },
    strict: true,
  });
  if (!values.mcu) throw new Error(`--mcu is required (one of: ${Object.keys(PROFILES).join(', ')})`);
  if (!(values.mcu in PROFILES)) throw new Error(`unknown MCU '${values.mcu}' (known: ${Object.keys(PROFILES).join(', ')})`);
  return {
    mcu: values.mcu,
    count: integer('--count', values.count, 1),
    seed: integer('--seed', values.seed, 0),
    show: integer('--show', values.show, 0),
  };
}

function integer(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > 0xffff_ffff) {
    throw new Error(`${name} must be an integer from ${min} to 4294967295, got '${text}'`);
  }
  return n;
}

const SRAMLAB_ONLY: Record<string, string> = {
  encoding: 'UNPREDICTABLE encodings',
  'ldr-pc-unaligned': 'LDR to the PC from an unaligned address',
  'in-it-block': 'CBZ/IT/B<cond> or a PC write before the last in an IT block',
  'in-it-block-skipped': 'the same, skipped (condition failed)',
};

function summaryLines(s: ConformanceSummary): string[] {
  const blocks = s.classCounts['it-block'] ?? 0,
    sequences = s.classCounts['exclusive-seq'] ?? 0;
  const programs = blocks + sequences ? ` (${blocks} of them IT blocks, ${sequences} LDREX/STREX sequences)` : '';
  const lines = [
    `${s.mcu}, seed ${s.seed}: ${s.count} cases compared${programs}, ${s.mismatches} mismatches, ` +
      `${s.deviations} known reference deviations, ${s.sramlabOnly} UNPREDICTABLE cases checked on sramlab alone`,
  ];
  const alone = Object.entries(s.sramlabOnlyCounts);
  if (alone.length > 1 || (alone.length === 1 && alone[0][0] !== 'encoding')) {
    lines.push(`  on sramlab alone: ${alone.map(([k, n]) => `${SRAMLAB_ONLY[k] ?? k} ${n}`).join(', ')}`);
  }
  for (const [id, n] of Object.entries(s.deviationCounts)) {
    const d = KNOWN_DEVIATIONS.find((x) => x.id === id)!;
    lines.push(`  deviation ${id} (${n}): ${d.reference}; ${d.reason}`);
  }
  const rows = Object.entries(s.mismatchesByRow).sort((a, b) => b[1] - a[1]);
  if (rows.length) lines.push(`  mismatches by encoding: ${rows.map(([r, n]) => `${r} ${n}`).join(', ')}`);
  for (const m of s.first) lines.push(formatMismatch(m));
  return lines;
}

function main(): number {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}`);
    return 2;
  }
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let summary: ConformanceSummary;
  try {
    summary = runConformance({
      ...args,
      onProgress: tty ? (done, total) => process.stderr.write(`\r${args.mcu}: ${done}/${total}`) : undefined,
    });
  } catch (e) {
    if (tty) process.stderr.write('\n');
    // Unavailable reference or a failure inside an engine: one line, and not a pass.
    console.error(`conformance: ${(e as Error).message}`);
    return 1;
  }
  if (tty) process.stderr.write(`\r${' '.repeat(40)}\r`);
  console.log(summaryLines(summary).join('\n'));
  if (tty) process.stderr.write(`(${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  return summary.mismatches === 0 ? 0 : 1;
}

process.exitCode = main();
