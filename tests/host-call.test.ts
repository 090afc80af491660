// Host calls: call a firmware function by symbol with arguments, run until it returns, under a
// cycle budget. Expected results follow from the C source of the fixture.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'elf', 'fixture.elf');

function machine(): Machine {
  const m = new Machine(getProfile('cortex-m0'));
  m.loadElf(readFileSync(FIXTURE));
  m.reset();
  return m;
}

describe('host calls', () => {
  it('calls a function by symbol and returns r0 (sl_class: index of the first size class that fits)', () => {
    const m = machine();
    const cases: [number, number][] = [
      [1, 0],
      [8, 0],
      [9, 1],
      [16, 1],
      [17, 2],
      [64, 3],
      [65, 4],
      [0xffffffff, 4],
    ];
    for (const [size, cls] of cases) {
      const r = m.call('sl_class', [size]);
      expect(r.stop).toBe('returned');
      expect(r.r0).toBe(cls);
      expect(r.instructions).toBeGreaterThan(0);
      expect(r.cycles).toBeGreaterThanOrEqual(r.instructions);
    }
  });

  it('calls by address as well as by name', () => {
    const m = machine();
    const addr = m.symbol('sl_class')!;
    expect(m.call(addr, [17]).r0).toBe(2);
  });

  it('stops a call that never returns at its cycle budget', () => {
    const m = machine();
    const r = m.call('reset_handler', [], { maxCycles: 5_000 });
    expect(r.stop).toBe('budget');
    expect(r.cycles).toBeGreaterThanOrEqual(5_000);
    expect(r.cycles).toBeLessThan(5_100);
  });

  it('reports the lowest SP reached and the stack bytes used', () => {
    const m = machine();
    const r = m.call('reset_handler', [], { maxCycles: 2_000 });
    // reset_handler calls sl_alloc and sl_dealloc, which need at least a return address pushed.
    expect(r.stackBytes).toBeGreaterThan(0);
    expect(r.minSP).toBeLessThan(m.cpu.sp + 1);
  });

  it('refuses an unknown symbol', () => {
    const m = machine();
    expect(() => m.call('no_such_function')).toThrow(/no symbol 'no_such_function'/);
  });

  it('a fault in a call stops it with a report naming the symbol', () => {
    const m = machine();
    // sl_dealloc increments free_count in SRAM; with SRAM shrunk away the store would be unmapped,
    // so instead point the call at an address that is not code at all.
    const r = m.call(0x1fff_fff0, []);
    expect(r.stop).toBe('fault');
    expect(r.fault?.kind).toBe('unmapped');
    expect(r.fault?.access).toBe('fetch');
  });
});
