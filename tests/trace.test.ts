// sramlab trace: the accesses of allocator code, with the instruction that made each, filtered
// by operation and region, streamed, and stopped once the last traced operation is done.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OperationEvent } from '../checks/session.ts';
import { parseElf } from '../emulator/elf.ts';
import { imagePath } from '../runners/image.ts';
import { type TraceAccess, type TraceException, type TraceOptions, type TraceRegion, trace } from '../runners/trace.ts';
import { type Fold, LoopFolder } from '../views/loop-fold.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');

function sramlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function collect(o: Partial<TraceOptions> = {}) {
  const accesses: TraceAccess[] = [];
  const events: OperationEvent[] = [];
  const summary = trace(
    { scenario: 'smoke', allocator: 'galloc', mcu: 'cortex-m0', seed: 1, ops: 1000, from: 1, to: 1, ...o },
    { access: (a) => accesses.push(a), operation: (e) => events.push(e) },
  );
  return { accesses, events, summary };
}

const elf = parseElf(readFileSync(imagePath('galloc', 'cortex-m0')));
const sym = (n: string) => elf.symbol(n)!;

describe('trace of one galloc alloc', () => {
  const { accesses, events, summary } = collect();

  it('stores into the heap from allocator code, each with its symbol, source line and instruction', () => {
    const heapStores = accesses.filter((a) => a.kind === 'store' && a.region === 'heap');
    expect(heapStores.length).toBeGreaterThan(0);
    for (const a of heapStores) {
      expect(a.address).toBeGreaterThanOrEqual(sym('__heap_start'));
      expect(a.address).toBeLessThan(sym('__heap_end'));
      expect(a.symbol).toMatch(/^[a-z_]\w*(\+0x[0-9a-f]+)?$/);
      expect(a.source).toMatch(/^[\w.-]+\.[ch]:\d+$/);
      expect(a.instruction).toMatch(/^(str|stm)/); // str, strb, strh, stm
    }
  });

  it('has only accesses made by .alloc_text, all in operation 1', () => {
    expect(accesses.length).toBeGreaterThan(20);
    for (const a of accesses) {
      expect(a.pc).toBeGreaterThanOrEqual(sym('__alloc_text_start'));
      expect(a.pc).toBeLessThan(sym('__alloc_text_end'));
      expect(a.op).toBe(1);
    }
    const regions = new Set(accesses.map((a) => a.region));
    for (const r of ['heap', 'state', 'stack', 'flash']) expect(regions).toContain(r);
  });

  it('puts values in their access size and names the region by the ABI symbols', () => {
    for (const a of accesses) expect(a.value).toBeLessThan(2 ** (8 * a.size));
    const pushes = accesses.filter((a) => a.instruction?.startsWith('push'));
    for (const a of pushes) {
      expect(a.region).toBe('stack');
      expect(a.address).toBeGreaterThanOrEqual(sym('__stack_limit'));
    }
  });

  it('announces the operation and stops the scenario after it', () => {
    expect(events.map((e) => [e.phase, e.number, e.kind])).toEqual([
      ['start', 1, 'alloc'],
      ['end', 1, 'alloc'],
    ]);
    expect(events[1]!.result?.ptr).toBeGreaterThanOrEqual(sym('__heap_start'));
    expect(summary.result).toBeNull();
    expect(summary.accesses).toBe(accesses.length);
  });
});

describe('trace filters', () => {
  it('--region keeps only those regions', () => {
    const { accesses } = collect({ regions: new Set<TraceRegion>(['heap']) });
    expect(accesses.length).toBeGreaterThan(0);
    expect(new Set(accesses.map((a) => a.region))).toEqual(new Set(['heap']));
  });

  it('--op 0 is sl_init, --first 3 is operations 1 to 3', () => {
    const init = collect({ from: 0, to: 0 });
    expect(new Set(init.accesses.map((a) => a.op))).toEqual(new Set([0]));
    expect(init.accesses.some((a) => a.kind === 'store' && a.region === 'heap')).toBe(true);
    const three = collect({ from: 1, to: 3 });
    expect(new Set(three.accesses.map((a) => a.op))).toEqual(new Set([1, 2, 3]));
    const only2 = collect({ from: 2, to: 2 });
    expect(only2.accesses).toEqual(three.accesses.filter((a) => a.op === 2));
  });

  it('runs to the end of a scenario shorter than the operations asked for', () => {
    const { summary } = collect({ from: 1, to: 10_000 });
    expect(summary.result?.ok).toBe(true);
  });
});

describe('sramlab trace', () => {
  it('--json is one JSON object a line: op start, accesses, op end, end', () => {
    const r = sramlab('trace', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--first', '2', '--region', 'heap', '--json');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'op', phase: 'start', op: 1, kind: 'alloc', call: 'alloc(1, 1)' });
    expect(lines.at(-1)).toMatchObject({ type: 'end', violation: null });
    const accesses = lines.filter((l) => l.type === 'access');
    expect(accesses.length).toBe(lines.at(-1).accesses);
    expect(new Set(accesses.map((a) => a.region))).toEqual(new Set(['heap']));
    expect(new Set(accesses.map((a) => a.op))).toEqual(new Set([1, 2]));
    expect(lines.filter((l) => l.type === 'op').map((l) => `${l.phase} ${l.op}`)).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('prints a line per access without escape codes off a terminal', () => {
    const r = sramlab('trace', 'smoke', '--alloc', 'emballoc', '--op', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/^── op 1: alloc\(1, 1\)$/m);
    expect(r.stdout).toMatch(
      /^ {2}0x[0-9a-f]{8} {2}\w+(\+0x[0-9a-f]+)? +emballoc\.c:\d+ +store 4 0x2000[0-9a-f]{4} {2}0x[0-9a-f]{8} {2}heap +str/m,
    );
    expect(r.stdout).toMatch(/returned 0x20001004 · \d+ loads, \d+ stores shown/);
  });

  it('refuses bad input with status 2', () => {
    expect(sramlab('trace', 'smoke', '--alloc', 'galloc', '--region', 'attic').status).toBe(2);
    expect(sramlab('trace', 'smoke', '--alloc', 'galloc', '--op', '1', '--first', '2').status).toBe(2);
    expect(sramlab('trace', 'nosuch', '--alloc', 'galloc').status).toBe(2);
  });
});

describe('LoopFolder (hand-worked streams)', () => {
  function fold(stream: number[]) {
    const out: string[] = [];
    const f = new LoopFolder<number>(
      (n) => String(n),
      (n) => out.push(String(n)),
      (x: Fold<number>) => out.push(`[${x.iteration.join(' ')}]×${x.times}`),
      8,
      (n) => n * 10,
    );
    for (const n of stream) f.push(n);
    f.flush();
    return out;
  }
  it('shows two iterations, counts the rest, and goes on after the loop', () => {
    expect(fold([1, 2, 3, 4, 3, 4, 3, 4, 3, 4, 5])).toEqual(['1', '2', '3', '4', '3', '4', '[3 4]×2', '5']);
  });
  it('an unfinished iteration is passed on after the summary', () => {
    expect(fold([1, 2, 1, 2, 1, 2, 1, 5])).toEqual(['1', '2', '1', '2', '[1 2]×1', '1', '5']);
  });
  it('a pair that repeats once is not a loop worth a summary', () => {
    expect(fold([7, 7, 8, 9])).toEqual(['7', '7', '8', '9']);
  });
  it('a loop to the end of the stream is summed up by flush', () => {
    expect(fold([5, 5, 5, 5, 5])).toEqual(['5', '5', '[5]×3']);
  });
  it('measures an iteration from one first record to the next', () => {
    type R = { k: string; i: number };
    let got: Fold<R> | null = null;
    const f = new LoopFolder<R>(
      (r) => r.k,
      () => {},
      (x) => {
        got = x;
      },
      8,
      (r) => r.i,
    );
    for (const [k, i] of [
      ['a', 0],
      ['b', 3],
      ['a', 7],
      ['b', 10],
      ['a', 14],
      ['b', 17],
    ] as const)
      f.push({ k, i });
    f.flush();
    expect(got).toMatchObject({ times: 1, instructionsPerIteration: 7 });
  });
});

describe('sramlab trace through an interrupt that deadlocks', () => {
  const text = sramlab('trace', 'isr-reentrancy', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--op', '7');
  const lines = text.stdout.split('\n');
  // The records --json prints (thousands of lines: taken from the library, keeping what is checked).
  let count = 0,
    firstAfterEntry: TraceAccess | null = null;
  const exceptions: TraceException[] = [],
    tail: TraceAccess[] = [];
  trace(
    { scenario: 'isr-reentrancy', allocator: 'galloc', mcu: 'cortex-m0', seed: 1, ops: 1000, from: 7, to: 7 },
    {
      access: (a) => {
        count++;
        if (exceptions.length === 1 && !firstAfterEntry) firstAfterEntry = a;
        tail.push(a);
        if (tail.length > 2) tail.shift();
      },
      exception: (e) => exceptions.push(e),
    },
  );

  it('--json has the exception as a line of its own', () => {
    const r = spawnSync(process.execPath, [BIN, 'trace', 'isr-reentrancy', '--alloc', 'slab', '--op', '7', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const ex = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'exception');
    expect(ex.map((e) => `${e.phase} ${e.exception}`)).toEqual(['entry 16', 'return 16']);
  });

  it("marks the exception entry where the library reports it, before the handler's first access", () => {
    expect(exceptions).toEqual([expect.objectContaining({ phase: 'entry', exception: 16, op: 7 })]);
    const firstInHandler = firstAfterEntry!;
    expect(exceptions[0]!.pc).toBe(firstInHandler.pc);
    const at = lines.findIndex((l) => l.includes('⇢ exception entry: IRQ 0 (exception 16)'));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toContain(`0x${firstInHandler.pc.toString(16).padStart(8, '0')}`);
    expect(lines.some((l) => l.includes('⇠'))).toBe(false); // the handler never returns
  });

  it('folds the spin into one line, and the text still accounts for every access of the JSON', () => {
    const shown = lines.filter((l) => /^ {2}0x[0-9a-f]{8} /.test(l)).length;
    const folds = lines.filter((l) => l.includes('… the same'));
    expect(folds).toHaveLength(1);
    const m = /the same (\d+)-instruction loop \((\d+) access(?:es)? an iteration, at ([^)]*)\) ([\d,]+) more times/.exec(folds[0]!)!;
    const [per, size, at, times] = [Number(m[1]), Number(m[2]), m[3]!, Number(m[4]!.replaceAll(',', ''))];
    expect(shown + size * times).toBe(count);
    // The explorer gives a point a small budget (a few times the calls' own cost), so the spin
    // runs thousands of times before it is called a deadlock, not the millions of a 10M-cycle budget.
    expect(times).toBeGreaterThan(1_000);
    expect(lines.length).toBeLessThan(100);
    // The spin, from the JSON: the last access repeats at one PC, `per` instructions apart.
    const [before, last] = tail as [TraceAccess, TraceAccess];
    expect(before.pc).toBe(last.pc);
    expect(last.instructions - before.instructions).toBe(per);
    expect(at).toContain(last.symbol!);
    expect(text.stdout).toContain(`${count} accesses traced; rule liveness broken at operation 7`);
  });

  it('a handler that returns (slab, lock-free) is marked at entry and at return', () => {
    const r = sramlab('trace', 'isr-reentrancy', '--alloc', 'slab', '--mcu', 'cortex-m0', '--op', '7');
    expect(r.status).toBe(0);
    const entry = r.stdout.indexOf('⇢ exception entry: IRQ 0'),
      ret = r.stdout.indexOf('⇠ exception return from IRQ 0');
    expect(entry).toBeGreaterThan(0);
    expect(ret).toBeGreaterThan(entry);
  });
});
