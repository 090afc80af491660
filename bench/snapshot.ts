// `npm run bench:snapshot`: what machine snapshots cost, for the two ways of putting SRAM back
// (docs/snapshots.md): (a) dirty pages, the bus marking each 256-byte page a store touches and a
// restore copying back only those (what emulator/ does), and (b) an undo log, each store saving
// the old value and a restore writing them back newest first. (b) exists only here, as a patch of
// the bus's store path, so each variant runs in a process of its own with nothing else loaded.
//
// Two figures per variant:
// - restores per second: a linked-list heap of 16 KiB made ragged (many holes), a snapshot, then
//   again and again: restore, and one sl_alloc that walks the holes (about 1,000 instructions,
//   every check on). Restore time alone, and branches (restore + the call) per second. On a
//   Cortex-M3 (64 KiB SRAM) and a Cortex-M4 (128 KiB), beside a restore that copies all of SRAM.
// - the store path's cost to normal runs: MIPS of bench/firmware/freelist.c (~50 M instructions,
//   every check on, as `npm run bench`), with no tracking code at all, with (a), with (b) idle,
//   and with (b) logging.
// The last line is JSON.
//
//   npm run bench:snapshot
//   npm run bench:snapshot -- --rounds 5      # best of 5 per figure (default 3)

import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { containmentChecker, installStackLimit } from '../checks/checkers.ts';
import { Session } from '../checks/session.ts';
import { Bus } from '../emulator/bus.ts';
import { Machine } from '../emulator/machine.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile } from '../emulator/profiles.ts';
import { restoreSnapshot, takeSnapshot } from '../emulator/snapshot.ts';
import { AllocatorImage } from '../runners/image.ts';

const REFERENCE = 'issue 11: branch "thousands of times a second"; the interpreter runs 70–100 MIPS checked (npm run bench)';
type Variant = 'none' | 'pages' | 'undo-idle' | 'undo';

// ---- the store path, per variant ---------------------------------------------------------------

interface BusInside {
  sramSize: number;
  sram: Uint8Array;
  sram16: Uint16Array;
  sram32: Int32Array;
  pc: number;
  checker: ((pc: number, a: number, s: number, k: 'store', v: number) => void) | null;
  writeSlow(a: number, size: number, v: number): void;
}

/** The undo log of variant (b): (offset << 2 | log2 size, old value) pairs. */
const undo = { on: false, log: new Int32Array(1 << 22), len: 0 };

function logOld(b: BusInside, o: number, sizeLog2: number): void {
  if (undo.len === undo.log.length) undo.len = 0; // only while measuring the store path: a real log grows
  const old = sizeLog2 === 2 ? b.sram32[o >>> 2] : sizeLog2 === 1 ? b.sram16[o >>> 1] : b.sram[o];
  undo.log[undo.len] = (o << 2) | sizeLog2;
  undo.log[undo.len + 1] = old;
  undo.len += 2;
}

/** Writes the logged old values back, newest first, down to mark. */
function undoTo(b: BusInside, mark: number): void {
  const log = undo.log;
  for (let n = undo.len - 2; n >= mark; n -= 2) {
    const key = log[n],
      o = key >>> 2,
      v = log[n + 1];
    if ((key & 3) === 2) b.sram32[o >>> 2] = v;
    else if ((key & 3) === 1) b.sram16[o >>> 1] = v;
    else b.sram[o] = v;
  }
  undo.len = mark;
}

/** Replaces the bus's three fast store paths (the slow path is shared; unaligned stores are rare). */
function patchStores(variant: Variant): void {
  if (variant === 'pages') return; // the bus as it is
  const P = Bus.prototype as unknown as Record<'write32' | 'write16' | 'write8', (this: BusInside, a: number, v: number) => void>;
  const logging = variant !== 'none';
  P.write32 = function (a, v) {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 3) === 0) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 4, 'store', v | 0);
      if (logging && undo.on) logOld(this, o, 2);
      this.sram32[o >>> 2] = v;
      return;
    }
    this.writeSlow(a, 4, v);
  };
  P.write16 = function (a, v) {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 1) === 0) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 2, 'store', v & 0xffff);
      if (logging && undo.on) logOld(this, o, 1);
      this.sram16[o >>> 1] = v;
      return;
    }
    this.writeSlow(a, 2, v);
  };
  P.write8 = function (a, v) {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 1, 'store', v & 0xff);
      if (logging && undo.on) logOld(this, o, 0);
      this.sram[o] = v;
      return;
    }
    this.writeSlow(a, 1, v);
  };
}

// ---- figure 1: MIPS of a normal run --------------------------------------------------------------

function mips(variant: Variant): number {
  const elf = readFileSync(fileURLToPath(new URL('./firmware/freelist-m0.elf', import.meta.url)));
  const m = new Machine(getProfile('cortex-m0'));
  m.loadElf(elf);
  m.reset();
  const image = m.image!;
  const text = image.sections.find((s) => s.name === '.text')!;
  const bss = image.sections.find((s) => s.name === '.bss')!;
  const heap = image.symbols.find((s) => s.name === 'heap')!;
  const layout = {
    code: { start: text.addr, end: text.addr + text.size },
    heap: { start: heap.address, end: heap.address + heap.size },
    state: { start: bss.addr, end: bss.addr + bss.size },
    stackTop: m.bus.peek32(0),
    stackLimit: bss.addr + bss.size,
  };
  m.addChecker(containmentChecker(m.cpu, layout));
  installStackLimit(m.cpu, layout);
  undo.on = variant === 'undo';
  undo.len = 0;
  const t0 = cpuSeconds();
  const r = m.call('bench_main', [], { maxCycles: 1e10 });
  const secs = cpuSeconds() - t0;
  if (r.stop !== 'returned') throw new Error(`bench_main did not return (${r.stop})`);
  return r.instructions / secs / 1e6;
}

// ---- figure 2: restores per second ------------------------------------------------------------

interface RestoreFigures {
  restoreUs: number;
  branchesPerSec: number;
  instructionsPerCall: number;
  pagesPerRestore: number;
}

/** This process's CPU time: two cores shared by many make wall time a measure of the neighbours. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A 16 KiB linked-list heap with many holes, so one sl_alloc of a large block walks them all. */
function raggedSession(profile: string): { img: AllocatorImage; s: Session } {
  const img = AllocatorImage.load('linked-list', profile);
  const s = new Session(img);
  s.init(16 * 1024);
  const blocks = [];
  for (let k = 0; k < 200; k++) blocks.push(s.alloc(24 + (k % 5) * 8, 4)!);
  for (let k = 0; k < blocks.length; k += 2) s.dealloc(blocks[k]);
  return { img, s };
}

/**
 * count branches: restore, then one sl_alloc of about 1,000 instructions. 'full' restores two
 * snapshots of one state in turn, so every restore copies all of SRAM. Restore time is the
 * median of each restore timed alone; branches per second are by CPU time.
 */
function restores(profile: string, variant: Variant | 'full', count: number): RestoreFigures {
  const { img } = raggedSession(profile);
  const m = img.machine,
    bus = m.bus as unknown as BusInside;
  const sp = img.layout.stackTop,
    fn = m.symbol('sl_alloc')!;
  const snaps = [takeSnapshot(m)];
  if (variant === 'full') snaps.push(takeSnapshot(m));
  const mark = undo.len;
  undo.on = variant === 'undo';
  const copy = m.bus.sram.slice();
  const times = new Float64Array(count);
  let pages = 0,
    insns = 0;
  const c0 = cpuSeconds();
  for (let k = 0; k < count; k++) {
    const r = m.call(fn, [1024, 4], { sp });
    if (r.stop !== 'returned' || r.r0 === 0) throw new Error(`sl_alloc did not serve the block (${r.stop})`);
    insns += r.instructions;
    if (variant === 'pages') for (const d of m.bus.dirty) pages += d;
    const t = performance.now();
    if (variant === 'undo') undoTo(bus, mark);
    restoreSnapshot(m, snaps[k % snaps.length]);
    times[k] = performance.now() - t;
    if (k < 3 && !m.bus.sram.every((b, i) => b === copy[i])) throw new Error(`${variant}: SRAM differs after restore ${k}`);
  }
  const cpu = cpuSeconds() - c0;
  undo.on = false;
  times.sort();
  return {
    restoreUs: times[count >>> 1] * 1000,
    branchesPerSec: count / cpu,
    instructionsPerCall: insns / count,
    pagesPerRestore: pages / count,
  };
}

// ---- driver ------------------------------------------------------------------------------------

type Job = { kind: 'mips'; variant: Variant } | { kind: 'restores'; variant: Variant | 'full'; profile: string };

function runJob(job: Job): unknown {
  patchStores(job.variant === 'full' ? 'pages' : job.variant);
  if (job.kind === 'mips') return mips(job.variant);
  restores(job.profile, job.variant, 2000); // warm-up
  return restores(job.profile, job.variant, 20000);
}

/** Each job in a fresh process, so one variant's store path never shares a JIT with another's. */
function inChild(job: Job): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--job', JSON.stringify(job)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let out: unknown = null;
    child.on('message', (msg) => {
      out = msg;
    });
    child.on('exit', (code) => (code === 0 && out !== null ? resolve(out) : reject(new Error(`${JSON.stringify(job)} failed (${code})`))));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, job: { type: 'string' } } });
  if (values.job) {
    const out = runJob(JSON.parse(values.job) as Job);
    if (process.send) process.send(out);
    else console.log(JSON.stringify(out));
    return;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a positive integer, not '${values.rounds}'`);
  console.log(`Reference: ${REFERENCE}`);

  const variants: Variant[] = ['none', 'pages', 'undo-idle', 'undo'];
  const best: Record<Variant, number> = { none: 0, pages: 0, 'undo-idle': 0, undo: 0 };
  for (let k = 0; k < rounds; k++) {
    for (const v of variants) best[v] = Math.max(best[v], (await inChild({ kind: 'mips', variant: v })) as number);
  }
  const slow = (v: Variant) => `${(100 * (1 - best[v] / best.none)).toFixed(1)} %`;
  console.log(`Normal run, every check on (freelist.c on a Cortex-M0, best of ${rounds}, by CPU time):`);
  console.log(`  no tracking code at all          ${best.none.toFixed(1).padStart(6)} MIPS`);
  console.log(`  (a) dirty pages (always marked)  ${best.pages.toFixed(1).padStart(6)} MIPS   slowdown ${slow('pages')}`);
  console.log(`  (b) undo log, no snapshot        ${best['undo-idle'].toFixed(1).padStart(6)} MIPS   slowdown ${slow('undo-idle')}`);
  console.log(`  (b) undo log, logging            ${best.undo.toFixed(1).padStart(6)} MIPS   slowdown ${slow('undo')}`);

  const json: Record<string, unknown> = {
    mips_none: round1(best.none),
    mips_pages: round1(best.pages),
    mips_undo_idle: round1(best['undo-idle']),
    mips_undo_logging: round1(best.undo),
  };
  for (const profile of ['cortex-m3', 'cortex-m4']) {
    const sram = getProfile(profile).sramSize / 1024;
    const r: Partial<Record<Variant | 'full', RestoreFigures>> = {};
    for (const v of ['pages', 'undo', 'full'] as const) {
      for (let k = 0; k < rounds; k++) {
        const f = (await inChild({ kind: 'restores', variant: v, profile })) as RestoreFigures;
        if (!r[v] || f.restoreUs < r[v]!.restoreUs) r[v] = f;
      }
    }
    const a = r.pages!,
      b = r.undo!,
      c = r.full!;
    console.log(
      `Restores, ${profile} (${sram} KiB SRAM), 16 KiB linked-list heap, sl_alloc of ${a.instructionsPerCall.toFixed(0)} instructions between restores:`,
    );
    console.log(
      `  (a) dirty pages  ${a.restoreUs.toFixed(2).padStart(6)} µs a restore = ${fmtRate(1e6 / a.restoreUs)} restores/s; ` +
        `${fmtRate(a.branchesPerSec)} branches/s with the call; ${a.pagesPerRestore.toFixed(1)} pages copied`,
    );
    console.log(
      `  (b) undo log     ${b.restoreUs.toFixed(2).padStart(6)} µs a restore = ${fmtRate(1e6 / b.restoreUs)} restores/s; ` +
        `${fmtRate(b.branchesPerSec)} branches/s with the call`,
    );
    console.log(
      `  all of SRAM      ${c.restoreUs.toFixed(2).padStart(6)} µs a restore = ${fmtRate(1e6 / c.restoreUs)} restores/s; ` +
        `${fmtRate(c.branchesPerSec)} branches/s with the call   (target: thousands/s)`,
    );
    const key = profile.replace('cortex-', '');
    Object.assign(json, {
      [`${key}_pages_restore_us`]: round2(a.restoreUs),
      [`${key}_pages_branches_per_s`]: Math.round(a.branchesPerSec),
      [`${key}_undo_restore_us`]: round2(b.restoreUs),
      [`${key}_undo_branches_per_s`]: Math.round(b.branchesPerSec),
      [`${key}_full_copy_restore_us`]: round2(c.restoreUs),
      [`${key}_instructions_per_call`]: Math.round(a.instructionsPerCall),
    });
  }
  console.log(JSON.stringify(json));
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const fmtRate = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9);

main().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  process.exitCode = 2;
});
