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
