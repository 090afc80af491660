// sramlab trace: the accesses of allocator code, with the instruction that made each, filtered
// by operation and region, streamed, and stopped once the last traced operation is done.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../emulator/elf.ts';
import { imagePath } from '../scenarios/image.ts';
import type { OperationEvent } from '../scenarios/session.ts';
import { trace, type TraceAccess, type TraceOptions, type TraceRegion } from '../scenarios/trace.ts';

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
    expect(events.map((e) => [e.phase, e.number, e.kind])).toEqual([['start', 1, 'alloc'], ['end', 1, 'alloc']]);
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
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
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
    expect(r.stdout).toMatch(/^ {2}0x[0-9a-f]{8} {2}\w+(\+0x[0-9a-f]+)? +emballoc\.c:\d+ +store 4 0x2000[0-9a-f]{4} {2}0x[0-9a-f]{8} {2}heap +str/m);
    expect(r.stdout).toMatch(/returned 0x20001004 · \d+ loads, \d+ stores shown/);
  });

  it('refuses bad input with status 2', () => {
    expect(sramlab('trace', 'smoke', '--alloc', 'galloc', '--region', 'attic').status).toBe(2);
    expect(sramlab('trace', 'smoke', '--alloc', 'galloc', '--op', '1', '--first', '2').status).toBe(2);
    expect(sramlab('trace', 'nosuch', '--alloc', 'galloc').status).toBe(2);
  });
});
