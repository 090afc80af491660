// Machine snapshots (emulator/snapshot.ts). The reference is the machine itself, run without
// any snapshot: branch at instruction N, run to M, restore, run to M again, and the whole state
// at M (every field of every part, found by enumerating the objects rather than from the
// snapshot's own list, a hash of SRAM, the checkers' state) must be what the straight run had;
// and a call that was restored several times part-way must end exactly where the straight run
// of the same call ends.

import { describe, expect, it } from 'vitest';
import { Session } from '../checks/session.ts';
import type { Cpu } from '../emulator/cpu.ts';
import type { Machine } from '../emulator/machine.ts';
import { type MachineSnapshot, restoreSnapshot, SNAPSHOT_FIELDS, takeSnapshot } from '../emulator/snapshot.ts';
import { AllocatorImage } from '../runners/image.ts';

const PROFILE_NAMES = ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4'];
const ISER = 0x100;

/** FNV-1a over SRAM. */
function sramHash(m: Machine): number {
  let h = 0x811c9dc5;
  for (const b of m.bus.sram) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Not machine state: the LDM staging area, and the arrays hashed or fixed (SRAM, flash, the dirty map). */
const NOT_STATE = new Set(['scratch', 'sram', 'sram16', 'sram32', 'flash', 'flash16', 'flash32', 'dirty', 'h16']);

/** Every own primitive or typed-array field of an object, found by enumeration. */
function fieldsOf(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (NOT_STATE.has(k)) continue;
    if (v === null || v === undefined || ['number', 'string', 'boolean'].includes(typeof v)) out[k] = v;
    else if (ArrayBuffer.isView(v)) out[k] = Array.from(v as Uint8Array);
  }
  return out;
}

/** The whole observable state: every part's fields, the fault list, SRAM's hash, and the session's. */
function stateOf(m: Machine, s?: Session): unknown {
  return {
    cpu: fieldsOf(m.cpu),
    systick: fieldsOf(m.cpu.systick),
    scs: fieldsOf(m.scs),
    dwt: m.dwt ? fieldsOf(m.dwt) : null,
    bus: fieldsOf(m.bus),
    machine: fieldsOf(m),
    faults: m.cpu.faults.map((f) => f.message),
    sram: sramHash(m),
    session: s ? sessionOf(s) : null,
  };
}

/** What the checkers hold, through the session's public face. */
function sessionOf(s: Session): unknown {
  return {
    live: [...s.live.values()],
    operations: s.operations,
    peakStackBytes: s.peakStackBytes,
    liveBytes: s.liveBytes,
    utilisation: s.utilisationAtFirstFailure,
    stats: s.stats(),
    violation: s.violation,
    heap: s.image.heap,
  };
}

/** An image up, sl_init on 16 KiB, a few live blocks; IRQ 0 armed to run sl_alloc(32, 4) at cycle `irqAt` after now. */
function setUp(alloc: string, profile: string, irqAfter?: number): { img: AllocatorImage; s: Session; m: Machine } {
  const img = AllocatorImage.load(alloc, profile);
  const s = new Session(img);
  s.init(16 * 1024);
  for (let k = 0; k < 6; k++) s.alloc(40 + 8 * k, 4);
  const blocks = [...s.live.values()];
  s.dealloc(blocks[1]);
  s.dealloc(blocks[3]);
  const m = img.machine;
  if (irqAfter !== undefined) {
    const req = img.address('sl_isr_request');
    for (const [i, v] of [1, 32, 4, 0, 0, 0, 0].entries()) img.write32(req + 4 * i, v);
    m.scs.write(ISER, 4, 1);
    m.cpu.scheduleInterrupt(m.cpu.cycles + irqAfter, 0);
  }
  return { img, s, m };
}

/**
 * Runs sl_alloc(size, align) with a hook at every instruction boundary: takes snapshot i at the
 * first boundary where takeAt[i] holds (in order, each after the one before); span instructions
 * after the last one, records the state, then restores the snapshots listed in `restores` one by
 * one, recording the state each time the run comes back to that boundary. Returns the records and
 * the state after the call.
 */
function branch(
  m: Machine,
  s: Session,
  call: [string, number[]],
  takeAt: ((cpu: Cpu, done: number) => boolean)[],
  span: number,
  restores: number[],
): { records: unknown[]; end: unknown; takenAt: number[] } {
  const cpu = m.cpu;
  const snaps: MachineSnapshot[] = [];
  const takenAt: number[] = [];
  const records: unknown[] = [];
  const copies: { sram: Uint8Array; state: unknown }[] = [];
  let target = -1,
    next = 0;
  const i0 = cpu.instructions;
  cpu.onInstruction = () => {
    if (snaps.length < takeAt.length) {
      if (takeAt[snaps.length](cpu, cpu.instructions - i0)) {
        snaps.push(takeSnapshot(m));
        takenAt.push(cpu.instructions);
        copies.push({ sram: m.bus.sram.slice(), state: stateOf(m, s) });
        if (snaps.length === takeAt.length) target = cpu.instructions + span;
      }
      return;
    }
    if (cpu.instructions !== target) return;
    records.push(stateOf(m, s));
    if (next < restores.length) {
      const k = restores[next++];
      restoreSnapshot(m, snaps[k]);
      // Right after a restore: SRAM byte for byte and every field as when the snapshot was taken.
      if (!equalBytes(m.bus.sram, copies[k].sram)) throw new Error(`SRAM differs from snapshot ${k} right after restoring it`);
      expect(stateOf(m, s)).toEqual(copies[k].state);
    } else {
      cpu.onInstruction = null;
    }
  };
  const r = m.call(call[0], call[1], { sp: s.image.layout.stackTop });
  cpu.onInstruction = null;
  expect(r.stop).toBe('returned');
  return { records, end: stateOf(m, s), takenAt };
}

/** The same call with no hook and no snapshot: the reference. */
function straight(m: Machine, s: Session, call: [string, number[]]): unknown {
  const r = m.call(call[0], call[1], { sp: s.image.layout.stackTop });
  expect(r.stop).toBe('returned');
  return stateOf(m, s);
}

describe('machine snapshots', () => {
  it('every field of every part is either saved or left alone on purpose', () => {
    for (const name of PROFILE_NAMES) {
      const { m } = setUp('galloc', name);
      const parts: Record<keyof typeof SNAPSHOT_FIELDS, object | null> = {
        cpu: m.cpu,
        systick: m.cpu.systick,
        scs: m.scs,
        dwt: m.dwt,
        bus: m.bus,
        machine: m,
      };
      for (const [part, obj] of Object.entries(parts)) {
        if (obj === null) continue;
        const f = SNAPSHOT_FIELDS[part as keyof typeof SNAPSHOT_FIELDS];
        const known = new Set<string>([...f.saved, ...f.savedArrays, ...f.notSaved]);
        expect(
          Object.keys(obj).filter((k) => !known.has(k)),
          `${name} ${part}`,
        ).toEqual([]);
      }
    }
  });

  it('restore puts back every field the snapshot says it saves', () => {
    for (const name of PROFILE_NAMES) {
      const { m } = setUp('galloc', name);
      const parts: Record<string, Record<string, unknown> | null> = {
        cpu: m.cpu as never,
        systick: m.cpu.systick as never,
        scs: m.scs as never,
        dwt: m.dwt as never,
        bus: m.bus as never,
        machine: m as never,
      };
      const before = JSON.stringify(stateOf(m));
      const snap = takeSnapshot(m);
      for (const [part, obj] of Object.entries(parts)) {
        if (obj === null) continue;
        const f = SNAPSHOT_FIELDS[part as keyof typeof SNAPSHOT_FIELDS];
        for (const k of f.saved)
          obj[k] = typeof obj[k] === 'boolean' ? !obj[k] : typeof obj[k] === 'number' ? (obj[k] as number) + 12345 : 777;
        for (const k of f.savedArrays) (obj[k] as Uint8Array).fill(99);
      }
      m.cpu.faults.push({ kind: 'unmapped', message: 'not part of the snapshot', pc: 0 });
      m.bus.write32(0x2000_0100, 0x12345678);
      expect(JSON.stringify(stateOf(m))).not.toBe(before);
      restoreSnapshot(m, snap);
      expect(JSON.stringify(stateOf(m)), name).toBe(before);
    }
  });

  for (const name of ['cortex-m3', 'cortex-m4']) {
    it(`${name}: taken inside an IT block, restored twice`, () => {
      // galloc's dealloc of a block whose neighbours are free runs IT blocks on ARMv7-M.
      const found: string[] = [];
      for (const call of [
        ['sl_alloc', [64, 8]],
        ['sl_alloc', [5000, 4]],
        ['sl_realloc', [0, 0, 4, 0]],
      ] as [string, number[]][]) {
        const a = setUp('galloc', name),
          b = setUp('galloc', name);
        if (call[0] === 'sl_realloc') {
          const blk = [...a.s.live.values()][0];
          call[1] = [blk.ptr, blk.size, blk.align, 200];
        }
        const { records, end, takenAt } = branch(a.m, a.s, call, [(c) => c.itstate !== 0], 8, [0, 0]);
        if (takenAt.length === 0) continue;
        expect(records).toHaveLength(3);
        expect(records[1]).toEqual(records[0]);
        expect(records[2]).toEqual(records[0]);
        expect(end).toEqual(straight(b.m, b.s, call));
        found.push(call[0]);
      }
      expect(found.length).toBeGreaterThan(0);
    });
  }

  for (const name of PROFILE_NAMES) {
    describe(name, () => {
      it('restored at N, runs to M into the same state, twice, and the call ends as a straight run does', () => {
        const a = setUp('galloc', name),
          b = setUp('galloc', name);
        const call: [string, number[]] = ['sl_alloc', [64, 8]];
        const { records, end, takenAt } = branch(a.m, a.s, call, [(_, done) => done >= 40], 60, [0, 0]);
        expect(takenAt).toHaveLength(1);
        expect(records).toHaveLength(3);
        expect(records[1]).toEqual(records[0]);
        expect(records[2]).toEqual(records[0]);
        expect(end).toEqual(straight(b.m, b.s, call));
      });

      it('nested: inner and outer snapshots restored in any order, each the same at M', () => {
        const a = setUp('galloc', name),
          b = setUp('galloc', name);
        const call: [string, number[]] = ['sl_alloc', [64, 8]];
        // 1, 1: the inner one again (pages only); 0: the outer (all of SRAM); 0, 1: back and forth.
        const { records, end, takenAt } = branch(a.m, a.s, call, [(_, d) => d >= 20, (_, d) => d >= 60], 40, [1, 1, 0, 0, 1]);
        expect(takenAt[1]).toBeGreaterThan(takenAt[0]);
        expect(records).toHaveLength(6);
        for (const r of records) expect(r).toEqual(records[0]);
        expect(end).toEqual(straight(b.m, b.s, call));
      });

      it('taken inside an exception handler (IRQ 0 running sl_alloc), restored twice', () => {
        const a = setUp('slab', name, 30),
          b = setUp('slab', name, 30);
        const call: [string, number[]] = ['sl_alloc', [64, 8]];
        const inIsr = (c: Cpu) => c.ipsr === 16;
        const { records, end, takenAt } = branch(a.m, a.s, call, [(c, d) => inIsr(c) && d >= 10], 30, [0, 0]);
        expect(takenAt).toHaveLength(1);
        expect(records).toHaveLength(3);
        expect(records[1]).toEqual(records[0]);
        expect(records[2]).toEqual(records[0]);
        expect(end).toEqual(straight(b.m, b.s, call));
        expect(a.img.read32(a.img.address('sl_isr_request') + 24)).toBe(1); // the handler finished
      });

      it("between operations: the checkers' state goes back too, and the same operations give the same result", () => {
        const { s, m } = setUp('galloc', name);
        const ops = () => {
          const x = s.alloc(100, 8)!;
          const y = s.alloc(12, 4)!;
          s.dealloc([...s.live.values()][0]);
          s.realloc(x, 300);
          s.dealloc(y);
          return stateOf(m, s);
        };
        const before = stateOf(m, s);
        const outer = s.snapshot();
        const first = ops();
        expect(first).not.toEqual(before);
        const inner = s.snapshot();
        const second = ops();
        s.restore(outer);
        expect(stateOf(m, s)).toEqual(before);
        expect(ops()).toEqual(first);
        s.restore(outer);
        expect(ops()).toEqual(first);
        s.restore(inner);
        expect(stateOf(m, s)).toEqual(first);
        expect(ops()).toEqual(second);
      });
    });
  }
});
