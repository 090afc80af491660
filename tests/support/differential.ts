// Differential runs of the two executors (emulator/executors.ts): the same machine, the same
// program, once with the interpreter and once with the block translator; everything the run
// leaves behind is collected so a test can ask for it to be identical.

import { type ExecutorName, makeExecutor } from '../../emulator/executors.ts';
import { rowsFor } from '../../emulator/isa/decoder.ts';
import { Machine } from '../../emulator/machine.ts';
import { SRAM_BASE } from '../../emulator/memory-map.ts';
import type { Profile } from '../../emulator/profiles.ts';
import { Prng } from '../../runners/prng.ts';

/** Everything observable after a run. */
export interface Outcome {
  stops: string[];
  thrown: string | null;
  regs: number[];
  pc: number;
  npc: number;
  busPc: number;
  flags: number[];
  cycles: number;
  instructions: number;
  lastSingleAccess: number;
  minSP: number;
  faults: string;
  sramHash: number;
  accesses: number;
  accessHash: number;
}

const fnv = (h: number, x: number): number => Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;

/** The state an executor leaves; `events` may schedule interrupts or SysTick before the run. */
export function observe(m: Machine, run: () => string[], trace: { n: number; h: number }, thrown: string | null = null): Outcome {
  const cpu = m.cpu;
  let sramHash = 0x811c9dc5;
  const sram = m.bus.sram;
  for (let k = 0; k < sram.length; k += 4)
    sramHash = fnv(sramHash, sram[k] | (sram[k + 1] << 8) | (sram[k + 2] << 16) | (sram[k + 3] << 24));
  let stops: string[] = [];
  let t = thrown;
  try {
    stops = run();
  } catch (e) {
    t = (e as Error).message;
  }
  return {
    stops,
    thrown: t,
    regs: Array.from(cpu.r),
    pc: cpu.pc,
    npc: cpu.npc,
    busPc: m.bus.pc,
    flags: [cpu.fN, cpu.fZ, cpu.fC, cpu.fV, cpu.fQ, cpu.ge, cpu.itstate, cpu.ipsr, cpu.primask, cpu.control, cpu.tbit, cpu.cfsr, cpu.hfsr],
    cycles: cpu.cycles,
    instructions: cpu.instructions,
    lastSingleAccess: cpu.lastSingleAccess,
    minSP: cpu.minSP,
    faults: JSON.stringify(cpu.faults),
    sramHash,
    accesses: trace.n,
    accessHash: trace.h,
  };
}

/** A checker that folds every data access (pc, address, size, kind, value) into a hash. */
export function tracer(m: Machine): { n: number; h: number } {
  const t = { n: 0, h: 0x811c9dc5 };
  m.addChecker((pc, a, s, k, v) => {
    t.n++;
    t.h = fnv(fnv(fnv(fnv(fnv(t.h, pc), a), s), k === 'load' ? 1 : 2), v);
  });
  return t;
}

class StackViolation extends Error {}

const CLASSES = new Map<string, ReturnType<typeof rowsFor>[]>();

/** The profile's rows grouped by conformance class (so rare and common classes are drawn alike). */
function classesOf(profile: Profile): ReturnType<typeof rowsFor>[] {
  let c = CLASSES.get(profile.name);
  if (c === undefined) {
    const by = new Map<string, ReturnType<typeof rowsFor>>();
    for (const r of rowsFor(profile)) by.set(r.enc.cls, [...(by.get(r.enc.cls) ?? []), r]);
    c = [...by.values()];
    CLASSES.set(profile.name, c);
  }
  return c;
}

/**
 * A random program: flash filled with encodings of the profile's rows (random fields, IT
 * instructions among them) and short backward branches, random vectors into it, registers pointing
 * into SRAM, and, by the seed, SysTick, a scheduled interrupt, a stack limit and a halting
 * checker, so events, faults and exceptions land inside translated blocks.
 */
export function randomProgram(
  profile: Profile,
  seed: number,
  executor: ExecutorName,
  budget = 20_000,
  codeIn: 'flash' | 'sram' = 'flash',
): Outcome {
  const rng = new Prng(seed);
  const m = new Machine(profile);
  m.cpu.executor = makeExecutor(executor, { warm: 0 }); // compile every block at once: test the translated code
  const codeStart = 0x100,
    codeEnd = 0x1100;
  const flash = new Uint8Array(codeEnd);
  const classes = classesOf(profile);
  let at = codeStart;
  while (at < codeEnd - 4) {
    // A row of a random class with random free bits (as the conformance generator draws them).
    const rows = classes[rng.u32() % classes.length];
    const row = rows[rng.u32() % rows.length];
    const free = ~row.mask >>> 0;
    const w = (row.value | ((row.width === 16 ? rng.u32() & 0xffff : rng.u32()) & free)) >>> 0;
    if (row.width === 16) flash.set([w & 0xff, w >>> 8], at);
    else flash.set([(w >>> 16) & 0xff, w >>> 24, w & 0xff, (w >>> 8) & 0xff], at);
    at += row.width / 8;
    // Now and then a short backward branch, so that loops (and self-looping blocks) occur.
    if (rng.u32() % 8 === 0 && at < codeEnd - 2) {
      const back = 2 + 2 * (rng.u32() % 12);
      const off = (-back - 4) >> 1;
      const hw = 0xd000 | ((rng.u32() % 14) << 8) | (off & 0xff);
      flash.set([hw & 0xff, hw >>> 8], at);
      at += 2;
    }
  }
  const sp = SRAM_BASE + 0x3000;
  // In SRAM the code sits where the registers point, so stores rewrite it as it runs.
  const base = codeIn === 'sram' ? SRAM_BASE : 0;
  const word = (k: number, v: number) => flash.set([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24], 4 * k);
  word(0, sp);
  for (let k = 1; k < 48; k++) word(k, (base + codeStart + 2 * (rng.u32() % ((codeEnd - codeStart) / 2))) | 1);
  const fill = new Uint8Array(0x4000);
  for (let k = 0; k < fill.length; k++) fill[k] = rng.u32() & 0xff;
  m.bus.load(SRAM_BASE, fill);
  if (codeIn === 'sram') {
    m.bus.load(0, flash.subarray(0, codeStart));
    m.bus.load(SRAM_BASE + codeStart, flash.subarray(codeStart));
  } else m.bus.load(0, flash);
  m.cpu.faultMode = 'vector';
  m.cpu.reset();
  for (let k = 0; k < 13; k++) m.cpu.r[k] = rng.u32() & 1 ? SRAM_BASE + (rng.u32() & 0x3ffc) : rng.u32() | 0;
  const options = rng.u32();
  if (options & 1) {
    // SysTick: reload 40..551, counting from the core clock, interrupt on.
    m.bus.write32(0xe000e014, 40 + (rng.u32() % 512));
    m.bus.write32(0xe000e018, 0);
    m.bus.write32(0xe000e010, 7);
  }
  if (options & 2) {
    m.cpu.enabled[16] = 1;
    m.cpu.scheduleInterrupt(rng.u32() % budget, 0);
  }
  if (options & 4) {
    m.cpu.stackLimit = sp - 0x100 - (rng.u32() % 0x800);
    m.cpu.onStackLimit = (s) => {
      throw new StackViolation(`stack at 0x${s.toString(16)}, pc 0x${m.cpu.pc.toString(16)}`);
    };
  }
  const trace = tracer(m);
  if (options & 8) {
    // A checker that halts the run at its Nth access; the test then resumes.
    let left = 1 + (rng.u32() % 200);
    m.addChecker(() => {
      if (--left === 0) m.cpu.halt();
    });
  }
  return observe(
    m,
    () => {
      const stops: string[] = [];
      for (let k = 0; k < 3; k++) {
        const s = m.cpu.run(budget);
        stops.push(s);
        if (s !== 'halt') break;
      }
      return stops;
    },
    trace,
  );
}
