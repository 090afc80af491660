// DWT_CYCCNT (ARMv7-M C1.8.8): counts core cycles while DEMCR.TRCENA and DWT_CTRL.CYCCNTENA are
// set; firmware reads it to time code. Absent on ARMv6-M (the address is unmapped there).
import { describe, expect, it } from 'vitest';
import { MemFault } from '../emulator/fault.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const DEMCR = 0xe000edfc,
  DWT_CTRL = 0xe0001000,
  DWT_CYCCNT = 0xe0001004;

describe('DWT cycle counter', () => {
  it.each(['cortex-m3', 'cortex-m4'])('counts cycles on %s only while enabled', (mcu) => {
    const m = new Machine(getProfile(mcu));
    const bus = m.bus;
    bus.write32(DWT_CTRL, 1);
    m.cpu.cycles += 100;
    expect(bus.read32(DWT_CYCCNT)).toBe(0); // TRCENA still clear
    bus.write32(DEMCR, 1 << 24);
    bus.write32(DWT_CTRL, 1);
    m.cpu.cycles += 250;
    expect(bus.read32(DWT_CYCCNT)).toBe(250);
    bus.write32(DWT_CTRL, 0); // stop: the value holds
    m.cpu.cycles += 1000;
    expect(bus.read32(DWT_CYCCNT)).toBe(250);
    bus.write32(DWT_CYCCNT, 0xfffffff0); // writable, and wraps at 2^32
    bus.write32(DWT_CTRL, 1);
    m.cpu.cycles += 0x20;
    expect(bus.read32(DWT_CYCCNT) >>> 0).toBe(0x10);
  });

  it('is not there on cortex-m0 (unmapped: a bus fault)', () => {
    const m = new Machine(getProfile('cortex-m0'));
    expect(() => m.bus.read32(DWT_CYCCNT)).toThrow(MemFault);
  });
});
