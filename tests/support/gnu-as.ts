// Runs the GNU assembler on single Thumb instructions and returns the bytes it produced.
// Each line gets a label; `nm` gives the label addresses and `objcopy -O binary` the bytes,
// so every line's bytes are read back exactly, whatever width the assembler chose.
//
// As a script (`npx tsx tests/support/gnu-as.ts`) it rewrites thumb-fixture.json from the
// encoder cases; the fixture lets the encoder test run where the toolchain is missing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENCODER_CASES } from './thumb-cases.ts';

export const FIXTURE_PATH = fileURLToPath(new URL('./thumb-fixture.json', import.meta.url));

export interface AsmLine {
  asm: string;
  cpu?: string;
}
export interface FixtureEntry {
  asm: string;
  cpu: string;
  bytes: string;
}
export interface Fixture {
  assembler: string;
  entries: FixtureEntry[];
}

const TOOL = 'arm-none-eabi-';

export function gnuAsAvailable(): boolean {
  try {
    execFileSync(`${TOOL}as`, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function gnuAsVersion(): string {
  return execFileSync(`${TOOL}as`, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
}

/** Assembles lines for one CPU; returns each line's bytes as hex, in order. */
function assembleFor(cpu: string, lines: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sramlab-as-'));
  try {
    const src = ['.syntax unified', '.thumb', `.cpu ${cpu}`, ...lines.map((l, k) => `L${k}: ${l}`), `L${lines.length}:`];
    writeFileSync(join(dir, 'in.s'), `${src.join('\n')}\n`);
    execFileSync(`${TOOL}as`, ['-o', join(dir, 'in.o'), join(dir, 'in.s')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync(`${TOOL}objcopy`, ['-O', 'binary', '-j', '.text', join(dir, 'in.o'), join(dir, 'in.bin')]);
    const bin = readFileSync(join(dir, 'in.bin'));
    const at = labelAddresses(execFileSync(`${TOOL}nm`, [join(dir, 'in.o')], { encoding: 'utf8' }));
    return lines.map((_, k) => bin.subarray(at.get(k)!, at.get(k + 1)!).toString('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function labelAddresses(nm: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of nm.matchAll(/^([0-9a-f]+) t L(\d+)$/gm)) out.set(Number(m[2]), parseInt(m[1], 16));
  return out;
}

/** Assembles every line (grouped by CPU, default cortex-m0) and returns fixture entries in input order. */
export function assemble(lines: readonly AsmLine[]): FixtureEntry[] {
  const cpuOf = (l: AsmLine): string => l.cpu ?? 'cortex-m0';
  const out = new Array<FixtureEntry>(lines.length);
  for (const cpu of new Set(lines.map(cpuOf))) {
    const idx = lines.flatMap((l, k) => (cpuOf(l) === cpu ? [k] : []));
    const hex = assembleFor(
      cpu,
      idx.map((k) => lines[k].asm),
    );
    idx.forEach((k, j) => {
      out[k] = { asm: lines[k].asm, cpu, bytes: hex[j] };
    });
  }
  return out;
}

function main(): void {
  if (!gnuAsAvailable()) throw new Error(`${TOOL}as is not on PATH`);
  const fixture: Fixture = { assembler: gnuAsVersion(), entries: assemble(ENCODER_CASES) };
  const rows = fixture.entries.map((e) => `  ${JSON.stringify(e)}`).join(',\n');
  writeFileSync(FIXTURE_PATH, `{\n "assembler": ${JSON.stringify(fixture.assembler)},\n "entries": [\n${rows}\n ]\n}\n`);
  console.log(`wrote ${fixture.entries.length} lines to ${FIXTURE_PATH}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
