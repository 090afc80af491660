// SysTick against the ARMv6-M ARM (B3.3) rules, register write by register write.
// Time is advanced by hand on the cycle counter; the expected values follow from the rules
// quoted in each test, not from running the emulator.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../emulator/cpu.ts';
import { getProfile } from '../emulator/profiles.ts';
import { Scs } from '../emulator/scs.ts';

const CSR = 0x010,
  RVR = 0x014,
  CVR = 0x018,
  CALIB = 0x01c;
const ENABLE = 1,
  TICKINT = 2,
  COUNTFLAG = 1 << 16;

function setup() {
  const cpu = new Cpu(getProfile('cortex-m0'));
  const m = { cpu, scs: new Scs(cpu) };
  const w = (off: number, v: number) => m.scs.write(off, 4, v);
  const r = (off: number) => m.scs.read(off, 4) >>> 0;
  const advance = (n: number) => {
    m.cpu.cycles += n;
    m.cpu.systick.update();
  };
  const fired = () => m.cpu.pending[15] === 1;
  const clearPending = () => {
    m.cpu.pending[15] = 0;
  };
  return { m, w, r, advance, fired, clearPending };
}

describe('SysTick', () => {
  it('never counts or fires while disabled', () => {
    const { w, r, advance, fired } = setup();
    w(RVR, 10);
    w(CSR, TICKINT); // TICKINT without ENABLE
    advance(1000);
    expect(r(CVR)).toBe(0);
    expect(fired()).toBe(false);
    expect(r(CSR) & COUNTFLAG).toBe(0);
  });

  it('enabling with CVR = 0 reloads on the next clock, then fires after RVR more (period RVR+1)', () => {
    const { w, r, advance, fired } = setup();
    w(CSR, 0);
    w(CVR, 0);
    w(RVR, 99);
    w(CSR, ENABLE | TICKINT | 4); // FreeRTOS order
    advance(1);
    expect(r(CVR)).toBe(99); // reloaded
    advance(98);
    expect(r(CVR)).toBe(1);
    expect(fired()).toBe(false);
    advance(1); // 1 → 0
    expect(fired()).toBe(true);
    expect(r(CVR)).toBe(0);
  });

  it('sets COUNTFLAG on 1 → 0 and clears it when CSR is read', () => {
    const { w, r, advance } = setup();
    w(RVR, 9);
    w(CSR, ENABLE);
    advance(11); // reload at 1, zero at 10, reload at 11
    const first = r(CSR);
    expect(first & COUNTFLAG).toBe(COUNTFLAG);
    expect(r(CSR) & COUNTFLAG).toBe(0);
  });

  it('does not pend the exception without TICKINT, but still sets COUNTFLAG', () => {
    const { w, r, advance, fired } = setup();
    w(RVR, 4);
    w(CSR, ENABLE);
    advance(20);
    expect(fired()).toBe(false);
    expect(r(CSR) & COUNTFLAG).toBe(COUNTFLAG);
  });

  it('a write to CVR clears the counter and COUNTFLAG without firing', () => {
    const { w, r, advance, fired, clearPending } = setup();
    w(RVR, 9);
    w(CSR, ENABLE | TICKINT);
    advance(10); // zero reached at cycle 10
    expect(fired()).toBe(true);
    clearPending();
    advance(3);
    w(CVR, 12345); // any value: clears to 0
    expect(r(CSR) & COUNTFLAG).toBe(0);
    expect(fired()).toBe(false);
    expect(r(CVR)).toBe(0);
    advance(1); // next clock reloads
    expect(r(CVR)).toBe(9);
    expect(fired()).toBe(false);
  });

  it('RVR = 0 stops it: after reaching 0 it stays at 0 and never fires again', () => {
    const { w, r, advance, fired, clearPending } = setup();
    w(RVR, 5);
    w(CSR, ENABLE | TICKINT);
    advance(6); // zero at 6
    expect(fired()).toBe(true);
    clearPending();
    w(RVR, 0);
    advance(6); // reload at 7 would use RVR = 0
    advance(10_000);
    expect(r(CVR)).toBe(0);
    expect(fired()).toBe(false);
  });

  it('a new RVR takes effect at the next reload, not at once', () => {
    const { w, r, advance } = setup();
    w(RVR, 100);
    w(CSR, ENABLE);
    advance(1); // reloaded to 100
    advance(10);
    w(RVR, 5);
    expect(r(CVR)).toBe(90);
    advance(90); // zero
    advance(1); // reload from the new RVR
    expect(r(CVR)).toBe(5);
  });

  it('arduino-pico order (CSR = 7 before RVR) starts counting once RVR is set', () => {
    const { w, r, advance, fired } = setup();
    w(CSR, 7); // counter at 0 and RVR 0: rests at 0
    advance(50);
    expect(fired()).toBe(false);
    w(RVR, 9);
    advance(1);
    expect(r(CVR)).toBe(9);
    advance(9);
    expect(fired()).toBe(true);
  });

  it('disabling freezes the count and enabling resumes from it', () => {
    const { w, r, advance } = setup();
    w(RVR, 50);
    w(CSR, ENABLE);
    advance(11); // reload at 1 → 50, 10 cycles later 40
    w(CSR, 0);
    expect(r(CVR)).toBe(40);
    advance(500);
    expect(r(CVR)).toBe(40);
    w(CSR, ENABLE);
    advance(5);
    expect(r(CVR)).toBe(35);
  });

  it('CLKSOURCE reads as 1 and CALIB says there is no reference clock', () => {
    const { w, r } = setup();
    w(CSR, 0);
    expect(r(CSR) & 4).toBe(4);
    expect(r(CALIB) >>> 31).toBe(1);
  });

  it('only the 24 low bits of RVR exist', () => {
    const { w, r } = setup();
    w(RVR, 0xffffffff);
    expect(r(RVR)).toBe(0xffffff);
  });
});
