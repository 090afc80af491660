// The two-core explorer against purpose-made allocators (tests/two-core-allocators: one arena,
// four locks): a lock that does not exclude the other core must be caught, with the explorer
// shown to stop where the lock breaks; locks that do exclude must pass every schedule.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exploreTwoCoreRequest } from '../explore/two-core/run.ts';
import { exploreTwoCore, mergeTwoCore, parseSchedule, scheduleText, type TwoCoreOptions, twoCoreAt } from '../explore/two-core.ts';

const elf = (name: string) => join(import.meta.dirname, 'two-core-allocators', `${name}.elf`);
const lockByte = (d: ReturnType<typeof twoCoreAt>) => d.cores[0].bus.peek(d.cores[0].symbol('lock')!, 1)[0];

describe('two cores: locks that do not exclude the other core', () => {
  it('no lock: both cores are handed the same block', () => {
    const r = exploreTwoCore(elf('arena-nolock-m0plus'), { mcu: 'rp2040' });
    expect(r.failure?.violation.rule).toBe('blocks');
    expect(r.failure?.violation.message).toMatch(/the same memory handed to both cores/);
  });

  it("the PRIMASK lock (lock.h on ARMv6-M) fails on the rp2040: masking one core's interrupts does not stop the other", () => {
    const opts: TwoCoreOptions = { mcu: 'rp2040' };
    const r = exploreTwoCore(elf('arena-primask-m0plus'), opts);
    expect(r.failure?.violation.rule).toBe('blocks');
    expect(r.failure?.violation.message).toMatch(
      /core 0's sl_alloc\(16, 4\) returned (0x[0-9a-f]+) and core 1's sl_alloc\(16, 8\) returned \1:/,
    );
    // The bad point: core 0 was preempted inside its masked CAS, after reading the lock free
    // and before storing it; core 1 then took the same lock. Both are inside the lock.
    const { segments } = parseSchedule(r.failure!.schedule);
    expect(segments.map((s) => s.core)).toEqual([0, 1]);
    const before = twoCoreAt(elf('arena-primask-m0plus'), opts, scheduleText(segments.slice(0, 1), 1));
    expect(before.cores[0].cpu.primask).toBe(1);
    expect(lockByte(before)).toBe(0);
    const at = twoCoreAt(elf('arena-primask-m0plus'), opts, r.failure!.schedule);
    expect(at.cores[0].cpu.primask).toBe(1);
    expect(lockByte(at)).toBe(1);
    // Replaying the schedule gives the same failure.
    const again = exploreTwoCore(elf('arena-primask-m0plus'), { ...opts, schedule: r.failure!.schedule });
    expect(again.schedules).toBe(1);
    expect(again.failure?.violation.message).toBe(r.failure!.violation.message);
  });

  it('the PRIMASK lock with an alloc and a free at once loses a block (the leak rule)', () => {
    const r = exploreTwoCore(elf('arena-primask-m0plus'), { mcu: 'rp2040', workload: 'alloc-free' });
    expect(r.failure?.violation.rule).toBe('leak');
    expect(r.failure?.violation.message).toMatch(/a block lost/);
  });

  it('LDREX/STREX without the global monitor: both STREXB succeed, both cores hold the lock', () => {
    const off: TwoCoreOptions = { mcu: 'dual-cortex-m3', globalMonitor: false };
    const r = exploreTwoCore(elf('arena-ldrex-m3'), off);
    expect(r.globalMonitor).toBe(false);
    expect(r.failure?.violation.rule).toBe('blocks');
    expect(r.failure?.violation.message).toMatch(/the same memory handed to both cores/);
    // At the preemption core 0 holds an exclusive tag on the lock; core 1 takes the lock and
    // core 0's tag survives (no global monitor), so its STREXB will pass too.
    const { segments } = parseSchedule(r.failure!.schedule);
    const before = twoCoreAt(elf('arena-ldrex-m3'), off, scheduleText(segments.slice(0, 1), 1));
    const lock = before.cores[0].symbol('lock')!;
    expect(before.cores[0].cpu.exclusiveAddress).toBe(lock);
    const at = twoCoreAt(elf('arena-ldrex-m3'), off, r.failure!.schedule);
    expect(lockByte(at)).toBe(1);
    expect(at.cores[0].cpu.exclusiveAddress).toBe(lock);
    // The same prefix with the monitor on: core 1's store to the lock cleared core 0's tag.
    const on = twoCoreAt(elf('arena-ldrex-m3'), { mcu: 'dual-cortex-m3' }, r.failure!.schedule);
    expect(lockByte(on)).toBe(1);
    expect(on.cores[0].cpu.exclusiveAddress).toBe(-1);
    expect(exploreTwoCore(elf('arena-ldrex-m3'), { mcu: 'dual-cortex-m3', schedule: r.failure!.schedule }).failure).toBeNull();
  });
});

describe('two cores: liveness', () => {
  it('two SIO spinlocks taken in opposite orders by sl_alloc and sl_dealloc deadlock the cores (and not one core)', () => {
    const abba = elf('arena-abba-m0plus');
    // One after the other, each call takes and gives both locks: fine.
    for (const schedule of ['0', '1']) expect(exploreTwoCore(abba, { mcu: 'rp2040', workload: 'alloc-free', schedule }).failure).toBeNull();
    const r = exploreTwoCore(abba, { mcu: 'rp2040', workload: 'alloc-free', budget: 2000 });
    expect(r.failure?.violation.rule).toBe('liveness');
    // Each core holds the lock the other waits for: both spin, both locks stay taken.
    expect(r.failure?.violation.message).toMatch(
      /^core 0's sl_alloc\(16, 4\) still running after 2,000 instructions, at 0x[0-9a-f]+ \(take\+0x[0-9a-f]+ arena\.c:\d+\); core 1's sl_dealloc\(0x[0-9a-f]+, 16, 4\) is still running too, .*; SIO spinlocks 30 and 31 taken$/,
    );
  });
});

describe('two cores: locks that exclude', () => {
  it('an SIO spinlock waited for with WFE: a core asleep waits for the other, it is not a deadlock', () => {
    const wfe = elf('arena-wfe-m0plus');
    // Core 0 runs until it holds lock 31; core 1 then waits (WFE) for 12 instructions.
    const k = [...Array(30).keys()].find((i) => i > 0 && twoCoreAt(wfe, { mcu: 'rp2040' }, `0:${i},1`).sio!.locks >>> 31 === 1)!;
    const d = twoCoreAt(wfe, { mcu: 'rp2040' }, `0:${k},1:12,0`);
    expect(d.sio!.locks >>> 31).toBe(1);
    expect(d.cores[1].describe(d.cores[1].cpu.pc).symbol).toMatch(/^sl_alloc\+/);
    expect(exploreTwoCore(wfe, { mcu: 'rp2040', schedule: `0:${k},1:12,0` }).failure).toBeNull();
    expect(exploreTwoCore(wfe, { mcu: 'rp2040', workload: 'alloc-free' }).failure).toBeNull();
  });

  it('the SIO hardware spinlock passes every schedule on the rp2040', () => {
    const r = exploreTwoCore(elf('arena-sio-m0plus'), { mcu: 'rp2040' });
    expect(r.failure).toBeNull();
    expect(r.verdict).toMatch(/^safe at all [\d,]+ schedules explored \(≤ 2 preemptions over \d+ instructions, [\d,]+ distinct states\)$/);
    // Every schedule with at most one preemption, at least: both first cores, every switch point.
    expect(r.schedules).toBeGreaterThan(2 * r.window);
  });

  it('LDREX/STREX with the global monitor passes every schedule on dual-cortex-m3 (alloc and free at once)', () => {
    const r = exploreTwoCore(elf('arena-ldrex-m3'), { mcu: 'dual-cortex-m3', workload: 'alloc-free' });
    expect(r.globalMonitor).toBe(true);
    expect(r.failure).toBeNull();
    expect(r.schedules).toBeGreaterThan(2 * r.window);
  });
});

describe('two cores: each core its own half of the stack', () => {
  it("allocator code on core 1 may not write into core 0's half (containment), and a core 1 frame below __stack_limit breaks the stack rule", () => {
    const d = twoCoreAt(elf('arena-sio-m0plus'), { mcu: 'rp2040' }, '0');
    const [c0, c1] = d.cores;
    const top = c0.symbol('__stack_top')!,
      limit = c0.symbol('__stack_limit')!;
    const mid = (limit + (top - limit) / 2) & ~7;
    const code = c0.symbol('sl_alloc')!;
    // Core 1 starts its call at the middle, core 0 at the top.
    expect([c0.cpu.sp, c1.cpu.sp]).toEqual([top, mid]);
    c1.bus.pc = code;
    expect(() => c1.bus.write32(mid + 8, 0)).toThrow(/outside its heap array, its state and the live stack/);
    expect(() => c1.bus.write32(mid - 8, 0)).toThrow(/outside/); // below its SP: not live either
    c1.cpu.setSP(mid - 16);
    c1.bus.write32(mid - 8, 0); // its own live stack: fine
    c0.bus.pc = code;
    c0.cpu.setSP(top - 16);
    c0.bus.write32(top - 8, 0);
    expect(() => c0.bus.write32(mid - 8, 0)).toThrow(/outside/);
    expect(() => c1.cpu.setSP(limit - 8)).toThrow(/below the stack limit/);
    expect(() => c0.cpu.setSP(mid - 8)).toThrow(/below the stack limit/);
  });
});

describe('two cores: shards and schedules', () => {
  it('shards merged equal the unsharded run, safe or failing', () => {
    for (const [name, opts] of [
      ['arena-sio-m0plus', { mcu: 'rp2040', workload: 'alloc-free', preemptions: 1 }],
      ['arena-nolock-m0plus', { mcu: 'rp2040', preemptions: 1, all: true }],
    ] as const) {
      const whole = exploreTwoCore(elf(name), opts);
      const parts = [1, 2, 3].map((index) => exploreTwoCore(elf(name), { ...opts, shard: { index, count: 3 } }));
      expect(parts.every((p) => p.units === whole.units)).toBe(true);
      const merged = mergeTwoCore(parts);
      for (const k of ['unitsRun', 'schedules', 'pruned', 'distinct', 'failing'] as const) expect(merged[k]).toBe(whole[k]);
      expect(merged.unitsRun).toBe(whole.units);
      expect(merged.failure?.schedule).toBe(whole.failure?.schedule);
      expect(merged.verdict).toBe(whole.verdict);
    }
  });

  it('reports in the sramlab.explore/1 shape, the failure with its --preempt-at replay', () => {
    const replay = 'sramlab explore arena-nolock-m0plus.elf --model two-core --mcu rp2040';
    const rep = exploreTwoCoreRequest({ allocator: elf('arena-nolock-m0plus'), mcu: 'rp2040', shard: null, replay });
    expect([rep.schema, rep.model, rep.mcu, rep.ok, rep.allocator]).toEqual([
      'sramlab.explore/1',
      'two-core',
      'rp2040',
      false,
      'arena-nolock-m0plus.elf',
    ]);
    expect(rep.failure?.replay).toBe(`${replay} --preempt-at ${rep.failure?.at}`);
    expect(rep.operations.map((o) => o.call)).toEqual([
      'core 0: sl_alloc(16, 4) (units starting with core 0)',
      'core 1: sl_alloc(16, 8) (units starting with core 1)',
    ]);
    // The blocks check names the second core's call: operation set-up + 2.
    expect(rep.failure?.violation.operation).toBe(rep.operations[1]!.operation);
  });

  it('schedule text round-trips and bad text is refused', () => {
    expect(scheduleText(parseSchedule('0:12,1:40,0').segments, 0)).toBe('0:12,1:40,0');
    expect(parseSchedule('1')).toEqual({ segments: [], tail: 1 });
    expect(() => parseSchedule('0:12,0:3,1')).toThrow(/other core/);
    expect(() => parseSchedule('0:0,1')).toThrow(/core:count/);
    expect(() => parseSchedule('0:5')).toThrow(/must end/);
  });
});
