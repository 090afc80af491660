// An interrupt the host raises in any image, with a function of that image as its handler: the
// way scenarios call the allocator from an ISR without anything linked into the image for it.
//
// The host plays a device and the NVIC's programmer: it sets IRQ n's priority, enables it, and
// pends it when the cycle counter reaches the chosen cycle (the first instruction boundary at or
// after it). From there the core does what silicon does: the IRQ waits while PRIMASK, BASEPRI or a
// higher-priority handler masks it, and is taken with the real exception entry (eight words stacked
// on the current stack, 8-byte aligned, LR = EXC_RETURN, Handler mode, IPSR = 16 + n, MSP). Only
// the vector fetch is the host's: the handler address is the function's, whatever the vector
// table (if any) holds, and r0–r3 are set to its arguments after they have been stacked. A
// function that follows the AAPCS is a valid exception handler as it is: it keeps r4–r11, and its
// own return (BX LR or POP {…, PC} with EXC_RETURN) is the real exception return that unstacks the
// frame and resumes the interrupted code. The host reads r0 as the result just before unstacking.

import { EXC, NUM_IRQS } from './cpu.ts';
import type { Machine } from './machine.ts';

const ISER = 0x100,
  ICER = 0x180,
  ICPR = 0x280,
  IPR0 = 0x400;

export interface HostIrqRequest {
  /** External interrupt number, 0 to 31 (exception 16 + irq). */
  irq: number;
  /** NVIC priority byte (only the profile's implemented top bits count); default 0, the highest. */
  priority?: number;
  /** Pended when the cycle counter reaches this. */
  atCycle: number;
  /** The handler: a function's address (symbol value; the Thumb bit is set here) and up to four arguments. */
  address: number;
  args: readonly number[];
}

/** What became of one raised interrupt, filled in as it happens. */
export interface HostIrqRecord {
  irq: number;
  /** Taken: the address of the stacked frame (SP right after stacking), and the cycle. */
  frame: number | null;
  takenAtCycle: number | null;
  /** IPSR in the handler (16 + irq). */
  ipsr: number | null;
  /** The handler returned through EXC_RETURN: r0 then (its result), and the cycle. */
  returned: boolean;
  result: number | null;
  returnedAtCycle: number | null;
}

/** One host-raised interrupt at a time per machine; cancel() puts the machine's hooks back. */
export class HostIrq {
  private request: HostIrqRequest | null = null;
  private running = false;

  constructor(private readonly machine: Machine) {}

  /** Arms one interrupt; the record it returns fills in as the machine runs. */
  raise(req: HostIrqRequest): HostIrqRecord {
    const { cpu, scs } = this.machine;
    if (!Number.isInteger(req.irq) || req.irq < 0 || req.irq >= NUM_IRQS)
      throw new RangeError(`IRQ ${req.irq}: there are ${NUM_IRQS} (0 to ${NUM_IRQS - 1})`);
    if (req.args.length > 4) throw new RangeError('a host handler takes at most four arguments (r0–r3)');
    if (this.request !== null) throw new Error('an interrupt is already raised: cancel() it first');
    if (cpu.hostVector !== null || cpu.onExceptionReturn !== null) throw new Error("the core's host-vector hooks are in use");
    this.request = req;
    this.running = false;
    const rec: HostIrqRecord = {
      irq: req.irq,
      frame: null,
      takenAtCycle: null,
      ipsr: null,
      returned: false,
      result: null,
      returnedAtCycle: null,
    };
    const n = EXC.IRQ0 + req.irq;
    cpu.hostVector = (exc) => {
      if (exc !== n || this.running || rec.frame !== null) return null;
      this.running = true;
      rec.frame = cpu.sp;
      rec.takenAtCycle = cpu.cycles;
      rec.ipsr = exc;
      for (let k = 0; k < 4; k++) cpu.r[k] = (req.args[k] ?? 0) | 0;
      return (req.address | 1) >>> 0;
    };
    cpu.onExceptionReturn = (exc) => {
      if (exc !== n || !this.running) return;
      this.running = false;
      rec.returned = true;
      rec.result = cpu.r[0] >>> 0;
      rec.returnedAtCycle = cpu.cycles;
    };
    // As firmware would: the priority (IPR is word-access only on ARMv6-M), then the enable.
    const ipr = IPR0 + (req.irq & ~3),
      lane = 8 * (req.irq & 3);
    const word = scs.read(ipr, 4);
    scs.write(ipr, 4, (word & ~(0xff << lane)) | (((req.priority ?? 0) & 0xff) << lane));
    scs.write(ISER, 4, 1 << req.irq);
    cpu.scheduleInterrupt(req.atCycle, req.irq);
    return rec;
  }

  /** Whether IRQ irq is pended and waiting (masked, or not reached a boundary yet). */
  get pending(): boolean {
    return this.request !== null && this.machine.cpu.pending[EXC.IRQ0 + this.request.irq] === 1;
  }

  /** Unschedules, clears and disables the interrupt, and takes the hooks off the core. */
  cancel(): void {
    const req = this.request;
    if (req === null) return;
    const { cpu, scs } = this.machine;
    cpu.scheduleInterrupt(Infinity, 0);
    scs.write(ICER, 4, 1 << req.irq);
    scs.write(ICPR, 4, 1 << req.irq);
    cpu.hostVector = null;
    cpu.onExceptionReturn = null;
    this.request = null;
    this.running = false;
  }
}

// ---- handlers that make several calls: scripted ISRs --------------------------------------------
//
// A handler that runs a short script of calls (allocate, reallocate that block, free it) in
// Handler mode and then makes its real exception return. The host enters the first call of the
// script with LR pointing at a two-instruction stub it places in unused flash, `BKPT #0xA5; BX LR`:
// each call of the script returns to the BKPT, where the host reads r0 and either enters the next
// call (LR at the stub again) or puts the handler's EXC_RETURN back in LR, so the BX LR after
// the BKPT is the handler's real exception return. Several exceptions can be scripted at once,
// at different priorities (a nested IRQ preempts the first one's script like any code), and the
// source can be an external IRQ or SysTick (exception 15).

/** The BKPT immediate of the stub (semihosting uses 0xAB). */
const STUB_BKPT = 0xa5;

/** One call of a handler's script: a function's address (Thumb bit set here) and up to four arguments. */
export interface IsrCall {
  address: number;
  args: readonly number[];
}

export interface ScriptedIsr {
  /** Exception number: 16 + n for IRQ n, 15 for SysTick. */
  exception: number;
  /** Priority byte (NVIC IPR or SHPR3); lower is more urgent. */
  priority: number;
  /** The next call, given the results (r0) of the calls made so far in this activation; null: return. */
  next(results: readonly number[]): IsrCall | null;
}

/** One activation of a scripted handler, filled in as it happens. */
export interface IsrActivation {
  exception: number;
  /** The stacked frame's address, and the cycle and instruction count at which it was taken. */
  frame: number;
  takenAtCycle: number;
  takenAtInstruction: number;
  /** r0 of each call of the script, in order. */
  results: number[];
  returned: boolean;
  /** The handler's EXC_RETURN (put back in LR for its last return). */
  excReturn: number;
}

export const SYSTICK_EXCEPTION = EXC.SysTick;

/** Scripted handlers for a machine; install() wires the core, uninstall() puts it back. */
export class ScriptedIsrs {
  /** Every activation since the last clear(), in the order they were taken. */
  readonly activations: IsrActivation[] = [];
  /** Activations taken and not yet returned, innermost last. */
  private readonly running: IsrActivation[] = [];
  /** Called at each activation's entry, after stacking (the dedup key is computed here). */
  onTake: ((a: IsrActivation) => void) | null = null;
  /** Called at each activation's real exception return, before unstacking. */
  onReturn: ((a: IsrActivation) => void) | null = null;
  private readonly stub: number;
  private savedBkpt: ((imm: number) => boolean) | null = null;
  private installed: readonly ScriptedIsr[] = [];

  constructor(private readonly machine: Machine) {
    this.stub = freeFlashWords(machine, 4);
  }

  /** Sets each handler's priority and enable, and takes the core's host hooks. */
  install(isrs: readonly ScriptedIsr[]): void {
    const { cpu, scs } = this.machine;
    if (cpu.hostVector !== null || cpu.onExceptionReturn !== null) throw new Error("the core's host-vector hooks are in use");
    for (const isr of isrs) {
      const irq = isr.exception - EXC.IRQ0;
      if (isr.exception !== EXC.SysTick && (irq < 0 || irq >= NUM_IRQS))
        throw new RangeError(`exception ${isr.exception} cannot be scripted`);
      if (isr.exception === EXC.SysTick) {
        const word = scs.read(SHPR3, 4);
        scs.write(SHPR3, 4, (word & 0x00ffffff) | ((isr.priority & 0xff) << 24));
      } else {
        const ipr = IPR0 + (irq & ~3),
          lane = 8 * (irq & 3);
        const word = scs.read(ipr, 4);
        scs.write(ipr, 4, (word & ~(0xff << lane)) | ((isr.priority & 0xff) << lane));
        scs.write(ISER, 4, 1 << irq);
      }
    }
    this.installed = isrs;
    // BKPT #0xA5; BX LR
    this.machine.bus.load(this.stub, new Uint8Array([STUB_BKPT, 0xbe, 0x70, 0x47]));
    cpu.hostVector = (n) => this.enter(n);
    cpu.onExceptionReturn = (n) => this.leave(n);
    this.savedBkpt = cpu.onBkpt;
    const saved = this.savedBkpt;
    cpu.onBkpt = (imm) => (imm === STUB_BKPT && cpu.pc === this.stub ? this.step() : (saved?.(imm) ?? false));
  }

  /** Forgets the activations (after the machine was restored to before them). */
  clear(): void {
    this.activations.length = 0;
    this.running.length = 0;
  }

  /** The activation running now (innermost), if any. */
  get current(): IsrActivation | undefined {
    return this.running.at(-1);
  }

  /** Pends an installed exception now (as a device or ICSR.PENDSTSET would). */
  pend(exception: number): void {
    this.machine.cpu.setPending(exception, true);
  }

  /** Takes the hooks off the core and disables the IRQs (their pending bits cleared). */
  uninstall(): void {
    const { cpu, scs } = this.machine;
    for (const isr of this.installed) {
      const irq = isr.exception - EXC.IRQ0;
      if (isr.exception === EXC.SysTick) cpu.setPending(EXC.SysTick, false);
      else {
        scs.write(ICER, 4, 1 << irq);
        scs.write(ICPR, 4, 1 << irq);
      }
    }
    cpu.scheduleInterrupt(Infinity, 0);
    cpu.hostVector = null;
    cpu.onExceptionReturn = null;
    cpu.onBkpt = this.savedBkpt;
    this.installed = [];
    this.clear();
  }

  private enter(n: number): number | null {
    const isr = this.installed.find((x) => x.exception === n);
    if (!isr) return null;
    const cpu = this.machine.cpu;
    const a: IsrActivation = {
      exception: n,
      frame: cpu.sp,
      takenAtCycle: cpu.cycles,
      takenAtInstruction: cpu.instructions,
      results: [],
      returned: false,
      excReturn: cpu.r[14] >>> 0,
    };
    this.activations.push(a);
    this.running.push(a);
    this.onTake?.(a);
    const call = isr.next(a.results);
    if (call === null) return (this.stub + 2) | 1; // BX LR at once
    this.setUp(call);
    return (call.address | 1) >>> 0;
  }

  /** At the stub's BKPT: one call of the script returned. */
  private step(): boolean {
    const cpu = this.machine.cpu;
    const a = this.running.at(-1);
    const isr = a && this.installed.find((x) => x.exception === a.exception);
    if (!a || !isr || cpu.ipsr !== a.exception) return false; // not ours: fault as BKPT would
    a.results.push(cpu.r[0] >>> 0);
    const call = isr.next(a.results);
    if (call === null) {
      cpu.r[14] = a.excReturn | 0; // the BX LR after the BKPT is the exception return
      return true;
    }
    this.setUp(call);
    cpu.npc = (call.address & ~1) >>> 0;
    return true;
  }

  private setUp(call: IsrCall): void {
    const cpu = this.machine.cpu;
    if (call.args.length > 4) throw new RangeError('a host handler takes at most four arguments (r0–r3)');
    for (let k = 0; k < 4; k++) cpu.r[k] = (call.args[k] ?? 0) | 0;
    cpu.r[14] = this.stub | 1 | 0;
  }

  private leave(n: number): void {
    const a = this.running.at(-1);
    if (!a || a.exception !== n) return;
    this.running.pop();
    a.returned = true;
    this.onReturn?.(a);
  }
}

const SHPR3 = 0xd20;

/**
 * A word-aligned spot of `bytes` bytes in flash that no segment of the image occupies: the
 * highest one below the end of flash. Firmware never writes flash, so the stub stays as placed.
 */
function freeFlashWords(m: Machine, bytes: number): number {
  const segs = (m.image?.segments ?? []).map((s) => ({ start: s.paddr, end: s.paddr + Math.max(s.fileSize, s.memSize) }));
  let at = (m.bus.flashSize - bytes) & ~3;
  for (;;) {
    const hit = segs.find((s) => at < s.end && s.start < at + bytes);
    if (!hit) return at;
    at = (hit.start - bytes) & ~3;
    if (at < 0) throw new Error('no free word in flash for the host handler stub');
  }
}

const SYST_CSR = 0x10,
  SYST_RVR = 0x14,
  SYST_CVR = 0x18;

/**
 * Starts SysTick so that it wraps (and pends its exception) first at cycle firstAt, then every
 * `period` cycles (RVR = period − 1), as a timer started period − (firstAt − now) cycles ago
 * would. The registers are written as firmware would; only the phase of the running counter is
 * set directly, which no register can (a write to CVR clears it).
 */
export function startSysTick(m: Machine, firstAt: number, period: number): void {
  if (!(period >= 2 && period <= 0x1000000)) throw new RangeError(`SysTick period ${period}: 2 to 2^24 cycles`);
  m.scs.write(SYST_RVR, 4, period - 1);
  m.scs.write(SYST_CVR, 4, 0);
  m.scs.write(SYST_CSR, 4, 3); // ENABLE | TICKINT
  const st = m.cpu.systick as unknown as { zeroAt: number; restAt: number };
  st.zeroAt = Math.max(firstAt, m.cpu.cycles);
  st.restAt = -1;
  m.cpu.recheck();
}

/** Stops SysTick (CSR = 0) and clears its pending bit. */
export function stopSysTick(m: Machine): void {
  m.scs.write(SYST_CSR, 4, 0);
  m.cpu.setPending(EXC.SysTick, false);
}
