// SysTick (ARMv6-M B3.3), computed lazily from the cycle counter rather than ticked.
// The rules other emulators got wrong (docs/background.md):
// - the exception pends and COUNTFLAG sets only when the counter goes from 1 to 0;
// - on the clock after reaching 0 it reloads from RVR, so the period is RVR+1 cycles;
// - a write to CVR clears it and COUNTFLAG without firing; the next clock reloads;
// - enabling with CVR = 0 reloads on the next clock;
// - RVR = 0 leaves the counter at 0: no more wraps, no more interrupts;
// - reading CSR clears COUNTFLAG; nothing counts while ENABLE = 0.
// There is no external reference clock (CALIB.NOREF = 1), so CSR.CLKSOURCE reads as 1.

import type { Cpu } from './cpu.ts';

export const SYST_CALIB = 0xc000_0000; // NOREF, SKEW, TENMS = 0

export class SysTick {
  enable = 0;
  tickint = 0;
  countflag = 0;
  rvr = 0;
  /** Cycle at which the counter next goes 1 → 0 (Infinity when it rests at 0). */
  private zeroAt = Infinity;
  /** Last cycle at which the counter was 0 and not yet reloaded (reload happens on the next clock). */
  private restAt = -1;
  /** Counter value while disabled. */
  private frozen = 0;

  constructor(private readonly cpu: Cpu) {}

  reset(): void {
    this.enable = this.tickint = this.countflag = 0;
    this.rvr = 0;
    this.zeroAt = Infinity;
    this.restAt = -1;
    this.frozen = 0;
  }

  /** The next cycle at which SysTick needs the core's attention. */
  nextEventCycle(): number {
    return this.enable ? this.zeroAt : Infinity;
  }

  /** Processes every 1 → 0 transition up to the current cycle. */
  update(): void {
    const now = this.cpu.cycles;
    if (!this.enable || this.zeroAt > now) return;
    this.countflag = 1;
    if (this.tickint) this.cpu.setPending(15, true);
    // Reload on the following clock; skip whole periods that passed unseen (after a WFI fast-forward).
    this.restAt = this.zeroAt;
    if (this.rvr === 0) {
      this.zeroAt = Infinity;
      return;
    }
    const period = this.rvr + 1;
    const next = this.zeroAt + period;
    if (next > now) {
      this.zeroAt = next;
      return;
    }
    const skipped = Math.ceil((now - next + 1) / period);
    this.zeroAt = next + skipped * period;
    this.restAt = this.zeroAt - period;
  }

  /** Current value of SYST_CVR. */
  current(): number {
    this.update();
    if (!this.enable) return this.frozen;
    const now = this.cpu.cycles;
    if (this.zeroAt === Infinity || now === this.restAt) return 0;
    return this.zeroAt - now;
  }

  readCSR(): number {
    this.update();
    const v = (this.countflag << 16) | (1 << 2) | (this.tickint << 1) | this.enable;
    this.countflag = 0;
    return v;
  }

  writeCSR(v: number): void {
    this.update();
    const enable = v & 1;
    this.tickint = (v >>> 1) & 1;
    if (enable && !this.enable) {
      this.enable = 1;
      this.startFrom(this.frozen);
    } else if (!enable && this.enable) {
      this.frozen = this.current();
      this.enable = 0;
    }
    this.cpu.recheck();
  }

  writeRVR(v: number): void {
    this.update();
    this.rvr = v & 0xffffff;
    const now = this.cpu.cycles;
    // A counter at 0 reloads from RVR on the next clock, so the new value applies to that reload.
    if (this.enable && (this.zeroAt === Infinity || now === this.restAt)) {
      this.restAt = now;
      this.zeroAt = this.rvr === 0 ? Infinity : now + 1 + this.rvr;
    }
    this.cpu.recheck();
  }

  writeCVR(): void {
    this.update();
    this.countflag = 0;
    if (this.enable) this.startFrom(0);
    else this.frozen = 0;
    this.cpu.recheck();
  }

  private startFrom(value: number): void {
    const now = this.cpu.cycles;
    if (value !== 0) {
      this.zeroAt = now + value;
      return;
    }
    this.restAt = now;
    this.zeroAt = this.rvr === 0 ? Infinity : now + 1 + this.rvr;
  }
}
