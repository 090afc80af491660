// ARMv6-M has no exclusive-access instructions, so no compare-and-swap: the first LDREX of a
// CAS lock faults, and the report says so in words, with the instruction, address and symbol.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const FAULTS = join(import.meta.dirname, 'firmware', 'faults.elf');

describe.each(['cortex-m0', 'cortex-m0plus'])('no CAS on %s', (mcu) => {
  it('reports LDREX as a missing exclusive-access instruction, naming it, its address and its symbol', () => {
    const m = new Machine(getProfile(mcu));
    m.loadElf(readFileSync(FAULTS));
    m.reset();
    m.cpu.faultMode = 'stop';
    const at = m.symbol('at_ldrex')!;
    const r = m.call('do_ldrex', [], { maxCycles: 10_000 });
    expect(r.stop).toBe('fault');
    const f = r.fault!;
    expect(f.kind).toBe('no-cas');
    expect(f.pc).toBe(at);
    expect(f.message).toMatch(new RegExp(`this MCU \\(${mcu}, ARMv6-M, thumbv6m\\) has no exclusive-access \\(CAS\\) instructions`));
    expect(f.message).toMatch(/LDREX/);
    expect(f.message).toContain(`0x${at.toString(16)}`);
    expect(f.symbol).toMatch(/^do_ldrex/);
  });
});

describe('the same code on cortex-m3', () => {
  it('runs LDREX (the exclusive monitor exists there)', () => {
    const m = new Machine(getProfile('cortex-m3'));
    m.loadElf(readFileSync(FAULTS));
    m.reset();
    m.cpu.faultMode = 'stop';
    const r = m.call('do_ldrex', [], { maxCycles: 10_000 });
    expect(r.fault?.kind).not.toBe('no-cas');
  });
});
