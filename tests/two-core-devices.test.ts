// The parts of a two-core chip, against the RP2040 datasheet's SIO registers and the ARMv7-M
// ARM's global monitor: shared memory, the hardware spinlocks and FIFOs, the exclusive tags.

import { describe, expect, it } from 'vitest';
import { DUAL_PROFILES, DualMachine, getDualProfile } from '../emulator/dual.ts';
import { Machine } from '../emulator/machine.ts';
import { PROFILES } from '../emulator/profiles.ts';
import { SIO, SIO_BASE } from '../emulator/sio.ts';

const chip = (name: string, globalMonitor?: boolean) => {
  const p = getDualProfile(name);
  return new DualMachine(p, new Machine(p.core), { globalMonitor });
};
const sio = (offset: number) => SIO_BASE + offset;

describe('a two-core machine', () => {
  it('shares flash and SRAM, but not the System Control Space', () => {
    const d = chip('dual-cortex-m3');
    const [a, b] = d.cores;
    a.bus.write32(0x2000_0100, 0x1234_5678);
    expect(b.bus.read32(0x2000_0100) >>> 0).toBe(0x1234_5678);
    a.bus.load(0x100, new Uint8Array([1, 2, 3, 4]));
    expect(b.bus.peek32(0x100)).toBe(0x0403_0201);
    // SysTick reload (0xE000E014) is per core.
    a.bus.write32(0xe000_e014, 500);
    expect(a.bus.read32(0xe000_e014)).toBe(500);
    expect(b.bus.read32(0xe000_e014)).toBe(0);
  });

  it('the two-core profiles stay out of the single-core list', () => {
    for (const name of Object.keys(DUAL_PROFILES)) expect(PROFILES[name]).toBeUndefined();
    expect(() => getDualProfile('cortex-m3')).toThrow(/unknown two-core MCU 'cortex-m3' \(known: rp2040, dual-cortex-m3\)/);
  });

  it('snapshot and restore put both cores and the SIO back', () => {
    const d = chip('rp2040');
    const [a, b] = d.cores;
    const s = d.snapshot();
    a.cpu.r[4] = 44;
    b.cpu.r[4] = 55;
    b.bus.write32(0x2000_0200, 7);
    b.bus.write32(0xe000_e014, 77); // core 1's SysTick reload
    b.cpu.primask = 1;
    expect(a.bus.read32(sio(SIO.SPINLOCK0 + 4 * 3))).not.toBe(0);
    d.restore(s);
    expect([a.cpu.r[4], b.cpu.r[4], a.bus.peek32(0x2000_0200), d.sio!.locks]).toEqual([0, 0, 0, 0]);
    expect([b.bus.read32(0xe000_e014), b.cpu.primask]).toEqual([0, 0]);
  });
});

describe('the RP2040 SIO', () => {
  it('CPUID reads 0 on core 0 and 1 on core 1', () => {
    const [a, b] = chip('rp2040').cores;
    expect([a.bus.read32(sio(SIO.CPUID)), b.bus.read32(sio(SIO.CPUID))]).toEqual([0, 1]);
  });

  it('a spinlock read claims a free lock (non-zero) and reads 0 while taken, from either core; any write releases', () => {
    const d = chip('rp2040');
    const [a, b] = d.cores;
    const lock5 = sio(SIO.SPINLOCK0 + 4 * 5);
    expect(a.bus.read32(lock5)).not.toBe(0);
    expect(b.bus.read32(lock5)).toBe(0);
    expect(a.bus.read32(lock5)).toBe(0);
    expect(a.bus.read32(sio(SIO.SPINLOCK_ST)) >>> 0).toBe(1 << 5);
    b.bus.write32(lock5, 0); // the other core, and a zero: still a release
    expect(a.bus.read32(sio(SIO.SPINLOCK_ST))).toBe(0);
    expect(b.bus.read32(lock5)).not.toBe(0);
    expect(a.bus.read32(sio(SIO.SPINLOCK31))).not.toBe(0);
    expect(a.bus.read32(sio(SIO.SPINLOCK_ST)) >>> 0).toBe(((1 << 5) | (1 << 31)) >>> 0);
  });

  it('the FIFOs: 8 words each way, VLD and RDY, sticky WOF and ROE cleared by writing 1', () => {
    const [a, b] = chip('rp2040').cores;
    const st = (m: Machine) => m.bus.read32(sio(SIO.FIFO_ST));
    expect(st(a)).toBe(0b0010); // RDY: room to send, nothing to read
    for (let i = 0; i < 8; i++) a.bus.write32(sio(SIO.FIFO_WR), 100 + i);
    expect(st(a)).toBe(0); // TX full, RX empty
    expect(st(b)).toBe(0b0011); // VLD, and its own TX to core 0 has room
    a.bus.write32(sio(SIO.FIFO_WR), 999); // dropped
    expect(st(a)).toBe(0b0100); // WOF
    a.bus.write32(sio(SIO.FIFO_ST), 0b0100);
    expect(st(a)).toBe(0);
    const got = Array.from({ length: 8 }, () => b.bus.read32(sio(SIO.FIFO_RD)));
    expect(got).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(b.bus.read32(sio(SIO.FIFO_RD))).toBe(0);
    expect(st(b)).toBe(0b1010); // ROE, RDY
    b.bus.write32(sio(SIO.FIFO_ST), 0b1000);
    expect(st(b)).toBe(0b0010);
    expect(st(a)).toBe(0b0010);
  });

  it('a byte access faults (word accesses only)', () => {
    const [a] = chip('rp2040').cores;
    expect(() => a.bus.read8(sio(SIO.CPUID))).toThrow();
  });
});

describe('the global exclusive monitor (dual-cortex-m3)', () => {
  it("a store by one core to the block the other core tagged clears the other core's tag", () => {
    const d = chip('dual-cortex-m3');
    const [a, b] = d.cores;
    a.cpu.setExclusiveMonitor(0x2000_0010, 1);
    b.bus.write8(0x2000_0018, 1); // the next 8-byte block: the tag stays
    expect(a.cpu.exclusiveAddress).toBe(0x2000_0010);
    b.bus.write8(0x2000_0013, 1); // inside the tagged block, another byte: cleared
    expect(a.cpu.exclusiveAddress).toBe(-1);
    expect(a.cpu.exclusiveMonitorsPass(0x2000_0010, 1)).toBe(false);
    // A core's own store does not clear its own tag (the local monitor is the Cpu's business).
    a.cpu.setExclusiveMonitor(0x2000_0010, 1);
    a.bus.write8(0x2000_0010, 1);
    expect(a.cpu.exclusiveMonitorsPass(0x2000_0010, 1)).toBe(true);
  });

  it('without it, the other core keeps its tag and its STREX would pass', () => {
    const [a, b] = chip('dual-cortex-m3', false).cores;
    a.cpu.setExclusiveMonitor(0x2000_0010, 1);
    b.bus.write8(0x2000_0010, 1);
    expect(a.cpu.exclusiveMonitorsPass(0x2000_0010, 1)).toBe(true);
  });
});
