// Exception-model corners of issue 9: a vector or a stack frame that cannot be read or written
// (ARMv7-M ARM DDI 0403E B1.5.14 "Fault behavior" and B1.5.15 "Unrecoverable exception cases";
// the ARMv6-M ARM DDI 0419E's sections of those names), ICSR's
// RETTOBASE and VECTPENDING (ARMv7-M B3.2.4), MRS of the mask registers when unprivileged
// (ARMv7-M B5.2.2) and STM (T1) with its base in the list (UNKNOWN, not UNPREDICTABLE). The
// expected values are the manuals'; where QEMU 7.2 was run on the same code it agreed, except
// where tests/golden/DEVIATIONS.md says otherwise (VECTPENDING under BASEPRI, RETTOBASE on the
// micro:bit). Programs are raw Thumb with their source beside them.
import { describe, expect, it } from 'vitest';
import { CFSR, HFSR } from '../emulator/cpu.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const ICSR = 0xe000ed04;

/** A machine with `hex` at address 0 (a vector table, then code), reset, faults taken as on silicon. */
function boot(mcu: string, hex: string): Machine {
  const m = new Machine(getProfile(mcu));
  m.bus.load(0, new Uint8Array(Buffer.from(hex, 'hex')));
  m.cpu.faultMode = 'vector';
  m.reset();
  return m;
}

const trail = (m: Machine) => m.cpu.faults.map((f) => `${f.kind}:${f.exception ?? ''}`);

describe('a vector that cannot be read (issue 9, defect 2)', () => {
  // SP 0x20001000, reset at 0x20 (nop.w padding before it):
  //   ldr r0, =0xE000ED24; mov.w r1, #0x70000; str r1, [r0]   @ SHCSR: MemManage, BusFault, UsageFault on
  //   ldr r0, =0xE000ED08; mov.w r1, #0x30000000; str r1, [r0] @ VTOR: unmapped
  //   udf #0
  const VTOR_UNMAPPED =
    '00100020210000000000000000000000000000000000000000000000aff3008004484ff4e021016003484ff04051016000de000024ed00e008ed00e0';

  it("ARMv7-M: UsageFault's vector fails, so HardFault (HFSR.VECTTBL); HardFault's fails too: lockup, not host recursion", () => {
    for (const mcu of ['cortex-m3', 'cortex-m4']) {
      const m = boot(mcu, VTOR_UNMAPPED);
      expect(m.run({ maxCycles: 10_000 }).stop).toBe('lockup');
      expect(trail(m)).toEqual(['undefined:UsageFault', 'unmapped:HardFault', 'lockup:']);
      expect(m.cpu.faults[1]).toMatchObject({ address: 0x30000018, access: 'load' });
      expect(m.cpu.faults[2]).toMatchObject({ address: 0x3000000c });
      expect(m.cpu.hfsr & HFSR.VECTTBL).toBe(HFSR.VECTTBL);
      expect(m.cpu.cfsr & CFSR.UNDEFINSTR).toBe(CFSR.UNDEFINSTR);
    }
  });

  it("ARMv6-M (Cortex-M0+, which has VTOR): HardFault's vector fails: lockup", () => {
    // SP 0x20001000, reset at 0x08: ldr r0, =0xE000ED08; ldr r1, =0x30000000; str r1, [r0]; udf #0
    const m = boot('cortex-m0plus', '001000200900000001480249016000de08ed00e000000030');
    expect(m.run({ maxCycles: 10_000 }).stop).toBe('lockup');
    expect(trail(m)).toEqual(['undefined:HardFault', 'lockup:']);
    expect(m.cpu.faults[1].message).toMatch(/vector 3 \(HardFault\) could not be read at 0x3000000c/);
  });
});

describe('a frame that cannot be stacked', () => {
  // SP 0x20001000, reset at 0x08:
  //   ldr r0, =0xE000ED24; mov.w r1, #0x70000; str r1, [r0]   @ the configurable faults on
  //   ldr r0, =0xE000ED18; ldr r1, =0x402000; str r1, [r0]    @ SHPR1: BusFault 0x20, UsageFault 0x40
  //   mov.w r0, #0x10000000; mov sp, r0; udf #0              @ SP unmapped
  const SP_UNMAPPED = '001000200900000005484ff4e02101600448054901604ff08050854600de000024ed00e018ed00e000204000';

  it("ARMv7-M: UsageFault's stacking fails (BusFault, STKERR), BusFault cannot preempt itself (HardFault, FORCED), then lockup", () => {
    const m = boot('cortex-m3', SP_UNMAPPED);
    expect(m.run({ maxCycles: 10_000 }).stop).toBe('lockup');
    expect(trail(m)).toEqual(['undefined:UsageFault', 'unmapped:BusFault', 'unmapped:HardFault', 'lockup:']);
    expect(m.cpu.cfsr & CFSR.STKERR).toBe(CFSR.STKERR);
    expect(m.cpu.hfsr & HFSR.FORCED).toBe(HFSR.FORCED);
    expect(m.cpu.sp).toBe(0x10000000); // a frame that faulted is not pushed
  });
});

describe('ICSR (ARMv7-M ARM B3.2.4; ARMv6-M ARM, ICSR)', () => {
  const icsr = (m: Machine) => m.bus.read32(ICSR) >>> 0;
  const retToBase = (m: Machine) => (icsr(m) >>> 11) & 1;
  const vectPending = (m: Machine) => (icsr(m) >>> 12) & 0x1ff;
  const machine = (mcu: string) => {
    const m = new Machine(getProfile(mcu));
    m.reset();
    return m;
  };

  it('RETTOBASE on ARMv7-M: 1 when the running exception is the only active one, 0 when another is active', () => {
    for (const mcu of ['cortex-m3', 'cortex-m4']) {
      const m = machine(mcu);
      m.cpu.ipsr = 15;
      m.cpu.active[15] = 1;
      expect(retToBase(m)).toBe(1);
      m.cpu.active[14] = 1; // SysTick preempted PendSV
      expect(retToBase(m)).toBe(0);
      m.cpu.active.fill(0);
      m.cpu.ipsr = 0;
      expect(retToBase(m)).toBe(1); // Thread mode: UNKNOWN; 1 as QEMU gives
    }
  });

  it("ARMv6-M has no RETTOBASE: bit 11 is reserved and reads 0 (QEMU's micro:bit sets it: a reference deviation)", () => {
    for (const mcu of ['cortex-m0', 'cortex-m0plus']) {
      const m = machine(mcu);
      m.cpu.ipsr = 15;
      m.cpu.active[15] = 1;
      expect(retToBase(m)).toBe(0);
      m.cpu.ipsr = 0;
      m.cpu.active.fill(0);
      expect(retToBase(m)).toBe(0);
    }
  });

  it('VECTPENDING includes the effect of BASEPRI and FAULTMASK, not of PRIMASK (ARMv7-M)', () => {
    const m = machine('cortex-m3');
    const c = m.cpu;
    c.priority[16] = 0x40;
    c.enabled[16] = 1;
    c.pending[16] = 1; // IRQ 0 at priority 0x40
    expect(vectPending(m)).toBe(16);
    c.primask = 1;
    expect(vectPending(m)).toBe(16);
    c.primask = 0;
    c.basepri = 0x40; // masks priorities 0x40 and lower
    expect(vectPending(m)).toBe(0);
    c.basepri = 0x60;
    expect(vectPending(m)).toBe(16);
    c.basepri = 0;
    c.faultmask = 1; // masks everything but NMI
    expect(vectPending(m)).toBe(0);
    c.pending[2] = 1;
    expect(vectPending(m)).toBe(2);
  });

  it('ARMv6-M has neither register: VECTPENDING is the best pending enabled exception, PRIMASK or not', () => {
    const m = machine('cortex-m0');
    m.cpu.priority[17] = 0x80;
    m.cpu.enabled[17] = 1;
    m.cpu.pending[17] = 1;
    m.cpu.primask = 1;
    expect(vectPending(m)).toBe(17);
  });
});

describe('MRS of the mask registers in unprivileged Thread mode (ARMv7-M B5.2.2)', () => {
  // mrs r0, primask; mrs r1, basepri; mrs r2, faultmask; mrs r3, control
  const CODE = 'eff31080eff31181eff31382eff31483';

  function readMasks(control: number): number[] {
    const m = new Machine(getProfile('cortex-m3'));
    m.bus.load(0x100, new Uint8Array(Buffer.from(CODE, 'hex')));
    const c = m.cpu;
    c.pc = 0x100;
    c.tbit = 1;
    c.ipsr = 0;
    c.primask = 1;
    c.basepri = 0x20;
    c.faultmask = 1;
    c.control = control;
    for (let k = 0; k < 4; k++) expect(c.stepOne()).toBeNull();
    return [c.r[0], c.r[1], c.r[2], c.r[3]];
  }

  it('privileged: the live values', () => {
    expect(readMasks(0)).toEqual([1, 0x20, 1, 0]);
  });

  it('unprivileged: PRIMASK, BASEPRI and FAULTMASK read 0 (as QEMU gives); CONTROL reads', () => {
    expect(readMasks(1)).toEqual([0, 0, 0, 1]);
  });
});

describe('STM (T1) with the base in the list but not lowest: the stored word is UNKNOWN, not UNPREDICTABLE', () => {
  it("stores the base as it was before the instruction (sramlab's documented choice, as QEMU and Unicorn) and writes back", () => {
    for (const mcu of ['cortex-m0', 'cortex-m0plus', 'cortex-m3', 'cortex-m4']) {
      const m = new Machine(getProfile(mcu));
      m.bus.load(0x100, new Uint8Array([0x03, 0xc1])); // stmia r1!, {r0, r1}
      const c = m.cpu;
      c.pc = 0x100;
      c.tbit = 1;
      c.r[0] = 0x12345678;
      c.r[1] = 0x20000100;
      expect(c.stepOne()).toBeNull();
      expect(m.bus.peek32(0x20000100)).toBe(0x12345678);
      expect(m.bus.peek32(0x20000104)).toBe(0x20000100);
      expect(c.r[1]).toBe(0x20000108);
    }
  });
});
