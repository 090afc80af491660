// The System Control Space registers firmware uses (ARMv6-M B3.2–B3.4): SysTick, the NVIC
// and the SCB. They are a view onto the core's exception state, kept in Cpu.

import type { Device } from './bus.ts';
import { type Cpu, EXC, NUM_IRQS } from './cpu.ts';
import { MemFault } from './fault.ts';
import { SCS_BASE } from './memory-map.ts';
import { SYST_CALIB } from './systick.ts';

const R = {
  ICTR: 0x004,
  SYST_CSR: 0x010,
  SYST_RVR: 0x014,
  SYST_CVR: 0x018,
  SYST_CALIB: 0x01c,
  ISER: 0x100,
  ICER: 0x180,
  ISPR: 0x200,
  ICPR: 0x280,
  IPR0: 0x400,
  IPR_END: 0x400 + NUM_IRQS,
  CPUID: 0xd00,
  ICSR: 0xd04,
  VTOR: 0xd08,
  AIRCR: 0xd0c,
  SCR: 0xd10,
  CCR: 0xd14,
  SHPR1: 0xd18,
  SHPR2: 0xd1c,
  SHPR3: 0xd20,
  SHCSR: 0xd24,
  CFSR: 0xd28,
  HFSR: 0xd2c,
  MMFAR: 0xd34,
  BFAR: 0xd38,
  IABR: 0x300,
  DEMCR: 0xdfc,
  STIR: 0xf00,
} as const;

/** Registers that take byte and halfword accesses on ARMv7-M (B3.2, B3.4). */
const isNarrowable = (off: number): boolean =>
  (off >= R.IPR0 && off < R.IPR_END) || (off >= R.SHPR1 && off < R.SHPR3 + 4) || (off >= R.CFSR && off < R.CFSR + 4);
/** Write-one-to-clear registers: a narrow write must not clear the other byte lanes. */
const isW1C = (off: number): boolean => off === R.CFSR || off === R.HFSR;

/** CCR on ARMv6-M: STKALIGN and UNALIGN_TRP read as one and cannot be changed. */
const CCR_V6M = (1 << 9) | (1 << 3);

export class Scs implements Device {
  readonly name = 'scs' as const;
  scr = 0;
  /** Set by a write of SYSRESETREQ to AIRCR; the machine resets. */
  resetRequested = false;

  constructor(private readonly cpu: Cpu) {}

  /** DEMCR.TRCENA and friends (the DWT counts only while TRCENA is set). */
  demcr = 0;
  /** Called before and after DEMCR changes (the DWT freezes and restarts its count). */
  onDemcrChange: (() => void) | null = null;

  reset(): void {
    this.scr = 0;
    this.demcr = 0;
    this.resetRequested = false;
  }

  /** The ARMv7-M system registers (CFSR, SHCSR, …) and byte access to them. */
  private get v7(): boolean {
    return this.cpu.profile.hasConfigurableFaults;
  }

  read(offset: number, size: number): number {
    if (size !== 4) {
      if (!this.v7 || !isNarrowable(offset)) this.narrow(offset, size, 'load');
      const lane = offset & 3;
      const word = this.readWord(offset - lane) >>> (8 * lane);
      return size === 1 ? word & 0xff : word & 0xffff;
    }
    return this.readWord(offset);
  }

  private readWord(offset: number): number {
    const c = this.cpu;
    if (this.v7) {
      switch (offset) {
        case R.ICTR:
          return 0; // 32 interrupt lines
        case R.IABR:
          return this.bits(c.active);
        case R.SHPR1:
          return c.priority[EXC.MemManage] | (c.priority[EXC.BusFault] << 8) | (c.priority[EXC.UsageFault] << 16) | 0;
        case R.SHCSR:
          return this.shcsr();
        case R.CFSR:
          return c.cfsr | 0;
        case R.HFSR:
          return c.hfsr | 0;
        case R.MMFAR:
          return c.mmfar | 0;
        case R.BFAR:
          return c.bfar | 0;
        case R.CCR:
          return c.ccr;
        case R.AIRCR:
          return (0xfa05 << 16) | (this.prigroup() << 8) | 0;
        case R.DEMCR:
          return this.demcr | 0;
      }
    }
    switch (offset) {
      case R.SYST_CSR:
        return c.systick.readCSR();
      case R.SYST_RVR:
        return c.systick.rvr;
      case R.SYST_CVR:
        return c.systick.current();
      case R.SYST_CALIB:
        return SYST_CALIB | 0;
      case R.ISER:
      case R.ICER:
        return this.bits(c.enabled);
      case R.ISPR:
      case R.ICPR:
        return this.bits(c.pending);
      case R.CPUID:
        return c.profile.cpuid | 0;
      case R.ICSR:
        return this.icsr();
      case R.VTOR:
        return c.profile.hasVtor ? c.vtor | 0 : 0;
      case R.AIRCR:
        return (0xfa05 << 16) | 0;
      case R.SCR:
        return this.scr;
      case R.CCR:
        return CCR_V6M; // ARMv7-M's writable CCR is handled above
      case R.SHPR2:
        return (c.priority[EXC.SVCall] << 24) | 0;
      case R.SHPR3:
        return (c.priority[EXC.SysTick] << 24) | (c.priority[EXC.PendSV] << 16) | 0;
      case R.SHCSR:
        return c.pending[EXC.SVCall] << 15;
    }
    if (offset >= R.IPR0 && offset < R.IPR_END) {
      const n = EXC.IRQ0 + (offset - R.IPR0);
      return c.priority[n] | (c.priority[n + 1] << 8) | (c.priority[n + 2] << 16) | (c.priority[n + 3] << 24) | 0;
    }
    return 0; // reserved and unmodelled registers read as zero
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) {
      if (!this.v7 || !isNarrowable(offset)) this.narrow(offset, size, 'store');
      const lane = offset & 3,
        base = offset - lane;
      const mask = (size === 1 ? 0xff : 0xffff) << (8 * lane);
      const v = (value << (8 * lane)) & mask;
      this.writeWord(base, isW1C(base) ? v : (this.readWord(base) & ~mask) | v);
      return;
    }
    this.writeWord(offset, value);
  }

  private writeWord(offset: number, value: number): void {
    const c = this.cpu;
    const v = value >>> 0;
    if (this.v7) {
      switch (offset) {
        case R.SHPR1:
          c.priority[EXC.MemManage] = this.prio(v);
          c.priority[EXC.BusFault] = this.prio(v >>> 8);
          c.priority[EXC.UsageFault] = this.prio(v >>> 16);
          c.recheck();
          return;
        case R.SHCSR:
          this.writeShcsr(v);
          return;
        case R.CFSR:
          c.cfsr &= ~v;
          return;
        case R.HFSR:
          c.hfsr &= ~v;
          return;
        case R.MMFAR:
          c.mmfar = v;
          return;
        case R.BFAR:
          c.bfar = v;
          return;
        case R.CCR:
          // NONBASETHRDENA, USERSETMPEND, UNALIGN_TRP, DIV_0_TRP, BFHFNMIGN, STKALIGN
          c.ccr = v & 0x31b;
          c.bus.alignTrap = (c.ccr & 8) !== 0;
          return;
        case R.AIRCR:
          if (v >>> 16 !== 0x05fa) return;
          c.groupMask = (0xff << (((v >>> 8) & 7) + 1)) & 0xff;
          if (v & 4) {
            this.resetRequested = true;
            c.halt('halt');
          }
          if (v & 2) c.active.fill(0); // VECTCLRACTIVE (debug use)
          c.recheck();
          return;
        case R.DEMCR:
          this.onDemcrChange?.();
          this.demcr = v & 0x010f07f1;
          this.onDemcrChange?.();
          return;
        case R.STIR:
          if ((v & 0x1ff) < NUM_IRQS) c.setPending(EXC.IRQ0 + (v & 0x1ff), true);
          return;
      }
    }
    switch (offset) {
      case R.SYST_CSR:
        c.systick.writeCSR(v);
        return;
      case R.SYST_RVR:
        c.systick.writeRVR(v);
        return;
      case R.SYST_CVR:
        c.systick.writeCVR();
        return;
      case R.ISER:
        this.setBits(c.enabled, v, 1);
        return;
      case R.ICER:
        this.setBits(c.enabled, v, 0);
        return;
      case R.ISPR:
        this.setBits(c.pending, v, 1);
        return;
      case R.ICPR:
        this.setBits(c.pending, v, 0);
        return;
      case R.ICSR:
        this.writeIcsr(v);
        return;
      case R.VTOR:
        if (c.profile.hasVtor) c.vtor = v & 0xffffff80;
        return;
      case R.AIRCR:
        if (v >>> 16 === 0x05fa && v & 4) {
          this.resetRequested = true;
          c.halt('halt');
        }
        return;
      case R.SCR:
        this.scr = v & 0x16;
        return;
      case R.SHPR2:
        c.priority[EXC.SVCall] = this.prio(v >>> 24);
        c.recheck();
        return;
      case R.SHPR3:
        c.priority[EXC.SysTick] = this.prio(v >>> 24);
        c.priority[EXC.PendSV] = this.prio(v >>> 16);
        c.recheck();
        return;
      case R.SHCSR:
        c.pending[EXC.SVCall] = (v >>> 15) & 1;
        c.recheck();
        return;
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

  private prigroup(): number {
    const sub = ~this.cpu.groupMask & 0xff;
    return Math.max(0, 31 - Math.clz32(sub + 1) - 1);
  }

  /** SHCSR (ARMv7-M B3.2.13): active and pending bits of the system handlers, and the fault enables. */
  private shcsr(): number {
    const c = this.cpu;
    const a = (n: number, bit: number) => (c.active[n] ? 1 << bit : 0);
    const p = (n: number, bit: number) => (c.pending[n] ? 1 << bit : 0);
    return (
      a(EXC.MemManage, 0) |
      a(EXC.BusFault, 1) |
      a(EXC.UsageFault, 3) |
      a(EXC.SVCall, 7) |
      a(EXC.DebugMonitor, 8) |
      a(EXC.PendSV, 10) |
      a(EXC.SysTick, 11) |
      p(EXC.UsageFault, 12) |
      p(EXC.MemManage, 13) |
      p(EXC.BusFault, 14) |
      p(EXC.SVCall, 15) |
      (c.enabled[EXC.MemManage] << 16) |
      (c.enabled[EXC.BusFault] << 17) |
      (c.enabled[EXC.UsageFault] << 18) |
      0
    );
  }

  private writeShcsr(v: number): void {
    const c = this.cpu;
    c.enabled[EXC.MemManage] = (v >>> 16) & 1;
    c.enabled[EXC.BusFault] = (v >>> 17) & 1;
    c.enabled[EXC.UsageFault] = (v >>> 18) & 1;
    c.pending[EXC.UsageFault] = (v >>> 12) & 1;
    c.pending[EXC.MemManage] = (v >>> 13) & 1;
    c.pending[EXC.BusFault] = (v >>> 14) & 1;
    c.pending[EXC.SVCall] = (v >>> 15) & 1;
    c.recheck();
  }

  /**
   * ICSR (ARMv7-M ARM B3.2.4, and its ARMv6-M subset). VECTPENDING on ARMv7-M: "The value indicated by this
   * field includes the effect of the BASEPRI and FAULTMASK registers, but not any effect of the
   * PRIMASK register" (ARMv7-M ARM B3.2.4): an exception those two mask is not shown. ARMv6-M has
   * neither register. RETTOBASE (bit 11) is ARMv7-M only (reserved on ARMv6-M): 1 when no
   * exception other than the running one is active; in Thread mode its value is UNKNOWN, and
   * sramlab gives 1 there as QEMU does (tests/golden/DEVIATIONS.md lists the UNKNOWN choices).
   */
  private icsr(): number {
    const c = this.cpu;
    let mask = 256;
    if (this.v7) {
      if (c.basepri !== 0) mask = c.groupPriority(c.basepri);
      if (c.faultmask) mask = -1;
    }
    let vectPending = 0;
    for (let n = 2, best = 256; n < c.pending.length; n++) {
      if (c.pending[n] && c.enabled[n] && c.priority[n] < best && c.groupPriority(c.priority[n]) < mask) {
        best = c.priority[n];
        vectPending = n;
      }
    }
    let active = 0;
    for (let n = 1; n < c.active.length; n++) active += c.active[n];
    const retToBase = this.v7 && active <= 1 ? 1 : 0;
    const isrPending = c.pending.subarray(EXC.IRQ0).some((p) => p !== 0) ? 1 : 0;
    return (
      (c.pending[EXC.NMI] << 31) |
      (c.pending[EXC.PendSV] << 28) |
      (c.pending[EXC.SysTick] << 26) |
      (isrPending << 22) |
      (vectPending << 12) |
      (retToBase << 11) |
      c.ipsr |
      0
    );
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
