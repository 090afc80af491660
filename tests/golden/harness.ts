// Runs one golden case on an Engine (sramlab's TS core or the Unicorn reference) and returns
// the outcome in the form stored in v6m.json. Used by the recorder and by the CPU test, so
// both sides set up memory and state the same way.

import type { CpuState, Engine, StepStop } from '../../emulator/engine.ts';
import { FLASH_BASE, SRAM_BASE } from '../../emulator/memory-map.ts';

export interface MemBlock {
  address: number;
  /** Bytes in address order, as hex. */
  hex: string;
}

/** Recorded for stop 'fault' only. */
export interface GoldenFault {
  kind: string;
  /** Present when the reference reported the faulting data address. */
  address?: number;
  access?: string;
}

export interface Outcome {
  stop: StepStop;
  fault?: GoldenFault;
  state: CpuState;
  /** Bytes of the watched windows that differ from the initial image, as changed runs. */
  writes: MemBlock[];
}

export interface GoldenCase {
  /** Unique: "<encoding> / <name>". */
  id: string;
  /** Row name in ENCODINGS, or UNDEFINED_GROUP. */
  encoding: string;
  name: string;
  /** Halfwords in memory order at code.address; the last instruction is the one under test. */
  code: { address: number; hw: number[] };
  /** Halfword index in code.hw of the instruction the case is about (usually the last). */
  under: number;
  /** Instructions to step (setup instructions first); stepping stops at the first non-'ok'. */
  steps: number;
  initial: CpuState;
  /** Memory on top of the standard fill; watched for writes like the standard windows. */
  memory: MemBlock[];
  expected: Outcome;
}

export interface GoldenFile {
  reference: string;
  profile: string;
  cases: GoldenCase[];
}

/** Encoding name of the cases whose word matches no ARMv6-M row. */
export const UNDEFINED_GROUP = 'UNDEFINED (no ARMv6-M encoding)';

/** SRAM windows every case starts with a fixed pattern in, and that are checked afterwards. */
export const STANDARD_WINDOWS = [
  { address: 0x2000_1000, size: 0x100 },
  { address: 0x2000_1f00, size: 0x100 },
] as const;

/** The standard fill: a fixed byte per address, mixing small and top-bit-set values. */
export const fillByte = (address: number): number => (Math.imul(address >>> 0, 0x9e3779b1) >>> 24) & 0xff;

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));

/** The initial image of all watched memory: the standard fill with the case's presets on top. */
export function initialImage(presets: readonly MemBlock[]): Map<number, number> {
  const image = new Map<number, number>();
  for (const w of STANDARD_WINDOWS) {
    for (let a = w.address; a < w.address + w.size; a++) image.set(a, fillByte(a));
  }
  for (const p of presets) {
    fromHex(p.hex).forEach((b, k) => {
      image.set(p.address + k, b);
    });
  }
  return image;
}

/** Contiguous runs of an address → byte map. */
export function blocks(image: ReadonlyMap<number, number>): { address: number; bytes: Uint8Array }[] {
  const addrs = [...image.keys()].sort((x, y) => x - y);
  const out: { address: number; bytes: number[] }[] = [];
  for (const a of addrs) {
    const last = out.at(-1);
    if (last && last.address + last.bytes.length === a) last.bytes.push(image.get(a)!);
    else out.push({ address: a, bytes: [image.get(a)!] });
  }
  return out.map((b) => ({ address: b.address, bytes: Uint8Array.from(b.bytes) }));
}

const halfwordBytes = (hw: readonly number[]): Uint8Array => Uint8Array.from(hw.flatMap((h) => [h & 0xff, h >>> 8]));

/** Changed bytes of the watched memory, as runs of the new contents. */
function diff(engine: Engine, image: ReadonlyMap<number, number>): MemBlock[] {
  const changed = new Map<number, number>();
  for (const blk of blocks(image)) {
    const now = engine.readMemory(blk.address, blk.bytes.length);
    now.forEach((b, k) => {
      if (b !== blk.bytes[k]) changed.set(blk.address + k, b);
    });
  }
  return blocks(changed).map((b) => ({ address: b.address, hex: toHex(b.bytes) }));
}

/** Loads the case into a fresh engine, steps it and reports what happened. */
export function runCase(engine: Engine, c: Pick<GoldenCase, 'code' | 'steps' | 'initial' | 'memory'>): Outcome {
  const image = initialImage(c.memory);
  for (const blk of blocks(image)) engine.writeMemory(blk.address, blk.bytes);
  engine.writeMemory(c.code.address, halfwordBytes(c.code.hw));
  engine.setState(structuredClone(c.initial));
  let result = engine.step();
  for (let k = 1; k < c.steps && result.stop === 'ok'; k++) result = engine.step();
  const out: Outcome = { stop: result.stop, state: engine.getState(), writes: diff(engine, image) };
  // Only memory faults carry detail the reference can observe; for 'undefined' the stop says it all.
  if (result.stop === 'fault' && result.fault) out.fault = faultOf(result.fault);
  return out;
}

/**
 * Returns a used engine to its just-opened condition as far as a case can see: flash and SRAM
 * zeroed, both stack pointers 0 (via SPSEL, since CpuState holds only the current SP),
 * CONTROL 0. Lets one slow-to-open Unicorn run many cases.
 */
export function scrub(engine: Engine): void {
  engine.writeMemory(FLASH_BASE, new Uint8Array(engine.profile.flashSize));
  engine.writeMemory(SRAM_BASE, new Uint8Array(engine.profile.sramSize));
  const zero: CpuState = { r: new Array(16).fill(0), n: 0, z: 0, c: 0, v: 0, q: 0, ge: 0, primask: 0, control: 2 };
  engine.setState(zero);
  engine.setState({ ...zero, control: 0 });
}

function faultOf(f: { kind: string; address?: number; access?: string }): GoldenFault {
  const g: GoldenFault = { kind: f.kind };
  if (f.address !== undefined) g.address = f.address >>> 0;
  if (f.access !== undefined) g.access = f.access;
  return g;
}

/** The parts of an actual outcome that a golden outcome constrains (fault details only where recorded). */
export function comparable(actual: Outcome, golden: Outcome): Outcome {
  const out: Outcome = { stop: actual.stop, state: actual.state, writes: actual.writes };
  if (golden.fault) {
    const f: GoldenFault = { kind: actual.fault?.kind ?? '(none)' };
    if (golden.fault.address !== undefined) f.address = actual.fault?.address;
    if (golden.fault.access !== undefined) f.access = actual.fault?.access;
    out.fault = f;
  } else if (actual.fault) {
    out.fault = faultOf(actual.fault);
  }
  return out;
}
