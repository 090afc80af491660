// The Cortex-M core: registers, the run loop, exception entry and return, and fault handling.
// The instructions themselves are run by an executor (executor.ts) from the handlers the
// encoding rows own (isa/); this file imports nothing from instructions/. NVIC, SCB and
// SysTick registers are in scs.ts and systick.ts. Pseudocode references are to the ARMv6-M ARM (DDI 0419E), chapter B1.
//
// Conventions on the hot path:
// - r is an Int32Array: values are always int32; addresses are made unsigned with >>> 0
//   where they are compared.
// - pc is the address of the instruction being executed; npc the address of the next one.
//   Handlers that branch set npc; reading "PC" as an operand gives pc + 4.
// - Anything that can change which exception should run next (pending bits, PRIMASK,
//   priorities, SysTick, an exception return) sets eventAt = 0, so the loop pays one
//   comparison per instruction for all of it.

import { Bus } from './bus.ts';
import { type Timing, timingFor } from './cycles.ts';
import type { Executor } from './executor.ts';
import { defaultExecutor } from './executors.ts';
import { type AccessKind, type FaultKind, type FaultReport, InstructionFault, MemFault } from './fault.ts';
import { type DecodeTables, decodeExec32, decodeTables, rowsLackedFor } from './isa/decoder.ts';
import { disassemble } from './isa/disasm.ts';
import { ENCODINGS, type Handler, is32bit, Op } from './isa/encodings.ts';
import type { Profile } from './profiles.ts';
import { SysTick } from './systick.ts';

/** Exception numbers (ARMv6-M B1.5.2). */
export const EXC = {
  Reset: 1,
  NMI: 2,
  HardFault: 3,
  MemManage: 4,
  BusFault: 5,
  UsageFault: 6,
  SVCall: 11,
  DebugMonitor: 12,
  PendSV: 14,
  SysTick: 15,
  IRQ0: 16,
} as const;
const EXC_NAMES: Record<number, string> = {
  1: 'Reset',
  2: 'NMI',
  3: 'HardFault',
  4: 'MemManage',
  5: 'BusFault',
  6: 'UsageFault',
  11: 'SVCall',
  14: 'PendSV',
  15: 'SysTick',
};

/** CFSR bits (MMFSR 7:0, BFSR 15:8, UFSR 31:16) and HFSR bits (ARMv7-M B3.2.15–B3.2.16). */
export const CFSR = {
  IACCVIOL: 1 << 0,
  IBUSERR: 1 << 8,
  PRECISERR: 1 << 9,
  BFARVALID: 1 << 15,
  STKERR: 1 << 12,
  UNDEFINSTR: 1 << 16,
  INVSTATE: 1 << 17,
  INVPC: 1 << 18,
  NOCP: 1 << 19,
  UNALIGNED: 1 << 24,
  DIVBYZERO: 1 << 25,
} as const;
export const HFSR = { VECTTBL: 1 << 1, FORCED: 1 << 30, DEBUGEVT: 1 << 31 } as const;
export const NUM_IRQS = 32;
const NUM_EXC = 16 + NUM_IRQS;

/** The PC checkers see for accesses the core makes by itself: exception stacking, vector fetch, unstacking. */
export const CORE_PC = 0xffffffff;

/** Return address the host plants in LR: fetching from it (execute-never) ends a host call. */
export const RETURN_TRAP = 0xdeadbeee;

export type StopReason =
  | 'returned' // a host call returned to RETURN_TRAP
  | 'exit' // the firmware asked to exit (semihosting)
  | 'fault' // a fault, with faultMode 'stop'
  | 'lockup' // a fault HardFault cannot take: in HardFault or NMI, or on entry to either
  | 'budget' // the cycle budget ran out
  | 'sleep' // WFI/WFE with nothing left that could wake the core
  | 'halt'; // the host asked to stop (cpu.halt)

export class Cpu {
  readonly profile: Profile;
  readonly bus: Bus;
  readonly t: Timing;
  readonly decode: DecodeTables;
  readonly systick: SysTick;

  // ---- architectural state ----
  readonly r = new Int32Array(16);
  pc = 0;
  npc = 0;
  fN = 0;
  fZ = 0;
  fC = 0;
  fV = 0;
  /** Q (saturation, ARMv7-M) and GE[3:0] (ARMv7E-M SIMD); always 0 on ARMv6-M. */
  fQ = 0;
  ge = 0;
  /** EPSR.T: 0 after a BX to an even address; the next instruction then faults (INVSTATE). */
  tbit = 1;
  /** IPSR: 0 in Thread mode, else the number of the running exception. */
  ipsr = 0;
  primask = 0;
  /** CONTROL: bit 1 SPSEL (bit 0 nPRIV only where the profile has it). */
  control = 0;
  /** The stack pointer that is not r[13] right now (PSP while SPSEL = 0, MSP while SPSEL = 1). */
  otherSP = 0;
  /** Event register for WFE/SEV. */
  eventRegister = 0;
  /** ITSTATE (EPSR.IT, ARMv7-M): non-zero inside an IT block. Always 0 on ARMv6-M. */
  itstate = 0;
  /** Local exclusive monitor (ARMv7-M A3.4): -1 when open, else the tagged address. */
  exclusiveAddress = -1;
  exclusiveSize = 0;
  /** BASEPRI and FAULTMASK (ARMv7-M); always 0 on ARMv6-M. */
  basepri = 0;
  faultmask = 0;
  /** SCB.CCR: STKALIGN (bit 9), DIV_0_TRP (bit 4), UNALIGN_TRP (bit 3). Fixed at 0x208 on ARMv6-M. */
  ccr = 0x208;
  /** Mask of the group-priority bits, from AIRCR.PRIGROUP (ARMv7-M); 0xff on ARMv6-M. */
  groupMask = 0xff;
  /** Fault status (ARMv7-M B3.2.15–B3.2.18): CFSR, HFSR and the fault address registers. */
  cfsr = 0;
  hfsr = 0;
  mmfar = 0;
  bfar = 0;

  // ---- exception state (the NVIC's and SCB's view) ----
  readonly pending = new Uint8Array(NUM_EXC);
  readonly active = new Uint8Array(NUM_EXC);
  /** IRQ enable bits (ISER); system exceptions are always enabled. */
  readonly enabled = new Uint8Array(NUM_EXC);
  /** Priority per exception number; Reset/NMI/HardFault are fixed at -3/-2/-1. */
  readonly priority = new Int16Array(NUM_EXC);
  vtor = 0;

  // ---- run control ----
  cycles = 0;
  instructions = 0;
  /** The instruction count at which the last single load/store completed (load/store pipelining). */
  lastSingleAccess = -1;
  /** The loop calls serviceEvents() when cycles reach this. */
  eventAt = 0;
  private budgetEnd = Infinity;
  /** One interrupt the host scheduled (scheduleInterrupt). */
  private interruptAt = Infinity;
  private interruptIrq = 0;
  stopReason: StopReason | null = null;
  /** Set by an EXC_RETURN written to the PC; performed at the end of the instruction. */
  private excReturnPending: number | null = null;
  /** Address of the instruction that wrote the EXC_RETURN value (for reports). */
  private excReturnFrom = 0;
  /** 'stop': a fault ends the run with a report. 'vector': it is taken as HardFault, as on silicon. */
  faultMode: 'stop' | 'vector' = 'stop';
  /** Every fault of the run, in order (in 'vector' mode the firmware may survive several). */
  readonly faults: FaultReport[] = [];
  /** Lowest SP value seen since the last resetMinSP() (stack-use measurement). */
  minSP = 0xffffffff;
  /** A new lowest SP below this calls onStackLimit (the stack check); checked only on new minima. */
  stackLimit = 0;
  onStackLimit: ((sp: number) => void) | null = null;
  /** Called for BKPT; return true when handled (semihosting), false to fault as without a debugger. */
  onBkpt: ((imm: number) => boolean) | null = null;
  /** Called for SVC; return true when the host handled it (conformance stepping), false to take SVCall. */
  onSvc: (() => boolean) | null = null;
  /** Adds symbol and source line to fault reports. */
  describePC: ((pc: number) => { symbol?: string; source?: string }) | null = null;
  /**
   * Called before every instruction while set (a debugger: breakpoints, single steps, interrupts);
   * it may halt() or serve a client and return. When null it costs the run loop nothing.
   */
  onInstruction: (() => void) | null = null;
  /**
   * A handler the host supplies for exception n (emulator/host-irq.ts): called after stacking in
   * place of the vector table read; returns the handler's address (Thumb bit set), or null to
   * read the vector as usual. It may write r0–r3, which are stacked already.
   */
  hostVector: ((n: number) => number | null) | null = null;
  /** Called when exception n returns through a valid EXC_RETURN, before unstacking: r0 is still the handler's. */
  onExceptionReturn: ((n: number) => void) | null = null;

  /** Scratch registers for LDM/POP, so a fault part-way leaves the register file untouched. */
  readonly scratch = new Int32Array(8);
  /** Halfword → handler: the 16-bit rows, the 32-bit prefix, or UNDEFINED (executors dispatch on it). */
  readonly dispatch16: Handler[];
  /** What runs the instructions (executor.ts). */
  executor: Executor = defaultExecutor();

  constructor(profile: Profile, bus: Bus = new Bus(profile)) {
    // Counters pass 2^30 and addresses reach 0xFFFFFFFF, beyond V8's small integers: these fields
    // hold a fraction once, so every Cpu starts with its final hidden class and compiled code
    // (the translator's regions, shared by every Cpu) is not thrown away when a value outgrows it.
    this.pc = this.npc = this.cycles = this.instructions = this.eventAt = this.lastSingleAccess = 0.5;
    this.pc = this.npc = this.cycles = this.instructions = this.eventAt = 0;
    this.lastSingleAccess = -1;
    this.profile = profile;
    this.bus = bus;
    this.t = timingFor(profile.name);
    this.decode = decodeTables(profile);
    this.systick = new SysTick(this);
    // ARMv7-M allows unaligned LDR/STR/LDRH/STRH unless CCR.UNALIGN_TRP is set.
    bus.alignTrap = profile.unalignedTraps;
    // One handler per halfword: 16-bit rows, the 32-bit prefix, or UNDEFINED.
    this.dispatch16 = new Array<Handler>(65536);
    for (let hw = 0; hw < 65536; hw++) {
      this.dispatch16[hw] = is32bit(hw) ? exec32 : (this.decode.rows16[hw]?.enc.exec ?? undefinedHandler);
    }
    this.resetExceptionState();
  }

  // ---- registers as the ARM pseudocode names them ----------------------------------------

  /** R[n] as an operand: PC reads as the instruction's address + 4. */
  reg(n: number): number {
    return n === 15 ? (this.pc + 4) | 0 : this.r[n];
  }

  /** Writes SP (R[13] = value<31:2>:'00') and tracks the lowest value and the stack limit. */
  setSP(v: number): void {
    const sp = v & ~3;
    this.r[13] = sp;
    if (sp >>> 0 < this.minSP) {
      this.minSP = sp >>> 0;
      if (this.minSP < this.stackLimit && this.onStackLimit !== null) this.onStackLimit(this.minSP);
    }
  }

  get sp(): number {
    return this.r[13] >>> 0;
  }
  get msp(): number {
    return (this.control & 2 ? this.otherSP : this.r[13]) >>> 0;
  }
  get psp(): number {
    return (this.control & 2 ? this.r[13] : this.otherSP) >>> 0;
  }
  set msp(v: number) {
    if (this.control & 2) this.otherSP = v & ~3;
    else this.setSP(v);
  }
  set psp(v: number) {
    if (this.control & 2) this.setSP(v);
    else this.otherSP = v & ~3;
  }

  get apsr(): number {
    return ((this.fN << 31) | (this.fZ << 30) | (this.fC << 29) | (this.fV << 28) | (this.fQ << 27) | (this.ge << 16)) >>> 0;
  }
  /** Writes the APSR flags the profile has: NZCV; Q with Thumb-2; GE with the DSP extension. */
  set apsr(v: number) {
    this.fN = (v >>> 31) & 1;
    this.fZ = (v >>> 30) & 1;
    this.fC = (v >>> 29) & 1;
    this.fV = (v >>> 28) & 1;
    if (this.profile.hasThumb2) this.fQ = (v >>> 27) & 1;
    if (this.profile.hasDsp) this.ge = (v >>> 16) & 15;
  }

  /** Privileged: Handler mode, or Thread mode with CONTROL.nPRIV clear (ARMv7-M B1.4.4). */
  privileged(): boolean {
    return this.ipsr !== 0 || (this.control & 1) === 0;
  }
  /** xPSR with ITSTATE in bits 15:10 (IT[7:2]) and 26:25 (IT[1:0]). */
  get xpsr(): number {
    const it = this.itstate;
    return (this.apsr | (this.tbit << 24) | ((it & 3) << 25) | ((it >>> 2) << 10) | this.ipsr) >>> 0;
  }

  resetMinSP(): void {
    this.minSP = this.sp;
  }

  /** Writes CONTROL.SPSEL, swapping the banked stack pointers (ARMv6-M B1.4.3). */
  setSpsel(spsel: number): void {
    if (((this.control >>> 1) & 1) === spsel) return;
    const cur = this.r[13];
    this.r[13] = this.otherSP;
    this.otherSP = cur;
    this.control = (this.control & ~2) | (spsel << 1);
  }

  // ---- branches (ARMv6-M A2.3.1) -----------------------------------------------------------

  branchTo(address: number): void {
    this.npc = (address & ~1) >>> 0;
  }

  /** BXWritePC / LoadWritePC: an EXC_RETURN in Handler mode starts an exception return. */
  bxWritePC(address: number): void {
    const a = address >>> 0;
    if (this.ipsr !== 0 && a >>> 28 === 0xf) {
      this.excReturnPending = a;
      this.excReturnFrom = this.pc;
      this.eventAt = 0;
      this.npc = a;
      return;
    }
    this.setThumbBit(a & 1);
    this.npc = (a & ~1) >>> 0;
  }

  setThumbBit(t: number): void {
    this.tbit = t;
    if (t === 0) this.eventAt = 0; // the next instruction faults with INVSTATE
  }

  // ---- reset ---------------------------------------------------------------------------------

  private resetExceptionState(): void {
    this.pending.fill(0);
    this.active.fill(0);
    this.enabled.fill(0);
    this.priority.fill(0);
    this.priority[EXC.Reset] = -3;
    this.priority[EXC.NMI] = -2;
    this.priority[EXC.HardFault] = -1;
    for (let n = 0; n < 16; n++) this.enabled[n] = 1;
    // MemManage, BusFault and UsageFault start disabled (SHCSR enables, ARMv7-M); they escalate.
    for (const n of [EXC.MemManage, EXC.BusFault, EXC.UsageFault]) this.enabled[n] = 0;
    this.cfsr = this.hfsr = this.mmfar = this.bfar = 0;
    this.basepri = this.faultmask = 0;
    this.groupMask = this.profile.hasConfigurableFaults ? 0xfe : 0xff; // PRIGROUP = 0: one subpriority bit
    this.ccr = this.profile.unalignedTraps ? 0x208 : 0x200;
  }

  /** Reset as on silicon: SP_main from vector 0, PC from vector 1 (TakeReset, B1.5.5). */
  reset(): void {
    this.r.fill(0);
    this.fN = this.fZ = this.fC = this.fV = this.fQ = this.ge = 0;
    this.ipsr = 0;
    this.primask = 0;
    this.control = 0;
    this.otherSP = 0;
    this.eventRegister = 0;
    this.vtor = 0;
    this.resetExceptionState();
    this.systick.reset();
    this.excReturnPending = null;
    this.interruptAt = Infinity;
    this.stopReason = null;
    this.faults.length = 0;
    const sp = this.bus.peek32(this.vtor);
    const entry = this.bus.peek32(this.vtor + 4);
    this.setSP(sp);
    this.r[14] = -1;
    this.tbit = entry & 1;
    this.pc = (entry & ~1) >>> 0;
    this.minSP = this.sp;
    this.eventAt = 0;
  }

  // ---- the run loop --------------------------------------------------------------------------

  /** Runs until something stops it, or maxCycles more cycles have passed. */
  run(maxCycles: number): StopReason {
    this.budgetEnd = this.cycles + maxCycles;
    this.stopReason = null;
    this.eventAt = 0;
    for (;;) {
      try {
        this.loop();
      } catch (e) {
        if (e instanceof MemFault) this.onMemFault(e);
        else if (e instanceof InstructionFault) this.onInstructionFault(e);
        else throw e;
      }
      if (this.stopReason !== null) return this.stopReason;
    }
  }

  /** Stops the run at the next instruction boundary (checkers and host hooks use this). */
  halt(reason: StopReason = 'halt'): void {
    this.stopReason = reason;
    this.eventAt = 0;
  }

  private loop(): void {
    const executor = this.executor;
    for (;;) {
      if (this.cycles >= this.eventAt && this.serviceEvents()) return;
      executor.run(this);
    }
  }

  /** ITAdvance (ARMv7-M A7.3.2). */
  advanceIT(): void {
    const it = this.itstate;
    this.itstate = (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
  }

  /** IT: start a block (firstcond:mask as encoded). */
  startITBlock(firstcondMask: number): void {
    this.itstate = firstcondMask & 0xff;
    this.eventAt = 0;
  }

  // ---- the local exclusive monitor (ARMv7-M A3.4.2) ----

  setExclusiveMonitor(address: number, size: number): void {
    this.exclusiveAddress = address >>> 0;
    this.exclusiveSize = size;
  }

  /** ExclusiveMonitorsPass: true when the monitor tags this address; the monitor opens either way. */
  exclusiveMonitorsPass(address: number, size: number): boolean {
    const pass = this.exclusiveAddress === address >>> 0 && this.exclusiveSize === size;
    this.exclusiveAddress = -1;
    return pass;
  }

  clearExclusiveLocal(): void {
    this.exclusiveAddress = -1;
  }

  /**
   * Executes exactly one instruction, taking no exception: for the conformance harness.
   * Returns null, or what stopped it.
   */
  stepOne(): MemFault | InstructionFault | null {
    try {
      const pc = this.pc;
      this.bus.pc = pc;
      if (this.tbit === 0) throw new InstructionFault('invstate', 'INVSTATE: EPSR.T is 0');
      this.executor.step(this);
      return null;
    } catch (e) {
      if (e instanceof MemFault || e instanceof InstructionFault) return e;
      throw e;
    }
  }

  /** Everything that is not an instruction: stops, budget, exception return, SysTick, pending exceptions. */
  private serviceEvents(): boolean {
    if (this.stopReason !== null) return true;
    if (this.excReturnPending !== null) {
      const v = this.excReturnPending;
      this.excReturnPending = null;
      this.exceptionReturn(v);
      if (this.stopReason !== null) return true;
    }
    if (this.cycles >= this.budgetEnd) {
      this.stopReason = 'budget';
      return true;
    }
    this.systick.update();
    if (this.cycles >= this.interruptAt) {
      this.setPending(EXC.IRQ0 + this.interruptIrq, true);
      this.interruptAt = Infinity;
    }
    if (this.tbit === 0) throw new InstructionFault('invstate', 'INVSTATE: execution with EPSR.T = 0 (a BX or POP to an even address)');
    const n = this.pendingToTake();
    if (n !== 0) this.exceptionEntry(n, this.pc);
    if (this.stopReason !== null) return true;
    if (this.onInstruction !== null) {
      this.onInstruction();
      if (this.stopReason !== null) return true;
      this.eventAt = this.cycles; // back here before the next instruction
      return false;
    }
    this.eventAt = Math.min(this.budgetEnd, this.systick.nextEventCycle(), this.interruptAt);
    return false;
  }

  // ---- priorities (B1.5.4) -------------------------------------------------------------------

  /** The priority that decides preemption: subpriority bits (below AIRCR.PRIGROUP) do not count. */
  groupPriority(p: number): number {
    return p < 0 ? p : p & this.groupMask;
  }

  /** Current execution priority (B1.5.4): the highest active exception, boosted by BASEPRI, PRIMASK and FAULTMASK. */
  executionPriority(): number {
    let p = 256;
    for (let n = 1; n < NUM_EXC; n++) {
      if (this.active[n]) {
        const g = this.groupPriority(this.priority[n]);
        if (g < p) p = g;
      }
    }
    if (this.basepri !== 0) {
      const b = this.groupPriority(this.basepri);
      if (b < p) p = b;
    }
    if (this.primask && p > 0) p = 0;
    if (this.faultmask && p > -1) p = -1;
    return p;
  }

  /** The pending exception that would preempt now (0 if none). */
  pendingToTake(): number {
    return this.bestPending(this.executionPriority());
  }

  /** Highest-priority pending enabled exception (lowest priority value, then lowest number), if it preempts `below`. */
  private bestPending(below: number): number {
    let best = 0,
      bestP = 1 << 30;
    for (let n = 2; n < NUM_EXC; n++) {
      if (this.pending[n] && this.enabled[n] && this.priority[n] < bestP) {
        best = n;
        bestP = this.priority[n];
      }
    }
    return best !== 0 && this.groupPriority(bestP) < below ? best : 0;
  }

  /** Pends external interrupt `irq` when the cycle counter reaches `atCycle` (a device, as the host plays it). */
  scheduleInterrupt(atCycle: number, irq: number): void {
    this.interruptAt = atCycle;
    this.interruptIrq = irq;
    this.eventAt = 0;
  }

  setPending(n: number, on: boolean): void {
    this.pending[n] = on ? 1 : 0;
    this.eventAt = 0;
  }

  /** Something changed that may let a pending exception in. */
  recheck(): void {
    this.eventAt = 0;
  }

  // ---- exception entry and return (B1.5.6–B1.5.8) ------------------------------------------

  exceptionEntry(n: number, returnAddress: number): void {
    this.bus.pc = CORE_PC; // stacking and the vector fetch are the core's accesses, not an instruction's
    const spsel = (this.control >>> 1) & 1;
    const excReturn = this.ipsr !== 0 ? 0xfffffff1 : spsel ? 0xfffffffd : 0xfffffff9;
    // PushStack: 8 words, 8-byte aligned; bit 9 of the stacked xPSR records the realignment.
    const sp = this.r[13] >>> 0;
    const align = this.ccr & 0x200 ? (sp >>> 2) & 1 : 0; // CCR.STKALIGN (always 1 on ARMv6-M)
    const frame = ((sp - 0x20) & ~(align << 2)) >>> 0;
    const xpsr = (this.xpsr & ~(1 << 9)) | (align << 9);
    // SP moves first, so the frame lands in the live stack; a faulting store puts SP back.
    this.setSP(frame);
    try {
      const bus = this.bus;
      bus.write32(frame, this.r[0]);
      bus.write32(frame + 4, this.r[1]);
      bus.write32(frame + 8, this.r[2]);
      bus.write32(frame + 12, this.r[3]);
      bus.write32(frame + 16, this.r[12]);
      bus.write32(frame + 20, this.r[14]);
      bus.write32(frame + 24, returnAddress);
      bus.write32(frame + 28, xpsr);
    } catch (e) {
      if (!(e instanceof MemFault)) throw e;
      this.r[13] = sp | 0;
      this.stackingFailed(n, returnAddress, e);
      return;
    }
    this.r[14] = excReturn | 0;
    this.cycles += this.t.exceptionEntry;
    this.exceptionTaken(n);
  }

  private exceptionTaken(n: number): void {
    let vector = this.hostVector === null ? null : this.hostVector(n);
    if (vector === null) {
      try {
        vector = this.bus.read32((this.vtor + 4 * n) >>> 0) >>> 0;
      } catch (e) {
        if (!(e instanceof MemFault)) throw e;
        this.vectorFetchFailed(n, e);
        return;
      }
    }
    this.ipsr = n;
    this.itstate = 0;
    this.setSpsel(0);
    this.active[n] = 1;
    this.pending[n] = 0;
    this.eventRegister = 1;
    this.pc = (vector & ~1) >>> 0;
    this.npc = this.pc;
    this.setThumbBit(vector & 1);
    this.eventAt = 0;
  }

  /**
   * The vector of exception n could not be read. ARMv7-M ARM B1.5.14 ("Fault behavior") and
   * B3.2.16 (HFSR): a vector table read error is always taken as HardFault, with HFSR.VECTTBL set;
   * on ARMv6-M every fault is HardFault. HardFault uses the frame already stacked for n and
   * returns where n would have. If the vector that failed is HardFault's or NMI's (HardFault
   * cannot preempt NMI), or HardFault cannot preempt now, the core locks up (ARMv7-M ARM B1.5.15,
   * "Unrecoverable exception cases"; the ARMv6-M ARM's section of that name says the same): so a bad VTOR ends in at most two vector reads.
   */
  private vectorFetchFailed(n: number, e: MemFault): void {
    const report = this.report(e.kind, `vector ${n} (${excName(n)}) could not be read at 0x${hex8(e.address)} (${e.kind})`, this.pc, {
      address: e.address,
      size: 4,
      access: 'load',
    });
    if (this.profile.hasConfigurableFaults) this.hfsr |= HFSR.VECTTBL;
    if (this.faultMode === 'stop') {
      this.faults.push(report);
      this.stopReason = 'fault';
      return;
    }
    if (n === EXC.HardFault || n === EXC.NMI || this.executionPriority() < 0) {
      this.lockup(report);
      return;
    }
    report.exception = 'HardFault';
    this.faults.push(report);
    this.exceptionTaken(EXC.HardFault);
  }

  /**
   * Stacking for exception n faulted (the frame would not fit in memory). The fault is taken as
   * HardFault on ARMv6-M; on ARMv7-M as BusFault with CFSR.STKERR (B3.2.15) when BusFault is
   * enabled and would preempt both the current code and n, else escalated to HardFault. A fault
   * never preempts the exception it arises from, so each retry is at a higher priority than the
   * last: BusFault, then HardFault, then lockup (the stack pointer is the same each time).
   */
  private stackingFailed(n: number, returnAddress: number, e: MemFault): void {
    const report = this.report(e.kind, `stacking for exception ${n} (${excName(n)}) faulted at 0x${hex8(e.address)} (${e.kind})`, this.pc, {
      address: e.address,
      size: e.size,
      access: 'store',
    });
    if (this.faultMode === 'stop') {
      this.faults.push(report);
      this.stopReason = 'fault';
      return;
    }
    if (n === EXC.HardFault || n === EXC.NMI) {
      this.lockup(report);
      return;
    }
    let exc: number = EXC.HardFault;
    if (this.profile.hasConfigurableFaults) {
      const below = Math.min(this.executionPriority(), this.groupPriority(this.priority[n]));
      if (this.enabled[EXC.BusFault] && this.groupPriority(this.priority[EXC.BusFault]) < below) {
        exc = EXC.BusFault;
        this.cfsr |= CFSR.STKERR;
      } else {
        this.hfsr |= HFSR.FORCED;
      }
    }
    if (exc === EXC.HardFault && this.executionPriority() < 0) {
      this.lockup(report);
      return;
    }
    report.exception = excName(exc);
    this.faults.push(report);
    this.exceptionEntry(exc, returnAddress);
  }

  /** Lockup ("Unrecoverable exception cases" in both ARMs): the run ends with the fault that caused it. */
  private lockup(report: FaultReport): void {
    this.faults.push({ ...report, kind: 'lockup' });
    this.halt('lockup'); // every executor stops at this boundary
  }

  /**
   * ExceptionReturn (ARMv7-M B1.5.8; ARMv6-M leaves the failing cases UNPREDICTABLE, and sramlab
   * follows the ARMv7-M rule, as QEMU does): an integrity check that fails deactivates the
   * returning exception and takes HardFault on the existing frame, with LR = EXC_RETURN.
   */
  private exceptionReturn(excReturn: number): void {
    const returning = this.ipsr;
    let activeCount = 0;
    for (let n = 1; n < NUM_EXC; n++) activeCount += this.active[n];
    const mode = excReturn & 0xf;
    const why =
      ((excReturn >>> 4) & 0xffffff) !== 0xffffff
        ? 'bits 27:4 are not all ones'
        : !this.active[returning]
          ? `exception ${returning} is not active`
          : mode !== 1 && mode !== 9 && mode !== 0xd
            ? 'not 0xFFFFFFF1, 0xFFFFFFF9 or 0xFFFFFFFD'
            : mode === 1 && activeCount <= 1
              ? 'returns to Handler mode with no other exception active'
              : mode !== 1 && activeCount > 1
                ? 'returns to Thread mode with another exception still active'
                : null;
    if (why !== null) {
      this.active[returning] = 0;
      this.pc = this.npc = this.excReturnFrom;
      this.invalidReturn(excReturn, why, false);
      return;
    }
    if (this.onExceptionReturn !== null) this.onExceptionReturn(returning);
    this.bus.pc = CORE_PC; // unstacking is the core's access, not an instruction's
    this.active[returning] = 0;
    if (returning !== EXC.NMI) this.faultmask = 0; // DeActivate (ARMv7-M B1.5.8)
    const toPsp = mode === 0xd;
    const frame = (toPsp ? this.psp : this.msp) >>> 0;
    const words = this.scratch;
    try {
      for (let i = 0; i < 8; i++) words[i] = this.bus.read32(frame + 4 * i);
    } catch (e) {
      if (!(e instanceof MemFault)) throw e;
      this.pc = this.npc = this.excReturnFrom;
      this.raiseFault(
        this.report(e.kind, `unstacking faulted at 0x${e.address.toString(16)} (${e.kind})`, this.pc, {
          address: e.address,
          size: 4,
          access: 'load',
        }),
      );
      return;
    }
    const xpsr = words[7] >>> 0;
    const stackedIpsr = xpsr & 0x1ff;
    this.setSpsel(toPsp ? 1 : 0);
    this.setSP(frame + 0x20 + (((xpsr >>> 9) & 1) << 2));
    for (let i = 0; i < 4; i++) this.r[i] = words[i];
    this.r[12] = words[4];
    this.r[14] = words[5];
    this.apsr = xpsr;
    this.ipsr = mode === 1 ? stackedIpsr & 0x3f : 0;
    if (this.profile.hasThumb2) this.itstate = (((xpsr >>> 10) & 0x3f) << 2) | ((xpsr >>> 25) & 3);
    this.pc = this.npc = (words[6] & ~1) >>> 0;
    this.cycles += this.t.exceptionReturn;
    if ((mode === 1) !== (stackedIpsr !== 0)) {
      // The frame does not fit the mode returned to: push it back and take the fault on it.
      this.ipsr = returning;
      this.invalidReturn(excReturn, `stacked IPSR ${stackedIpsr} does not match the return mode`, true);
      return;
    }
    this.setThumbBit((xpsr >>> 24) & 1);
    this.clearExclusiveLocal();
    this.eventRegister = 1;
    this.eventAt = 0;
  }

  /**
   * A failed return check: INVPC, taken as UsageFault (ARMv7-M, escalated to HardFault when that
   * cannot be taken) or HardFault (ARMv6-M) on the existing frame, with LR = 0xF:EXC_RETURN<27:0>.
   */
  private invalidReturn(excReturn: number, why: string, restack: boolean): void {
    const report = this.report('bad-exc-return', `bad exception return 0x${excReturn.toString(16)}: ${why}`, this.excReturnFrom);
    this.faults.push(report);
    if (this.faultMode === 'stop') {
      this.stopReason = 'fault';
      return;
    }
    const exc = this.faultException(report);
    if (exc === 0) return;
    if (restack) this.exceptionEntry(exc, this.pc);
    else this.exceptionTaken(exc);
    this.r[14] = 0xf0000000 | (excReturn & 0x0fffffff) | 0;
  }

  // ---- faults ----------------------------------------------------------------------------

  private onMemFault(e: MemFault): void {
    if (e.access === 'fetch' && e.address === RETURN_TRAP - (RETURN_TRAP & 1) && this.ipsr === 0) {
      this.stopReason = 'returned';
      return;
    }
    const what =
      e.kind === 'unaligned'
        ? `unaligned ${sizeName(e.size)} ${e.access}`
        : e.kind === 'flash-write'
          ? `${sizeName(e.size)} store to flash (read-only)`
          : e.kind === 'exec-never'
            ? 'instruction fetch from an execute-never region'
            : `${sizeName(e.size)} ${e.access} from unmapped memory`;
    const at = `0x${e.address.toString(16).padStart(8, '0')}`;
    this.raiseFault(
      this.report(e.kind, `${what} at ${at}`, this.pc, {
        address: e.address,
        size: e.size,
        access: e.access,
        region: this.bus.regionOf(e.address),
      }),
    );
  }

  private onInstructionFault(e: InstructionFault): void {
    const msg =
      e.kind === 'no-cas'
        ? `this MCU (${this.profile.name}, ARMv6-M, thumbv6m) has no exclusive-access (CAS) instructions: ${e.detail}`
        : e.detail || 'UNDEFINED instruction';
    this.raiseFault(this.report(e.kind, msg, this.pc));
  }

  /** Builds a fault report for the instruction at pc, with its encoding and disassembly. */
  report(
    kind: FaultKind,
    message: string,
    pc: number,
    extra: { address?: number; size?: number; access?: AccessKind; region?: string } = {},
  ): FaultReport {
    const rep: FaultReport = { kind, message, pc: pc >>> 0, ...extra };
    try {
      const hw1 = this.bus.peek(pc, 2);
      let word = hw1[0] | (hw1[1] << 8);
      if (is32bit(word)) {
        const hw2 = this.bus.peek(pc + 2, 2);
        word = ((word << 16) | hw2[0] | (hw2[1] << 8)) >>> 0;
      }
      rep.instruction = word;
      rep.disassembly = disassemble(this.profile.arch, word, pc);
    } catch {
      /* the PC itself is not in memory */
    }
    if (rep.address !== undefined && rep.region === undefined) rep.region = this.bus.regionOf(rep.address);
    if (this.describePC) Object.assign(rep, this.describePC(pc));
    return rep;
  }

  /** A synchronous fault of the current instruction: stop, or take HardFault (lockup if that is impossible). */
  raiseFault(report: FaultReport, returnAddress = this.pc): void {
    this.faults.push(report);
    if (this.faultMode === 'stop') {
      this.halt('fault'); // raised from a handler that returns normally (SVC): stop at this boundary
      return;
    }
    this.takeFault(report, returnAddress);
  }

  private takeFault(report: FaultReport, returnAddress = this.pc): void {
    if (this.faults[this.faults.length - 1] !== report) this.faults.push(report);
    const exc = this.faultException(report);
    if (exc !== 0) this.exceptionEntry(exc, returnAddress);
  }

  /**
   * The exception a fault is taken as (HardFault on ARMv6-M; routed on ARMv7-M), named in the
   * report; or 0 after locking up, when it would be HardFault and HardFault cannot preempt.
   */
  private faultException(report: FaultReport): number {
    const exc = this.profile.hasConfigurableFaults ? this.routeFault(report) : EXC.HardFault;
    if (exc === EXC.HardFault && this.executionPriority() < 0) {
      this.faults.push({ ...report, kind: 'lockup', message: `lockup: ${report.message} while in HardFault` });
      this.halt('lockup'); // every executor stops at this boundary
      return 0;
    }
    report.exception = excName(exc);
    return exc;
  }

  /**
   * ARMv7-M: the configurable fault a report belongs to, with its status bit recorded; escalated
   * to HardFault (HFSR.FORCED) when that fault is disabled or cannot preempt (B1.5.4, B3.2.15).
   */
  private routeFault(report: FaultReport): number {
    let exc: number = EXC.HardFault;
    switch (report.kind) {
      case 'undefined':
      case 'no-cas':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.UNDEFINSTR;
        break;
      case 'invstate':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.INVSTATE;
        break;
      case 'bad-exc-return':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.INVPC;
        break;
      case 'nocp':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.NOCP;
        break;
      case 'unaligned':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.UNALIGNED;
        break;
      case 'divbyzero':
        exc = EXC.UsageFault;
        this.cfsr |= CFSR.DIVBYZERO;
        break;
      case 'exec-never':
        exc = EXC.MemManage;
        this.cfsr |= CFSR.IACCVIOL;
        break;
      case 'unmapped':
      case 'flash-write':
        exc = EXC.BusFault;
        if (report.access === 'fetch') this.cfsr |= CFSR.IBUSERR;
        else {
          this.cfsr |= CFSR.PRECISERR | CFSR.BFARVALID;
          this.bfar = report.address ?? 0;
        }
        break;
      case 'bkpt':
        this.hfsr |= HFSR.DEBUGEVT;
        return EXC.HardFault;
      default:
        this.hfsr |= HFSR.FORCED;
        return EXC.HardFault;
    }
    if (!this.enabled[exc] || this.groupPriority(this.priority[exc]) >= this.executionPriority()) {
      this.hfsr |= HFSR.FORCED;
      return EXC.HardFault;
    }
    return exc;
  }

  /** SVC: taken if SVCall can preempt now, else escalated to HardFault (B1.5.4). */
  svc(): void {
    if (this.onSvc?.()) return;
    // SVC completes before the exception: the stacked ITSTATE is that of the next instruction.
    if (this.itstate !== 0) this.advanceIT();
    if (this.priority[EXC.SVCall] < this.executionPriority()) {
      this.exceptionEntry(EXC.SVCall, this.npc);
      return;
    }
    // Escalated to HardFault, which returns where SVCall would have: after the SVC.
    this.raiseFault(
      this.report(
        'svc-escalated',
        'SVC executed where SVCall cannot be taken (masked or priority too low): escalated to HardFault',
        this.pc,
      ),
      this.npc,
    );
  }

  /** WFI/WFE: fast-forward to the next event that could wake the core, or stop if none can. */
  sleep(): void {
    // A pending exception wakes the core even while PRIMASK masks it.
    const primask = this.primask;
    this.primask = 0;
    const wake = this.pendingToTake();
    this.primask = primask;
    if (wake !== 0) return;
    const next = Math.min(this.systick.nextEventCycle(), this.interruptAt);
    if (next === Infinity || next >= this.budgetEnd) {
      if (next !== Infinity) {
        this.cycles = this.budgetEnd;
        return;
      }
      // WFI has completed: a resumed run (after the host pends an interrupt) goes on after it.
      this.stopReason = 'sleep';
      this.eventAt = 0;
      return;
    }
    if (next > this.cycles) this.cycles = next;
    this.eventAt = 0;
  }
}

const excName = (n: number): string => EXC_NAMES[n] ?? (n >= EXC.IRQ0 ? `IRQ ${n - EXC.IRQ0}` : `exception ${n}`);
const hex8 = (a: number): string => (a >>> 0).toString(16).padStart(8, '0');

function sizeName(size: number): string {
  return size === 4 ? 'word' : size === 2 ? 'halfword' : 'byte';
}

const undefinedHandler: Handler = (cpu, i) => {
  throw new InstructionFault('undefined', `UNDEFINED instruction 0x${i.toString(16).padStart(4, '0')} for ${cpu.profile.name}`);
};

const BL_EXEC = ENCODINGS.find((e) => e.op === Op.BL)!.exec!;

/** The first halfword of a 32-bit instruction: fetch the second, decode, dispatch. */
const exec32: Handler = (cpu, hw1) => {
  const hw2 = cpu.bus.fetch16((cpu.pc + 2) >>> 0);
  cpu.npc = cpu.pc + 4;
  const word = ((hw1 << 16) | hw2) >>> 0;
  // BL is by far the most common 32-bit instruction on ARMv6-M: skip the table for it.
  if ((hw1 & 0xf800) === 0xf000 && (hw2 & 0xd000) === 0xd000) {
    BL_EXEC(cpu, word);
    return;
  }
  const h = decodeExec32(cpu.decode, hw1, hw2);
  if (h === null) {
    // An exclusive on a core without them is its own fault kind: the CAS the image meant.
    const meant = cpu.profile.hasExclusives
      ? undefined
      : rowsLackedFor(cpu.profile, word, 32).find((c) => c.enc.needs?.includes('hasExclusives'));
    if (meant !== undefined) {
      throw new InstructionFault(
        'no-cas',
        `${meant.enc.name} (0x${word.toString(16)}) at 0x${cpu.pc.toString(16)} is an exclusive access, which ARMv6-M does not have`,
      );
    }
    throw new InstructionFault('undefined', `UNDEFINED instruction 0x${word.toString(16).padStart(8, '0')} for ${cpu.profile.name}`);
  }
  h(cpu, word);
};
