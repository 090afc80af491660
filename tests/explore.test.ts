// The preemption explorer on purpose-made allocators (tests/explore-allocators/pool.c), each a
// user's image built to the ABI: with no lock, the only unsafe boundaries of sl_alloc are those
// of its pop, named in the source (pool_pop_load … pool_pop_store); with PRIMASK masking, none;
// with a spin lock, every boundary from the masked test-and-set that takes it to the store that
// releases it, and the report says who holds it and where the IRQ spins. The windows are worked
// out here from the symbols and the instruction encodings, and the boundaries' PCs from a run of
// the call of our own (cpu.onInstruction), not from the explorer.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../checks/session.ts';
import { ScriptedIsrs } from '../emulator/host-irq.ts';
import { restoreSnapshot, takeSnapshot } from '../emulator/snapshot.ts';
import { explorePreemption } from '../explore/run.ts';
import { ISR_WORKLOAD } from '../explore/workload.ts';
import { REPO_ROOT } from '../firmware/allocators.ts';
import { AllocatorImage } from '../runners/image.ts';
import { runScenario } from '../scenarios/index.ts';
import { sramlab, words } from './support/cli-in-process.ts';

const DIR = join(REPO_ROOT, 'tests', 'explore-allocators');
const elf = (lock: string, mcu: string) => join(DIR, `pool-${lock}-${mcu}.elf`);
const OP = 7; // the workload's first explored operation: sl_alloc(64, 8) after six setup calls

/** The PC at each instruction boundary of operation 7, the call run uninterrupted (boundary i: before its i-th instruction). */
function boundaryPCs(path: string, mcu: string): { pcs: number[]; img: AllocatorImage } {
  const img = AllocatorImage.load(path, mcu);
  const s = new Session(img);
  s.init(16 * 1024);
  for (const op of ISR_WORKLOAD.ops.slice(0, OP - 1)) if (op.kind === 'alloc') s.alloc(op.size, op.align);
  const cpu = img.machine.cpu;
  const pcs: number[] = [];
  const i0 = cpu.instructions;
  cpu.onInstruction = () => {
    if (cpu.ipsr === 0) pcs[cpu.instructions - i0] = cpu.pc;
  };
  s.alloc(64, 8);
  cpu.onInstruction = null;
  return { pcs: pcs.slice(0, cpu.instructions - i0), img };
}

/** The Thumb halfwords of a function, from its symbol to the next symbol's address or `bytes` on. */
function halfwords(img: AllocatorImage, name: string, bytes: number): { at: number; hw: number }[] {
  const start = img.address(name);
  return Array.from({ length: bytes / 2 }, (_, k) => ({ at: start + 2 * k, hw: img.machine.bus.peek32(start + 2 * k) & 0xffff }));
}

const explore = (path: string, mcu: string, model: 'isr' | 'nested' | 'systick' = 'isr', bounds = {}) =>
  explorePreemption({
    model,
    allocator: path,
    mcu,
    heap: 16 * 1024,
    bounds: { operations: 1, inner: 8, ticks: 2, period: 0, ...bounds },
    shard: null,
    replay: 'sramlab explore …',
  });

describe.each(['cortex-m0', 'cortex-m3'])('pool with no lock on %s: exactly the pop is unsafe', (mcu) => {
  const { pcs, img } = boundaryPCs(elf('nolock', mcu), mcu);
  const load = img.address('pool_pop_load'),
    store = img.address('pool_pop_store');
  // Interrupted once the head is loaded and before the new head is stored, the IRQ pops the same block.
  const window = pcs.map((pc, i) => [pc, i] as const).filter(([pc]) => pc > load && pc <= store);
  const r = explore(elf('nolock', mcu), mcu);

  it('the window, from the disassembly: ldr head; cmp; beq; ldr next; str head — four boundaries', () => {
    expect(store - load).toBe(8);
    expect(window.map(([pc]) => pc)).toEqual([load + 2, load + 4, load + 6, store]);
    expect(r.operations[0]!.instructions).toBe(pcs.length);
  });

  it('the first failing point is the first boundary in the window, and only those fail', () => {
    expect(r.ok).toBe(false);
    expect(r.failure!.point).toEqual({ operation: OP, instruction: window[0]![1] });
    expect(r.failure!.violation.rule).toBe('blocks');
    expect(r.failure!.violation.message).toMatch(
      /^after the interrupted call returned, IRQ 0's sl_alloc\(32, 4\) returned .*: it overlaps the block made by operation 7 /,
    );
    // Every point of the call explored; the failing ones are the window's, every other passes.
    expect(r.points).toBe(pcs.length);
    expect(r.failingPoints).toBe(window.length);
  });
});

describe.each(['cortex-m0', 'cortex-m3'])('pool that masks interrupts on %s', (mcu) => {
  it('is safe at every point; those inside the masked pop are taken once it unmasks', () => {
    const { pcs } = boundaryPCs(elf('mask', mcu), mcu);
    const r = explore(elf('mask', mcu), mcu);
    expect(r.verdict).toBe(
      `safe at all ${r.points} preemption points explored (${r.distinct} distinct states, ${r.deferred} taken late because interrupts were masked)`,
    );
    expect(r.points).toBe(pcs.length);
    // CPSID I to MSR PRIMASK: the boundaries after the first and up to the second are masked (the pop's five, and the MRS … CPSID pair's neighbours).
    expect(r.deferred).toBeGreaterThanOrEqual(5);
    expect(r.distinct).toBeLessThan(r.points);
  });
});

describe.each(['cortex-m0', 'cortex-m3'])('pool behind a spin lock on %s', (mcu) => {
  const { pcs, img } = boundaryPCs(elf('spin', mcu), mcu);
  // CPSID I is 0xB672; the release is pool_unlock's STR (immediate, T1: 0b01100…).
  const cpsid = halfwords(img, 'pool_lock', 32).find((h) => h.hw === 0xb672)!.at;
  const release = halfwords(img, 'pool_unlock', 16).find((h) => h.hw >>> 11 === 0b01100)!.at;
  const held = pcs.indexOf(cpsid + 2);
  const released = pcs.indexOf(release);
  const r = explore(elf('spin', mcu), mcu);

  it('deadlocks from the first boundary after the masked test-and-set begins to the release store', () => {
    expect(held).toBeGreaterThan(0);
    expect(released).toBeGreaterThan(held);
    expect(r.failure!.point).toEqual({ operation: OP, instruction: held });
    expect(r.failingPoints).toBe(released - held + 1);
  });

  it('says who holds the lock and which PC spins', () => {
    const v = r.failure!.violation;
    expect(v.rule).toBe('liveness');
    expect(v.symbol).toMatch(/^pool_lock\+0x/); // the wait loop of the IRQ's own pool_lock
    expect(v.message).toMatch(
      /^deadlock: IRQ 0's sl_alloc spins at 0x[0-9a-f]{8} \(pool_lock\+0x[0-9a-f]+\) and never returns; the thread-mode sl_alloc it interrupted at 0x[0-9a-f]{8} \(pool_lock\+0x[0-9a-f]+\)/,
    );
    const why = r.failure!.explanation!.join('\n');
    expect(why).toContain('Who holds the lock: operation 7, the thread-mode sl_alloc(64, 8).');
    expect(why).toContain("Who spins: IRQ 0's handler calls sl_alloc(32, 4), which waits for that lock at");
    // Pended inside the masked test-and-set, the IRQ is taken right after the MSR PRIMASK (0xF38x
    // 0x88xx, 32-bit) that unmasks: the lock is held by then, and that is where the thread resumes.
    const msr = halfwords(img, 'pool_lock', 32).find((h) => (h.hw & 0xfff0) === 0xf380)!.at;
    expect(v.message).toContain(`interrupted at 0x${(msr + 4).toString(16).padStart(8, '0')} (pool_lock+0x`);
    expect(r.deferred).toBeGreaterThanOrEqual(1);
  });
});

describe('the deeper models on the same pools (Cortex-M3)', () => {
  it('nested: masking passes with IRQ 1 inside IRQ 0; the spin lock deadlocks with IRQ 1 spinning on what IRQ 0 holds', () => {
    expect(explore(elf('mask', 'cortex-m3'), 'cortex-m3', 'nested').ok).toBe(true);
    const spin = explore(elf('spin', 'cortex-m3'), 'cortex-m3', 'nested');
    expect(spin.failure!.point.inner).toBeGreaterThanOrEqual(0);
    expect(spin.failure!.violation.message).toMatch(/^deadlock: IRQ [01]'s sl_alloc spins at .*\(pool_lock\+0x/);
  });

  it('systick: masking passes with two ticks a call; no lock fails in the pop', () => {
    const mask = explore(elf('mask', 'cortex-m3'), 'cortex-m3', 'systick');
    expect(mask.ok, mask.verdict).toBe(true);
    expect(mask.isr).toMatch(/^SysTick/);
    const nolock = explore(elf('nolock', 'cortex-m3'), 'cortex-m3', 'systick');
    expect(nolock.failure!.violation.message).toMatch(/SysTick's sl_alloc\(32, 4\) returned .*overlaps the block made by operation 7/);
  });
});

describe('through the CLI, and a replay reproduces the point', () => {
  it('explore reports the first failing point; run isr-reentrancy --preempt-at fails there the same way', async () => {
    const path = elf('nolock', 'cortex-m0');
    const r = await sramlab('explore', path, '--mcu', 'cortex-m0', '--bound', 'operations=1', '--json');
    expect(r.status).toBe(1);
    const rep = JSON.parse(r.out);
    expect(rep.schema).toBe('sramlab.explore/1');
    const at = rep.failure.at as string;
    const again = await sramlab('run', 'isr-reentrancy', '--alloc', path, '--mcu', 'cortex-m0', '--preempt-at', at, '--json');
    expect(again.status).toBe(1);
    expect(JSON.parse(again.out).violation).toEqual(rep.failure.violation);
    // The explore replay names the same point.
    const replay = words(rep.failure.replay);
    expect(replay.slice(replay.indexOf('--preempt-at'))).toEqual(['--preempt-at', at]);
  });

  it('isr-reentrancy runs the explorer by default and says how many points it covered', () => {
    const r = runScenario('isr-reentrancy', elf('mask', 'cortex-m0'), 'cortex-m0', { seed: 1, ops: 1 });
    expect(r.ok).toBe(true);
    expect(r.preemption!.verdict).toMatch(
      /^safe at all \d+ preemption points explored \(\d+ distinct states, \d+ taken late because interrupts were masked\)$/,
    );
    expect(r.preemption!.points).toBeGreaterThan(20);
  });

  it('bad points are bad input: one line, exit 2', async () => {
    const path = elf('mask', 'cortex-m0');
    for (const at of ['7:9999', '3:0', 'seven']) {
      const r = await sramlab('run', 'isr-reentrancy', '--alloc', path, '--mcu', 'cortex-m0', '--preempt-at', at);
      expect(r.status, at).toBe(2);
      expect(r.err.trim().split('\n'), at).toHaveLength(1);
    }
    const other = await sramlab('run', 'smoke', '--alloc', path, '--preempt-at', '7:1');
    expect(other.status).toBe(2);
  });

  it('shards merged equal the unsharded run', async () => {
    const path = elf('spin', 'cortex-m3');
    const whole = JSON.parse((await sramlab('explore', path, '--mcu', 'cortex-m3', '--json')).out);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'sramlab-explore-'));
    const files: string[] = [];
    for (const k of [1, 2, 3]) {
      const part = await sramlab('explore', path, '--mcu', 'cortex-m3', '--shard', `${k}/3`, '--json');
      const f = join(dir, `${k}.json`);
      writeFileSync(f, part.out);
      files.push(f);
      expect(JSON.parse(part.out).explored).toBeLessThan(whole.distinct);
    }
    const merged = await sramlab('merge', ...files, '--json');
    expect(merged.status).toBe(1);
    const m = JSON.parse(merged.out);
    expect({ ...m, seconds: 0 }).toEqual({ ...whole, seconds: 0 });
  });
});

describe('ScriptedIsrs: a handler that makes several calls in Handler mode, then its real exception return', () => {
  it('each call runs with IPSR 16 on the handler stack; the interrupted call resumes with its registers and returns what it returns alone', () => {
    const img = AllocatorImage.load(elf('mask', 'cortex-m3'), 'cortex-m3');
    img.init(16 * 1024);
    const m = img.machine,
      cpu = m.cpu;
    const alone = (() => {
      const snap = takeSnapshot(m);
      const r = img.alloc(64, 8).value;
      restoreSnapshot(m, snap);
      return r;
    })();
    const isrs = new ScriptedIsrs(m);
    const seen: { ipsr: number; sp: number; results: number[] }[] = [];
    const allocAt = img.address('sl_alloc'),
      freeAt = img.address('sl_dealloc');
    isrs.install([
      {
        exception: 16,
        priority: 0,
        next: (results) => {
          seen.push({ ipsr: cpu.ipsr, sp: cpu.sp, results: [...results] });
          if (results.length === 0) return { address: allocAt, args: [32, 4] };
          if (results.length === 1) return { address: freeAt, args: [results[0]!, 32, 4] };
          return null;
        },
      },
    ]);
    cpu.scheduleInterrupt(cpu.cycles + 3, 0);
    const r = img.alloc(64, 8);
    isrs.uninstall();
    // Taken once, three steps: enter sl_alloc (chosen at entry, in place of the vector fetch, so
    // before IPSR is set), then sl_dealloc of its block and the return, each chosen in Handler mode.
    expect(seen.map((x) => x.ipsr)).toEqual([0, 16, 16]);
    expect(seen[1]!.results).toHaveLength(1);
    expect(seen[1]!.results[0]).not.toBe(0);
    // Each call of the script starts on the same handler SP: just below the stacked frame.
    expect(new Set(seen.map((x) => x.sp)).size).toBe(1);
    expect(cpu.ipsr).toBe(0);
    // The handler's block was freed again, so the call it interrupted gets what it gets alone.
    expect(r.value).toBe(alone);
  });
});
