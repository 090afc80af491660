// How IT-heavy a benchmark workload is: runs bench_main once on the interpreter and counts the
// executed instructions that are IT instructions or inside an IT block, the most executed
// instruction kinds (encoding names from the decode tables) and, with --by-function, the same
// share per function of the image.
//
//   npx tsx bench/it-share.ts cortex-m3 bench/firmware/tlsf-m3.elf
//   npx tsx bench/it-share.ts cortex-m3 bench/firmware/segfit-m3.elf --top 20
//   npx tsx bench/it-share.ts cortex-m3 bench/firmware/tlsf-m3.elf --by-function
//   npx tsx bench/it-share.ts cortex-m3 bench/firmware/tlsf-m3.elf --iterations 10000   # a shorter run

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Cpu } from '../emulator/cpu.ts';
import { makeExecutor } from '../emulator/executors.ts';
import { is32bit } from '../emulator/isa/encodings.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

export interface ItShare {
  instructions: number;
  /** IT instructions executed. */
  it: number;
  /** Instructions executed inside an IT block (ITSTATE non-zero before them), whether or not their condition passed. */
  inside: number;
  checksum: number;
  /** Encoding name → times executed, most executed first. */
  kinds: [string, number][];
  /** Per function symbol: instructions executed and how many of them were IT-related, most executed first. */
  functions: { name: string; instructions: number; itRelated: number }[];
}

/** The encoding name of the instruction at pc, from the same tables the CPU dispatches on. */
function kindAt(cpu: Cpu, pc: number): string {
  const b = cpu.bus.peek(pc, 4);
  const hw1 = b[0] | (b[1] << 8);
  if (!is32bit(hw1)) return cpu.decode.rows16[hw1]?.enc.name ?? 'UNDEFINED';
  const word = ((hw1 << 16) | b[2] | (b[3] << 8)) >>> 0;
  return cpu.decode.cands32[hw1]?.find((c) => (word & c.mask) >>> 0 === c.value)?.enc.name ?? 'UNDEFINED';
}

/** Calls one function (a symbol or an address, code in flash) with the counting hook on. */
export function measureIt(m: Machine, target: string | number, sp?: number): ItShare {
  const cpu = m.cpu;
  // Decoding is cached per address: the image does not change while the function runs.
  const kindOf = new Map<number, string>();
  const counts = new Map<string, number>();
  const perPc = new Map<number, { n: number; it: number }>();
  let it = 0;
  let inside = 0;
  const { flashSize } = m.profile;
  cpu.onInstruction = () => {
    const pc = cpu.pc >>> 0;
    if (pc + 4 > flashSize) return; // the host call's return trap, not an instruction
    let kind = kindOf.get(pc);
    if (kind === undefined) {
      kind = kindAt(cpu, pc);
      kindOf.set(pc, kind);
    }
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    let at = perPc.get(pc);
    if (at === undefined) {
      at = { n: 0, it: 0 };
      perPc.set(pc, at);
    }
    at.n++;
    if (cpu.itstate !== 0) inside++;
    else if (kind !== 'IT') return;
    else it++;
    at.it++;
  };
  const r = m.call(target, [], { maxCycles: 1e10, sp });
  cpu.onInstruction = null;
  if (r.stop !== 'returned') throw new Error(`${String(target)} did not return (${r.stop}: ${r.fault?.message ?? ''})`);
  const kinds = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const funcs = (m.image?.symbols ?? []).filter((s) => s.type === 'func' && s.size > 0);
  const byName = new Map<string, { name: string; instructions: number; itRelated: number }>();
  for (const [pc, c] of perPc) {
    const name = funcs.find((f) => pc >= f.address && pc < f.address + f.size)?.name ?? '(no symbol)';
    const f = byName.get(name) ?? { name, instructions: 0, itRelated: 0 };
    f.instructions += c.n;
    f.itRelated += c.it;
    byName.set(name, f);
  }
  const functions = [...byName.values()].sort((a, b) => b.instructions - a.instructions || a.name.localeCompare(b.name));
  return { instructions: r.instructions, it, inside, checksum: r.r0 >>> 0, kinds, functions };
}

/** bench_main of a bench image on the interpreter; `iterations` replaces the image's bench_iterations (a shorter run). */
export function itShare(mcu: string, elf: Uint8Array, iterations?: number): ItShare {
  const m = new Machine(getProfile(mcu));
  m.cpu.executor = makeExecutor('interpreter');
  m.loadElf(elf);
  m.reset();
  if (iterations !== undefined) {
    const at = m.symbol('bench_iterations');
    if (at === undefined) throw new Error('the image has no bench_iterations');
    m.bus.poke32(at, iterations);
  }
  return measureIt(m, 'bench_main');
}

const USAGE = `usage: tsx bench/it-share.ts <mcu> <elf> [--top N] [--by-function] [--iterations N]
  --top N           the N most executed instruction kinds (default 12)
  --by-function     the share per function of the image
  --iterations N    run bench_main for N iterations instead of the image's bench_iterations
examples:
  npx tsx bench/it-share.ts cortex-m3 bench/firmware/tlsf-m3.elf
  npx tsx bench/it-share.ts cortex-m3 bench/firmware/segfit-m3.elf --by-function --top 0`;

function main(): number {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      allowPositionals: true,
      options: {
        top: { type: 'string', default: '12' },
        'by-function': { type: 'boolean', default: false },
        iterations: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  try {
    parsed = parse();
  } catch (e) {
    console.error(`it-share: ${(e as Error).message} (--help for usage)`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [mcu, path] = positionals;
  const top = Number(values.top);
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  const count = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
  if (!mcu || !path || positionals.length > 2 || !count(top) || !count(iterations)) {
    console.error('it-share: wants <mcu> <elf>, and whole numbers for --top and --iterations (--help for usage)');
    return 2;
  }
  let elf: Uint8Array;
  let s: ItShare;
  try {
    getProfile(mcu);
    elf = readFileSync(path);
  } catch (e) {
    console.error(`it-share: ${(e as Error).message}`);
    return 2;
  }
  try {
    s = itShare(mcu, elf, iterations);
  } catch (e) {
    console.error(`it-share: ${(e as Error).message}`);
    return 1;
  }
  const pct = (n: number) => `${((100 * n) / s.instructions).toFixed(1)}%`;
  console.log(`${path} on ${mcu}: ${s.instructions} instructions, checksum 0x${s.checksum.toString(16)}`);
  console.log(`IT instructions ${pct(s.it)}, inside IT blocks ${pct(s.inside)}: ${pct(s.it + s.inside)} IT-related`);
  for (const [kind, n] of s.kinds.slice(0, top)) console.log(`  ${pct(n).padStart(6)}  ${kind}`);
  if (values['by-function']) {
    console.log('by function: share of all instructions, and the IT-related share of its own');
    for (const f of s.functions) {
      const own = `${((100 * f.itRelated) / f.instructions).toFixed(1)}%`;
      console.log(`  ${pct(f.instructions).padStart(6)}  ${own.padStart(6)} IT-related  ${f.name}`);
    }
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
