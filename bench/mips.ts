// `npm run bench`: emulated MIPS on an allocator-like workload (bench/firmware/freelist.c, a
// first-fit free-list allocator doing a seeded alloc/free/fill loop, ~50 M instructions on a
// Cortex-M0), side by side with Unicorn and QEMU running the same ELF, in one run.
// The last line is JSON: {"mips_checked":…,"mips_unchecked":…,"mips_unicorn":…,…}.
//
//   npm run bench                       # cortex-m0, then cortex-m3 beside it
//   npm run bench -- --mcu cortex-m0    # one profile
//   npm run bench -- --runs 5           # best of 5 (default 3)

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { containmentChecker, installStackLimit, type Layout } from '../checks/checkers.ts';
import { openUnicorn, unicornAvailable, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile, type Profile } from '../emulator/profiles.ts';
import { type QemuMcu, qemuAvailable, runQemu } from './qemu.ts';

const FIRMWARE: Record<string, string> = {
  'cortex-m0': 'freelist-m0.elf',
  'cortex-m0plus': 'freelist-m0.elf',
  'cortex-m3': 'freelist-m3.elf',
  'cortex-m4': 'freelist-m3.elf',
};
const REFERENCE = 'rp2040js 18–30 MIPS and Unicorn about 50 MIPS on this kind of machine (docs/background.md); target ≥ 60 MIPS checked';

interface Figures {
  mcu: string;
  instructions: number;
  checked: number;
  unchecked: number;
  unicorn: number | null;
  qemu: number | null;
  checksum: number;
}

function elfPath(mcu: string): string {
  return fileURLToPath(new URL(`./firmware/${FIRMWARE[mcu]}`, import.meta.url));
}

/** Every data access checked: all of .text counts as allocator code (the worst case for the traps). */
function layoutOf(m: Machine): Layout {
  const image = m.image!;
  const text = image.sections.find((s) => s.name === '.text')!;
  const bss = image.sections.find((s) => s.name === '.bss')!;
  const heap = image.symbols.find((s) => s.name === 'heap')!;
  const stackTop = m.bus.peek32(0);
  return {
    code: { start: text.addr, end: text.addr + text.size },
    heap: { start: heap.address, end: heap.address + heap.size },
    state: { start: bss.addr, end: bss.addr + bss.size },
    stackTop,
    stackLimit: bss.addr + bss.size,
  };
}

/** One host call of bench_main on the TypeScript engine; returns MIPS and the checksum. */
function runTs(profile: Profile, elf: Uint8Array, checked: boolean): { mips: number; instructions: number; checksum: number } {
  const m = new Machine(profile);
  m.loadElf(elf);
  m.reset();
  if (checked) {
    m.addChecker(containmentChecker(m.cpu, layoutOf(m)));
    installStackLimit(m.cpu, layoutOf(m));
  }
  const t0 = performance.now();
  const r = m.call('bench_main', [], { maxCycles: 1e10 });
  const secs = (performance.now() - t0) / 1000;
  if (r.stop !== 'returned') throw new Error(`bench_main did not return on sramlab (${r.stop}: ${r.fault?.message ?? ''})`);
  return { mips: r.instructions / secs / 1e6, instructions: r.instructions, checksum: r.r0 };
}

function runUnicorn(profile: Profile, elf: Uint8Array, instructions: number): { mips: number; checksum: number } | null {
  if (!unicornAvailable()) return null;
  const m = new Machine(profile);
  const image = m.loadElf(elf);
  const uc = openUnicorn(profile);
  if (!uc?.callFunction) return null;
  try {
    for (const seg of image.segments) if (seg.fileSize) uc.writeMemory(seg.paddr, seg.data.subarray(0, seg.fileSize));
    const entry = m.symbol('bench_main')!;
    const t0 = performance.now();
    const r0 = uc.callFunction(entry, m.bus.peek32(0), 1e10);
    const secs = (performance.now() - t0) / 1000;
    return { mips: instructions / secs / 1e6, checksum: r0 };
  } finally {
    uc.close();
  }
}

function best<T extends { mips: number }>(runs: number, f: () => T): T {
  let top: T | null = null;
  for (let k = 0; k < runs; k++) {
    const r = f();
    if (!top || r.mips > top.mips) top = r;
  }
  return top!;
}

function benchProfile(mcu: string, runs: number): Figures {
  const profile = getProfile(mcu);
  const elf = readFileSync(elfPath(mcu));
  const unchecked = best(runs, () => runTs(profile, elf, false));
  const checked = best(runs, () => runTs(profile, elf, true));
  if (checked.checksum !== unchecked.checksum) throw new Error('checked and unchecked runs disagree');
  const uc = unicornAvailable() ? best(runs, () => runUnicorn(profile, elf, unchecked.instructions) ?? { mips: NaN, checksum: -1 }) : null;
  if (uc && uc.checksum !== unchecked.checksum) {
    throw new Error(`Unicorn's checksum 0x${uc.checksum.toString(16)} differs from sramlab's 0x${unchecked.checksum.toString(16)}`);
  }
  let qemu: number | null = null;
  if (qemuAvailable()) {
    let secs = Infinity;
    const board: QemuMcu = profile.arch === 'v6m' ? 'cortex-m0' : 'cortex-m3';
    for (let k = 0; k < runs; k++) secs = Math.min(secs, runQemu(elfPath(mcu), board).seconds);
    qemu = unchecked.instructions / secs / 1e6;
  }
  return {
    mcu,
    instructions: unchecked.instructions,
    checked: checked.mips,
    unchecked: unchecked.mips,
    unicorn: uc?.mips ?? null,
    qemu,
    checksum: unchecked.checksum,
  };
}

function main(): void {
  const { values } = parseArgs({ options: { mcu: { type: 'string' }, runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs wants a positive integer, not '${values.runs}'`);
  const mcus = values.mcu ? [values.mcu] : ['cortex-m0', 'cortex-m3'];
  for (const mcu of mcus) if (!FIRMWARE[mcu]) throw new Error(`no bench firmware for '${mcu}' (have ${Object.keys(FIRMWARE).join(', ')})`);
  if (!unicornAvailable()) console.log(`Unicorn: not measured (${unicornUnavailableReason()})`);
  console.log(`Reference: ${REFERENCE}`);
  const all: Figures[] = [];
  for (const mcu of mcus) {
    let f: Figures;
    try {
      f = benchProfile(mcu, runs);
    } catch (e) {
      console.log(`${mcu}: not measured: ${(e as Error).message}`);
      continue;
    }
    all.push(f);
    const fmt = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1)).padStart(7);
    console.log(`${mcu.padEnd(14)} ${(f.instructions / 1e6).toFixed(1)} M instructions, checksum 0x${(f.checksum >>> 0).toString(16)}`);
    console.log(`  sramlab, every check on ${fmt(f.checked)} MIPS   (target ≥ 60)`);
    console.log(`  sramlab, no checker     ${fmt(f.unchecked)} MIPS`);
    console.log(`  Unicorn 2 (libunicorn2) ${fmt(f.unicorn)} MIPS`);
    console.log(`  QEMU (whole process)    ${fmt(f.qemu)} MIPS`);
  }
  const m0 = all.find((f) => f.mcu === 'cortex-m0') ?? all[0];
  const m3 = all.find((f) => f.mcu === 'cortex-m3');
  const round = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
  console.log(
    JSON.stringify({
      mips_checked: round(m0?.checked),
      mips_unchecked: round(m0?.unchecked),
      mips_unicorn: round(m0?.unicorn),
      mips_qemu: round(m0?.qemu),
      ...(m3 ? { m3_mips_checked: round(m3.checked), m3_mips_unchecked: round(m3.unchecked), m3_mips_unicorn: round(m3.unicorn) } : {}),
    }),
  );
}

try {
  main();
} catch (e) {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 2;
}
