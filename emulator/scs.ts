// The System Control Space registers firmware uses (ARMv6-M B3.2–B3.4): SysTick, the NVIC
// and the SCB. They are a view onto the core's exception state, kept in Cpu.

import type { Device } from './bus.ts';
import { EXC, NUM_IRQS, type Cpu } from './cpu.ts';
import { MemFault } from './fault.ts';
import { SCS_BASE } from './memory-map.ts';
import { SYST_CALIB } from './systick.ts';

const R = {
  SYST_CSR: 0x010, SYST_RVR: 0x014, SYST_CVR: 0x018, SYST_CALIB: 0x01c,
  ISER: 0x100, ICER: 0x180, ISPR: 0x200, ICPR: 0x280, IPR0: 0x400, IPR_END: 0x400 + NUM_IRQS,
  CPUID: 0xd00, ICSR: 0xd04, VTOR: 0xd08, AIRCR: 0xd0c, SCR: 0xd10, CCR: 0xd14,
  SHPR2: 0xd1c, SHPR3: 0xd20, SHCSR: 0xd24,
} as const;

/** CCR on ARMv6-M: STKALIGN and UNALIGN_TRP read as one and cannot be changed. */
const CCR_V6M = (1 << 9) | (1 << 3);

export class Scs implements Device {
  readonly name = 'scs' as const;
  scr = 0;
  /** Set by a write of SYSRESETREQ to AIRCR; the machine resets. */
  resetRequested = false;

  constructor(private readonly cpu: Cpu) {}

  read(offset: number, size: number): number {
    if (size !== 4) this.narrow(offset, size, 'load');
    const c = this.cpu;
    switch (offset) {
      case R.SYST_CSR: return c.systick.readCSR();
      case R.SYST_RVR: return c.systick.rvr;
      case R.SYST_CVR: return c.systick.current();
      case R.SYST_CALIB: return SYST_CALIB | 0;
      case R.ISER: case R.ICER: return this.bits(c.enabled);
      case R.ISPR: case R.ICPR: return this.bits(c.pending);
      case R.CPUID: return c.profile.cpuid | 0;
      case R.ICSR: return this.icsr();
      case R.VTOR: return c.profile.hasVtor ? c.vtor | 0 : 0;
      case R.AIRCR: return (0xfa05 << 16) | 0;
      case R.SCR: return this.scr;
      case R.CCR: return CCR_V6M;
      case R.SHPR2: return (c.priority[EXC.SVCall] << 24) | 0;
      case R.SHPR3: return ((c.priority[EXC.SysTick] << 24) | (c.priority[EXC.PendSV] << 16)) | 0;
      case R.SHCSR: return c.pending[EXC.SVCall] << 15;
    }
    if (offset >= R.IPR0 && offset < R.IPR_END) {
      const n = EXC.IRQ0 + (offset - R.IPR0);
      return (c.priority[n] | (c.priority[n + 1] << 8) | (c.priority[n + 2] << 16) | (c.priority[n + 3] << 24)) | 0;
    }
    return 0; // reserved and unmodelled registers read as zero
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) this.narrow(offset, size, 'store');
    const c = this.cpu;
    const v = value >>> 0;
    switch (offset) {
      case R.SYST_CSR: c.systick.writeCSR(v); return;
      case R.SYST_RVR: c.systick.writeRVR(v); return;
      case R.SYST_CVR: c.systick.writeCVR(); return;
      case R.ISER: this.setBits(c.enabled, v, 1); return;
      case R.ICER: this.setBits(c.enabled, v, 0); return;
      case R.ISPR: this.setBits(c.pending, v, 1); return;
      case R.ICPR: this.setBits(c.pending, v, 0); return;
      case R.ICSR: this.writeIcsr(v); return;
      case R.VTOR: if (c.profile.hasVtor) c.vtor = v & 0xffffff80; return;
      case R.AIRCR:
        if ((v >>> 16) === 0x05fa && (v & 4)) { this.resetRequested = true; c.halt('halt'); }
        return;
      case R.SCR: this.scr = v & 0x16; return;
      case R.SHPR2: c.priority[EXC.SVCall] = this.prio(v >>> 24); c.recheck(); return;
      case R.SHPR3:
        c.priority[EXC.SysTick] = this.prio(v >>> 24);
        c.priority[EXC.PendSV] = this.prio(v >>> 16);
        c.recheck();
        return;
      case R.SHCSR: c.pending[EXC.SVCall] = (v >>> 15) & 1; c.recheck(); return;
    }
    if (offset >= R.IPR0 && offset < R.IPR_END) {
      const n = EXC.IRQ0 + (offset - R.IPR0);
      for (let k = 0; k < 4; k++) c.priority[n + k] = this.prio(v >>> (8 * k));
      c.recheck();
    }
  }

  /** ARMv6-M's SCS is word-accessible only: a narrower access is a bus error. */
  private narrow(offset: number, size: number, access: 'load' | 'store'): never {
    throw new MemFault('unmapped', (SCS_BASE + offset) >>> 0, size, access);
  }

  /** Only the top priorityBits of a priority byte are implemented. */
  private prio(byte: number): number {
    const keep = (0xff << (8 - this.cpu.profile.priorityBits)) & 0xff;
    return byte & keep;
  }

  private bits(arr: Uint8Array): number {
    let v = 0;
    for (let i = 0; i < NUM_IRQS; i++) if (arr[EXC.IRQ0 + i]) v |= 1 << i;
    return v;
  }

  private setBits(arr: Uint8Array, mask: number, to: number): void {
    for (let i = 0; i < NUM_IRQS; i++) if ((mask >>> i) & 1) arr[EXC.IRQ0 + i] = to;
    this.cpu.recheck();
  }

  private icsr(): number {
    const c = this.cpu;
    let vectPending = 0;
    for (let n = 2, best = 256; n < c.pending.length; n++) {
      if (c.pending[n] && c.enabled[n] && c.priority[n] < best) { best = c.priority[n]; vectPending = n; }
    }
    const isrPending = c.pending.subarray(EXC.IRQ0).some((p) => p !== 0) ? 1 : 0;
    return ((c.pending[EXC.NMI] << 31) | (c.pending[EXC.PendSV] << 28) | (c.pending[EXC.SysTick] << 26) |
      (isrPending << 22) | (vectPending << 12) | c.ipsr) | 0;
  }

  private writeIcsr(v: number): void {
    const c = this.cpu;
    if (v & (1 << 31)) c.setPending(EXC.NMI, true);
    if (v & (1 << 28)) c.setPending(EXC.PendSV, true);
    else if (v & (1 << 27)) c.setPending(EXC.PendSV, false);
    if (v & (1 << 26)) c.setPending(EXC.SysTick, true);
    else if (v & (1 << 25)) c.setPending(EXC.SysTick, false);
  }
}
