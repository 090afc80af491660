// Every encoding row's declared cycle class (emulator/isa/cycle-class.ts) against what its
// handler charges: each row of each profile's decode table runs a few random instances through
// the interpreter, and the cycles charged must be what the class gives for the facts seen (the
// accesses made, whether the PC moved, whether a single load/store came just before). The
// classes' figures themselves are checked against the TRM tables quoted in emulator/cycles.ts.
import { describe, expect, it } from 'vitest';
import { timingFor } from '../emulator/cycles.ts';
import { InstructionFault } from '../emulator/fault.ts';
import { CYCLE_CLASSES, type CycleClass, classCycles, DATA_DEPENDENT } from '../emulator/isa/cycle-class.ts';
import { type CompiledEncoding, decode32, decodeTables, rowsFor } from '../emulator/isa/decoder.ts';
import { disassemble } from '../emulator/isa/disasm.ts';
import { ENCODINGS } from '../emulator/isa/encodings.ts';
import { Machine } from '../emulator/machine.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile, PROFILES } from '../emulator/profiles.ts';
import { Prng } from '../runners/prng.ts';

const CODE = 0x2000;
const SP0 = SRAM_BASE + 0x4000;
/** Instances per row and profile, and the draws allowed to find them. */
const INSTANCES = 24;
const DRAWS = 400;

/**
 * Rows no word reaches on ARMv7-M: the ARMv6-M MSR and MRS rows, which the ARMv7-M rows with
 * more fixed bits override (encodings-v7m.ts). They are checked on the ARMv6-M cores.
 */
const SHADOWED_ON_V7 = new Set(['MSR', 'MRS']);

interface Mismatch {
  profile: string;
  row: string;
  cls: CycleClass;
  word: string;
  charged: number;
  expected: string;
}

/** Runs up to INSTANCES random instances of each row; returns the mismatches and the rows no draw reached. */
function checkProfile(name: string): { mismatches: Mismatch[]; unreached: string[]; instances: number; seen: Set<string> } {
  const profile = getProfile(name);
  const m = new Machine(profile);
  const cpu = m.cpu;
  const t = timingFor(name);
  const tables = decodeTables(profile);
  const rng = new Prng(0xc1c1e + name.length);
  cpu.onSvc = () => true;
  cpu.onBkpt = () => true;
  // Random data where literal loads (flash, around CODE) and register-based accesses (SRAM) land.
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => rng.u32() & 0xff);
  m.bus.load(0, bytes(0x4000));
  m.bus.load(SRAM_BASE, bytes(0x8000));
  let accesses = 0;
  const kinds = new Set<string>();
  m.addChecker((_pc, _a, _s, kind) => {
    accesses++;
    kinds.add(kind);
  });
  const mismatches: Mismatch[] = [];
  const unreached: string[] = [];
  /** The dynamic facts met, per class ('load taken', 'store after an access'), so the test knows they were exercised. */
  const seen = new Set<string>();
  let instances = 0;

  /** A register value: mostly SRAM addresses (so accesses succeed), some offsets and small numbers, some anything outside the SCS. */
  const value = (): number => {
    const roll = rng.u32() & 7;
    if (roll < 3) return SRAM_BASE + 0x1000 + (rng.u32() & 0x3ffc);
    if (roll === 3) return SRAM_BASE + 0x1000 + (rng.u32() & 0x3fff);
    if (roll === 4) return rng.u32() & 0x3fc; // an offset for register-offset accesses
    if (roll === 5) return rng.u32() & 0xffff;
    const v = rng.u32() | 0;
    return v >>> 28 === 0xe ? v & 0x7fffffff : v;
  };

  const reaches = (row: CompiledEncoding, w: number): boolean =>
    row.width === 16 ? tables.rows16[w] === row : decode32(tables, w >>> 16, w & 0xffff) === row;

  for (const row of rowsFor(profile)) {
    if (profile.hasThumb2 && row.enc.arch === 'v6m' && SHADOWED_ON_V7.has(row.enc.name)) continue;
    const cls = row.enc.cycles!;
    const free = ~row.mask >>> 0;
    let found = 0;
    for (let draw = 0; draw < DRAWS && found < INSTANCES; draw++) {
      let w = row.value | ((row.width === 16 ? rng.u32() & 0xffff : rng.u32()) & free);
      // A quarter of the draws name the PC as Rd/Rt, so writes to the PC (ADD/MOV/LDR to PC) are met often.
      if ((rng.u32() & 3) === 0) for (const f of ['d', 'D', 't']) for (const bit of row.fields[f] ?? []) w |= 1 << bit;
      w >>>= 0;
      if (!reaches(row, w)) continue; // a more specific row's word, or UNPREDICTABLE
      const size = row.width / 8;
      const next = CODE + size;
      // A conditional branch to its own fall-through ends at the same PC taken or not: no fact to check.
      if (cls === 'branch-cond' && disassemble(profile.arch, w, CODE).endsWith(`0x${next.toString(16)}`)) continue;
      m.bus.load(CODE, new Uint8Array(size === 2 ? [w & 0xff, w >>> 8] : [(w >>> 16) & 0xff, w >>> 24, w & 0xff, (w >>> 8) & 0xff]));
      for (let r = 0; r < 13; r++) cpu.r[r] = value();
      cpu.r[13] = SP0;
      cpu.r[14] = value();
      const flags = rng.u32();
      cpu.fN = flags & 1;
      cpu.fZ = (flags >>> 1) & 1;
      cpu.fC = (flags >>> 2) & 1;
      cpu.fV = (flags >>> 3) & 1;
      cpu.fQ = (flags >>> 4) & 1;
      cpu.ge = (flags >>> 5) & 15;
      cpu.itstate = 0;
      cpu.ipsr = 0;
      cpu.control = 0;
      cpu.primask = 0;
      cpu.basepri = 0;
      cpu.faultmask = 0;
      cpu.tbit = 1;
      cpu.stopReason = null;
      cpu.clearExclusiveLocal();
      if ((flags >>> 9) & 1) cpu.setExclusiveMonitor(cpu.r[(flags >>> 10) & 7], 4);
      const followsAccess = ((flags >>> 13) & 1) === 1;
      cpu.lastSingleAccess = followsAccess ? cpu.instructions : -1;
      cpu.pc = CODE;
      accesses = 0;
      kinds.clear();
      const before = cpu.cycles;
      const fault = cpu.stepOne();
      const charged = cpu.cycles - before;
      const word = `0x${w.toString(16)}`;
      if (cls === 'undefined') {
        // Never completes: the row raises its fault and charges nothing (the core charges the entry).
        found++;
        if (!(fault instanceof InstructionFault) || charged !== 0) {
          mismatches.push({ profile: name, row: row.enc.name, cls, word, charged, expected: 'a fault and 0' });
        }
        continue;
      }
      if (fault !== null) continue; // this instance faults: draw again
      found++;
      const taken = cpu.pc !== next;
      seen.add(`${cls} ${taken ? 'taken' : 'not taken'}`);
      if (followsAccess) seen.add(`${cls} after an access`);
      // Loads and stores cost alike: what tells the two classes apart is the access the row makes
      // (a store-exclusive that fails makes none).
      if ((cls === 'load' && (accesses === 0 || kinds.has('store'))) || (cls === 'store' && kinds.has('load'))) {
        mismatches.push({ profile: name, row: row.enc.name, cls, word, charged, expected: `${cls} accesses only` });
      }
      const range = classCycles(cls, t, { transfers: accesses, taken, followsAccess });
      const ok = DATA_DEPENDENT.includes(cls) ? charged >= range.min && charged <= range.max : charged === range.min;
      if (!ok) {
        const expected = range.min === range.max ? String(range.min) : `${range.min}..${range.max}`;
        mismatches.push({ profile: name, row: row.enc.name, cls, word, charged, expected });
      }
    }
    instances += found;
    if (found === 0) unreached.push(row.enc.name);
  }
  return { mismatches, unreached, instances, seen };
}

describe('each row charges what its cycle class says', () => {
  it.each(Object.keys(PROFILES))('%s: every row, a few random instances each', (name) => {
    const { mismatches, unreached, instances, seen } = checkProfile(name);
    expect(mismatches).toEqual([]);
    expect(unreached).toEqual([]);
    expect(instances).toBeGreaterThan(rowsFor(getProfile(name)).length);
    // Each dynamic part of the model was met: ADD/MOV to PC, POP/LDM of the PC, both ways of a
    // conditional branch, loads and stores right after another access, and (ARMv7-M) LDR to PC.
    const met = ['alu taken', 'alu not taken', 'multiple taken', 'multiple not taken', 'branch-cond taken', 'branch-cond not taken'];
    met.push('load after an access', 'store after an access', 'load not taken');
    if (getProfile(name).hasThumb2) met.push('load taken');
    for (const fact of met) expect([...seen], fact).toContain(fact);
  });

  it('every row of the table declares a known class', () => {
    for (const e of ENCODINGS) expect(Object.keys(CYCLE_CLASSES), e.name).toContain(e.cycles);
  });
});

describe('the classes give the TRM figures (emulator/cycles.ts)', () => {
  const m0 = timingFor('cortex-m0'),
    m0p = timingFor('cortex-m0plus'),
    m3 = timingFor('cortex-m3'),
    m4 = timingFor('cortex-m4');

  it('Cortex-M0 / M0+ table 3-1', () => {
    expect(classCycles('alu', m0)).toEqual({ min: 1, max: 1 });
    expect(classCycles('alu', m0, { taken: true })).toEqual({ min: 3, max: 3 }); // MOV/ADD to PC
    expect(classCycles('alu', m0p, { taken: true })).toEqual({ min: 2, max: 2 });
    expect(classCycles('load', m0, { followsAccess: true })).toEqual({ min: 2, max: 2 }); // no pipelining
    expect(classCycles('multiple', m0, { transfers: 4 })).toEqual({ min: 5, max: 5 }); // 1+N
    expect(classCycles('multiple', m0, { transfers: 5, taken: true })).toEqual({ min: 9, max: 9 }); // POP {4 regs, PC}: 4+N
    expect(classCycles('multiple', m0p, { transfers: 5, taken: true })).toEqual({ min: 8, max: 8 }); // 3+N
    expect(classCycles('branch-cond', m0, { taken: false })).toEqual({ min: 1, max: 1 });
    expect(classCycles('branch-cond', m0, { taken: true })).toEqual({ min: 3, max: 3 });
    expect(classCycles('bl', m0)).toEqual({ min: 4, max: 4 });
    expect(classCycles('bl', m0p)).toEqual({ min: 3, max: 3 });
    expect(classCycles('msr-mrs', m0)).toEqual({ min: 4, max: 4 });
    expect(classCycles('barrier', m0p)).toEqual({ min: 3, max: 3 });
  });

  it('Cortex-M3 table 18-1 / M4 table 3-1 (P = 2)', () => {
    expect(classCycles('load', m3)).toEqual({ min: 2, max: 2 });
    expect(classCycles('load', m3, { followsAccess: true })).toEqual({ min: 1, max: 1 }); // LDR; LDR = 3
    expect(classCycles('load', m3, { taken: true, followsAccess: true })).toEqual({ min: 4, max: 4 }); // LDR PC: 2+P
    expect(classCycles('multiple', m3, { transfers: 2 })).toEqual({ min: 3, max: 3 }); // LDRD: 1+N
    expect(classCycles('multiple', m3, { transfers: 3, taken: true })).toEqual({ min: 6, max: 6 }); // 1+N+P
    expect(classCycles('table-branch', m3)).toEqual({ min: 4, max: 4 }); // 2+P
    expect(classCycles('branch', m4)).toEqual({ min: 3, max: 3 }); // 1+P
    expect(classCycles('mla', m3)).toEqual({ min: 2, max: 2 });
    expect(classCycles('long-mul', m3)).toEqual({ min: 3, max: 5 });
    expect(classCycles('long-mul', m4)).toEqual({ min: 1, max: 1 });
    expect(classCycles('long-mul-acc', m3)).toEqual({ min: 4, max: 6 }); // TRM 4–7; sramlab charges 4–6
    expect(classCycles('div', m4)).toEqual({ min: 2, max: 12 });
    expect(classCycles('msr-mrs', m3)).toEqual({ min: 2, max: 2 });
  });
});
