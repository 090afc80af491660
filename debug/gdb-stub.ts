// The debugger side of one machine: answers gdb's packets against the machine's registers and
// memory, and decides where execution stops. It runs in the emulator's own thread and blocks
// while the target is stopped (a scenario's host calls are synchronous, so a breakpoint inside
// sl_alloc can only be served by not returning until gdb says continue): the CPU calls it
// before every instruction (Cpu.onInstruction), and while stopped it reads packets from a
// blocking Transport. Breakpoints are addresses compared there, never patched into memory;
// watchpoints are a bus checker that marks a hit, reported once the access has completed.

import type { Checker } from '../emulator/bus.ts';
import type { Cpu } from '../emulator/cpu.ts';
import type { FaultKind } from '../emulator/fault.ts';
import type { Machine, RunResult } from '../emulator/machine.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import {
  bytesText,
  escapeBinary,
  framePacket,
  fromHex,
  INTERRUPT,
  type Incoming,
  PacketReader,
  textBytes,
  toHex,
  unescapeBinary,
  word32FromHex,
  word32Hex,
} from './rsp.ts';
import { type RegDef, registersFor, targetXml } from './target-xml.ts';

/** The bytes gdb sends and receives, with blocking reads: the stub runs in the emulator's thread. */
export interface Transport {
  /** Blocks until a client is connected. */
  accept(): void;
  /** Blocks until bytes arrive; null when the client has gone. */
  read(): Uint8Array | null;
  /** What has arrived without blocking (empty when nothing); null when the client has gone. */
  poll(): Uint8Array | null;
  write(bytes: Uint8Array): void;
  /** Ends the client's connection (after what was written has been sent). */
  hangUp(): void;
}

/** GDB's own signal numbers (include/gdb/signals.def), which stop replies carry. */
export const SIG = { INT: 2, ILL: 4, TRAP: 5, FPE: 8, BUS: 10, SEGV: 11, XCPU: 24 } as const;

/** How a run ended for good, as gdb is told: exited with a status, or stopped by a signal. */
export type FinalStop = { exited: number } | { signal: number; message?: string };

/** The signal a fault is reported as. */
export function signalForFault(kind: FaultKind): number {
  switch (kind) {
    case 'undefined':
    case 'no-cas':
    case 'nocp':
    case 'invstate':
    case 'bad-exc-return':
    case 'svc-escalated':
      return SIG.ILL;
    case 'divbyzero':
      return SIG.FPE;
    case 'unaligned':
      return SIG.BUS;
    case 'bkpt':
      return SIG.TRAP;
    default:
      return SIG.SEGV;
  }
}

/**
 * A broken rule as a stop: a rule that trapped an access or a fault stops at the instruction
 * (SIGSEGV, or the fault's signal); a check the host made between calls (blocks, contents,
 * leak), or a call past its budget, is SIGTRAP: nothing went wrong in the instruction itself.
 */
export function stopForViolation(v: { rule: string; message: string; fault?: FaultKind }): FinalStop {
  const message = `sramlab: ${v.rule}: ${v.message}`;
  if (v.rule === 'containment' || v.rule === 'stack') return { signal: SIG.SEGV, message };
  if (v.rule === 'faults') return { signal: v.fault ? signalForFault(v.fault) : SIG.SEGV, message };
  return { signal: SIG.TRAP, message };
}

/** How a whole-firmware run (sramlab exec) ended, as gdb is told. */
export function stopForRun(r: RunResult): FinalStop {
  switch (r.stop) {
    case 'exit':
      return { exited: r.exitCode ?? 0 };
    case 'returned':
      return { exited: 0 };
    case 'fault':
    case 'lockup': {
      const f = r.faults[r.faults.length - 1];
      return f ? { signal: signalForFault(r.faults[0].kind), message: `sramlab: ${f.message}` } : { signal: SIG.SEGV };
    }
    case 'budget':
      return { signal: SIG.XCPU, message: 'sramlab: the cycle budget ran out' };
    case 'sleep':
      return { signal: SIG.TRAP, message: 'sramlab: the core sleeps (WFI/WFE) with nothing left that could wake it' };
    case 'halt':
      return { signal: SIG.TRAP };
  }
}

/** Thrown out of the run when gdb kills the target ('k'); the command ends with exit status 1. */
export class GdbKilled extends Error {
  override name = 'GdbKilled';
  constructor() {
    super('killed from gdb');
  }
}

/** Largest packet gdb may send us (and our replies stay below it): 16 KiB of payload. */
export const PACKET_SIZE = 0x4000;

interface Watchpoint {
  type: 2 | 3 | 4;
  address: number;
  length: number;
}
const WATCH_NAME = { 2: 'watch', 3: 'rwatch', 4: 'awatch' } as const;

type Action = { reply: string | Uint8Array } | { resume: 'continue' | 'step' } | { detach: true } | { kill: true };

export class GdbStub {
  private readonly regs: RegDef[];
  private readonly xml: Uint8Array;
  private readonly reader = new PacketReader();
  private readonly queue: Incoming[] = [];
  private noAck = false;
  private lastPacket: Uint8Array | null = null;
  /** 'idle': no client yet; 'stopped': serving packets; 'running': executing for a c or s. */
  private state: 'idle' | 'stopped' | 'running' | 'detached' = 'idle';
  private stepping = false;
  /** Where execution resumed: the hook's first call there is the resumption, not a new stop. */
  private resumePC = -1;
  private resumeInstructions = -1;
  private lastStop = 'S05';
  private faultsSeen = 0;
  readonly breakpoints = new Set<number>();
  private readonly watchpoints: Watchpoint[] = [];
  private watchHit: { w: Watchpoint; address: number } | null = null;
  /** While watchpoints are set: the core's state before the current instruction, and what its stores overwrote. */
  private before: CoreState | null = null;
  private undo: { address: number; bytes: Uint8Array }[] = [];
  private watchInstalled = false;
  private readonly hook = (): void => this.beforeInstruction();
  private readonly watchChecker: Checker = (_pc, address, size, kind) => this.onAccess(address, size, kind);

  constructor(
    readonly machine: Machine,
    private readonly transport: Transport,
  ) {
    this.regs = registersFor(machine.profile.arch);
    this.xml = textBytes(targetXml(machine.profile.arch));
  }

  /** True once gdb detached or went away: the run goes on as if no debugger had been there. */
  get detached(): boolean {
    return this.state === 'detached';
  }

  /**
   * Waits for gdb to connect and serves it with the machine stopped where it is now (SIGTRAP)
   * until gdb continues, steps or detaches. Call it before running the firmware or scenario.
   */
  start(): void {
    if (this.state !== 'idle') return;
    // The hook goes in only now: a stub that only ever finish()es costs the run nothing.
    this.machine.cpu.onInstruction = this.hook;
    this.faultsSeen = this.machine.cpu.faults.length;
    this.transport.accept();
    this.state = 'stopped';
    this.lastStop = this.stopReply(SIG.TRAP);
    this.serve();
  }

  /**
   * The run is over (the firmware exited or faulted, or a rule broke): tell gdb, and serve it
   * with the machine as it was left until gdb goes away. A client that was never connected is
   * waited for, so `--gdb` on a failing check stops where the rule broke. Resuming from here is
   * impossible: gdb is told the program terminated with the stop's signal.
   */
  finish(stop: FinalStop): void {
    if (this.state === 'detached') return;
    this.uninstall();
    if (this.state === 'idle') {
      this.transport.accept();
      this.state = 'stopped';
    }
    const waiting = this.state === 'running';
    this.state = 'stopped';
    if ('exited' in stop) {
      if (waiting) this.send(`W${hex8(stop.exited & 0xff)}`);
      else {
        this.lastStop = `W${hex8(stop.exited & 0xff)}`;
        this.serveFinal(`W${hex8(stop.exited & 0xff)}`);
        return;
      }
      this.close();
      return;
    }
    if (waiting && stop.message) this.console(`${stop.message}\n`);
    this.lastStop = this.stopReply(stop.signal);
    if (waiting) this.send(this.lastStop);
    this.serveFinal(`X${hex8(stop.signal)}`);
  }

  /** Stops debugging: removes the hooks and lets the client go. */
  detach(): void {
    if (this.state === 'detached') return;
    this.uninstall();
    this.close();
  }

  // ---- where execution stops -----------------------------------------------------------------

  private beforeInstruction(): void {
    if (this.state !== 'running') return;
    const cpu = this.machine.cpu;
    const incoming = this.transport.poll();
    if (incoming === null) {
      this.detach();
      return;
    }
    if (incoming.length > 0) {
      this.queue.push(...this.reader.feed(incoming));
      const k = this.queue.findIndex((e) => e.type === 'interrupt');
      if (k >= 0) {
        this.queue.splice(k, 1);
        this.stop(SIG.INT);
        return;
      }
    }
    if (this.watchHit !== null) {
      const { w, address } = this.watchHit;
      this.watchHit = null;
      this.rollBack();
      this.stop(SIG.TRAP, `${WATCH_NAME[w.type]}:${address.toString(16)};`);
      return;
    }
    if (this.watchpoints.length > 0) {
      this.before = saveCore(cpu);
      this.undo.length = 0;
    }
    if (cpu.faults.length > this.faultsSeen) {
      // 'vector' mode: the fault was taken as an exception; stop at the handler's first instruction.
      const f = cpu.faults[cpu.faults.length - 1];
      this.faultsSeen = cpu.faults.length;
      this.console(`sramlab: ${f.message}${f.exception ? ` (taken as ${f.exception})` : ''}\n`);
      this.stop(signalForFault(f.kind));
      return;
    }
    if (cpu.pc === this.resumePC && cpu.instructions === this.resumeInstructions) return;
    if (this.stepping || this.breakpoints.has(cpu.pc)) this.stop(SIG.TRAP);
  }

  private onAccess(address: number, size: number, kind: 'fetch' | 'load' | 'store'): void {
    if (this.state !== 'running') return;
    if (kind === 'store' && this.before !== null) {
      // The checker runs before the store lands: keep what it overwrites, to undo it.
      this.undo.push(
        this.readable(address) >= size ? { address, bytes: this.machine.bus.peek(address, size) } : { address, bytes: new Uint8Array(0) },
      );
    }
    if (this.watchHit !== null) return;
    for (const w of this.watchpoints) {
      if (address >= w.address + w.length || w.address >= address + size) continue;
      if (kind === 'store' ? w.type === 3 : w.type === 2) continue;
      // gdb matches the reported address against its watchpoints: report one inside this one.
      this.watchHit = { w, address: Math.max(address, w.address) >>> 0 };
      return;
    }
  }

  /**
   * gdb on ARM takes a watchpoint to stop before the access (it then steps the instruction
   * itself and compares values), so the instruction that hit one is undone: its stores and
   * registers put back. Not when it also entered or left an exception, or stored to a device;
   * then the stop is reported after it, one instruction late.
   */
  private rollBack(): void {
    const cpu = this.machine.cpu,
      s = this.before;
    this.before = null;
    if (s === null || s.ipsr !== cpu.ipsr || s.faults !== cpu.faults.length) return;
    if (this.undo.some((u) => u.bytes.length === 0)) return;
    for (let k = this.undo.length - 1; k >= 0; k--) this.machine.bus.load(this.undo[k].address, this.undo[k].bytes);
    this.undo.length = 0;
    restoreCore(cpu, s);
  }

  private stop(signal: number, extra = ''): void {
    this.state = 'stopped';
    this.stepping = false;
    this.lastStop = this.stopReply(signal, extra);
    this.send(this.lastStop);
    this.serve();
  }

  /** T stop reply with pc, sp, lr and r7 (Thumb's frame pointer) expedited, so gdb need not ask. */
  private stopReply(signal: number, extra = ''): string {
    const cpu = this.machine.cpu;
    const r = (n: number, v: number) => `${hex8(n)}:${word32Hex(v)};`;
    return `T${hex8(signal)}${extra}${r(15, cpu.pc)}${r(13, cpu.sp)}${r(14, cpu.r[14])}${r(7, cpu.r[7])}thread:1;`;
  }

  // ---- serving packets -------------------------------------------------------------------------

  /** Serves packets while stopped; returns when gdb resumes, detaches or goes away. */
  private serve(): void {
    for (;;) {
      const e = this.next();
      if (e === null) {
        this.detach();
        return;
      }
      if (e.type === 'nak') {
        if (this.lastPacket) this.transport.write(this.lastPacket);
        continue;
      }
      if (e.type === 'bad-checksum') {
        if (!this.noAck) this.transport.write(textBytes('-'));
        continue;
      }
      if (e.type !== 'packet') continue; // acks; an interrupt while stopped changes nothing
      if (!this.noAck) this.transport.write(textBytes('+'));
      const a = this.handle(e.payload);
      if ('reply' in a) {
        this.send(a.reply);
        continue;
      }
      if ('kill' in a) {
        this.uninstall();
        this.close();
        throw new GdbKilled();
      }
      if ('detach' in a) {
        this.send('OK');
        this.detach();
        return;
      }
      const cpu = this.machine.cpu;
      this.stepping = a.resume === 'step';
      this.resumePC = cpu.pc;
      this.resumeInstructions = cpu.instructions;
      this.faultsSeen = cpu.faults.length;
      this.state = 'running';
      return;
    }
  }

  /** After the run ended: everything but resuming, which reports the end (W or X) and hangs up. */
  private serveFinal(end: string): void {
    for (;;) {
      const e = this.next();
      if (e === null) break;
      if (e.type === 'nak') {
        if (this.lastPacket) this.transport.write(this.lastPacket);
        continue;
      }
      if (e.type === 'bad-checksum') {
        if (!this.noAck) this.transport.write(textBytes('-'));
        continue;
      }
      if (e.type !== 'packet') continue;
      if (!this.noAck) this.transport.write(textBytes('+'));
      const a = this.handle(e.payload);
      if ('reply' in a) {
        this.send(a.reply);
        continue;
      }
      if ('resume' in a) this.send(end);
      else if ('detach' in a) this.send('OK');
      break;
    }
    this.close();
  }

  private next(): Incoming | null {
    while (this.queue.length === 0) {
      const bytes = this.transport.read();
      if (bytes === null) return null;
      this.queue.push(...this.reader.feed(bytes));
    }
    return this.queue.shift()!;
  }

  private send(payload: string | Uint8Array): void {
    const bytes = typeof payload === 'string' ? textBytes(payload) : payload;
    this.lastPacket = framePacket(bytes);
    this.transport.write(this.lastPacket);
  }

  /** Text for gdb's console: 'O' packets, allowed only while gdb waits for a stop reply. */
  private console(text: string): void {
    this.send(`O${toHex(textBytes(text))}`);
  }

  private close(): void {
    this.state = 'detached';
    this.transport.hangUp();
  }

  private uninstall(): void {
    if (this.machine.cpu.onInstruction === this.hook) this.machine.cpu.onInstruction = null;
    if (this.watchInstalled) {
      this.machine.removeChecker(this.watchChecker);
      this.watchInstalled = false;
    }
    this.breakpoints.clear();
    this.watchpoints.length = 0;
  }

  // ---- one packet ------------------------------------------------------------------------------

  /** The answer to one packet (payload as received, binary data still escaped). */
  handle(payload: Uint8Array): Action {
    const text = bytesText(payload);
    const reply = (r: string | Uint8Array): Action => ({ reply: r });
    switch (text[0]) {
      case '?':
        return reply(this.lastStop);
      case 'g':
        return reply(this.regs.map((r) => word32Hex(this.readReg(r))).join(''));
      case 'G':
        return reply(this.writeAllRegs(text.slice(1)));
      case 'p': {
        const r = this.regs.find((x) => x.regnum === parseInt(text.slice(1), 16));
        return reply(r ? word32Hex(this.readReg(r)) : 'E00');
      }
      case 'P': {
        const m = /^P([0-9a-fA-F]+)=([0-9a-fA-F]{8})$/.exec(text);
        const r = m && this.regs.find((x) => x.regnum === parseInt(m[1], 16));
        if (!m || !r) return reply('E00');
        this.writeReg(r, word32FromHex(m[2])!);
        return reply('OK');
      }
      case 'm':
        return reply(this.readMemory(text.slice(1)));
      case 'M':
        return reply(this.writeMemoryHex(text.slice(1)));
      case 'X':
        return reply(this.writeMemoryBinary(payload));
      case 'c':
      case 's':
      case 'C':
      case 'S': {
        // c/s [addr]; C/S sig[;addr]: the signal is not delivered (there are no signals to deliver).
        const addr = text[0] === 'c' || text[0] === 's' ? text.slice(1) : (text.split(';')[1] ?? '');
        if (addr !== '') this.setPC(parseInt(addr, 16));
        return { resume: text[0].toLowerCase() === 's' ? 'step' : 'continue' };
      }
      case 'Z':
      case 'z':
        return reply(this.breakOrWatch(text));
      case 'D':
        return { detach: true };
      case 'k':
        return { kill: true };
      case 'H':
      case 'T':
        return reply('OK'); // one thread, always alive
      case 'q':
      case 'Q':
        return reply(this.query(text));
      case 'v':
        return this.vPacket(text);
      default:
        return reply('');
    }
  }

  private query(text: string): string {
    if (text.startsWith('qSupported')) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;vContSupported+`;
    }
    if (text === 'QStartNoAckMode') {
      this.noAck = true;
      return 'OK';
    }
    if (text === 'qAttached') return '1';
    if (text === 'qC') return 'QC1';
    if (text === 'qfThreadInfo') return 'm1';
    if (text === 'qsThreadInfo') return 'l';
    const xfer = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(text);
    if (xfer) {
      if (xfer[1] !== 'target.xml') return 'E00';
      const offset = parseInt(xfer[2], 16),
        length = parseInt(xfer[3], 16);
      const chunk = this.xml.subarray(offset, offset + Math.min(length, PACKET_SIZE / 2));
      const more = offset + chunk.length < this.xml.length;
      return bytesText(Uint8Array.of(more ? 0x6d : 0x6c, ...escapeBinary(chunk)));
    }
    return '';
  }

  private vPacket(text: string): Action {
    if (text === 'vCont?') return { reply: 'vCont;c;C;s;S' };
    if (text.startsWith('vCont;')) {
      // One thread: the first action is the one that applies to it.
      const action = text.slice(6).split(';')[0].split(':')[0];
      if (action[0] === 'c' || action[0] === 'C') return { resume: 'continue' };
      if (action[0] === 's' || action[0] === 'S') return { resume: 'step' };
      return { reply: 'E00' };
    }
    if (text.startsWith('vKill')) return { kill: true };
    return { reply: '' };
  }

  // ---- registers ---------------------------------------------------------------------------------

  private readReg(r: RegDef): number {
    const cpu = this.machine.cpu;
    switch (r.name) {
      case 'sp':
        return cpu.sp;
      case 'lr':
        return cpu.r[14];
      case 'pc':
        return cpu.pc;
      case 'xpsr':
        return cpu.xpsr;
      case 'msp':
        return cpu.msp;
      case 'psp':
        return cpu.psp;
      case 'primask':
        return cpu.primask;
      case 'basepri':
        return cpu.basepri;
      case 'faultmask':
        return cpu.faultmask;
      case 'control':
        return cpu.control;
      default:
        return cpu.r[Number(r.name.slice(1))];
    }
  }

  private writeReg(r: RegDef, v: number): void {
    const cpu = this.machine.cpu;
    switch (r.name) {
      case 'sp':
        cpu.setSP(v);
        break;
      case 'lr':
        cpu.r[14] = v | 0;
        break;
      case 'pc':
        this.setPC(v);
        break;
      // The flags and the Thumb bit; IPSR and ITSTATE follow execution and are not written.
      case 'xpsr':
        cpu.apsr = v;
        cpu.setThumbBit((v >>> 24) & 1);
        break;
      case 'msp':
        cpu.msp = v;
        break;
      case 'psp':
        cpu.psp = v;
        break;
      case 'primask':
        cpu.primask = v & 1;
        break;
      case 'basepri':
        cpu.basepri = v & 0xff;
        break;
      case 'faultmask':
        cpu.faultmask = v & 1;
        break;
      case 'control':
        cpu.setSpsel((v >>> 1) & 1);
        if (this.machine.profile.arch !== 'v6m') cpu.control = (cpu.control & ~1) | (v & 1);
        break;
      default:
        cpu.r[Number(r.name.slice(1))] = v | 0;
    }
    cpu.recheck();
  }

  private setPC(v: number): void {
    const cpu = this.machine.cpu;
    cpu.pc = cpu.npc = (v & ~1) >>> 0;
  }

  private writeAllRegs(hex: string): string {
    if (hex.length < this.regs.length * 8) return 'E00';
    this.regs.forEach((r, i) => {
      const v = word32FromHex(hex.slice(8 * i, 8 * i + 8));
      if (v !== null) this.writeReg(r, v);
    });
    return 'OK';
  }

  // ---- memory ----------------------------------------------------------------------------------

  /** How many bytes from address on are flash or SRAM (the host can read those without side effects). */
  private readable(address: number): number {
    const bus = this.machine.bus;
    if (address < bus.flashSize) return bus.flashSize - address;
    const o = address - SRAM_BASE;
    if (o >= 0 && o < bus.sramSize) return bus.sramSize - o;
    return 0;
  }

  /** m addr,length: the readable prefix of the range (gdb accepts a short read), E01 if none. */
  private readMemory(args: string): string {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(args);
    if (!m) return 'E00';
    const address = parseInt(m[1], 16) >>> 0,
      length = Math.min(parseInt(m[2], 16), PACKET_SIZE / 2 - 8);
    const n = Math.min(length, this.readable(address));
    if (length === 0) return '';
    if (n === 0) return 'E01';
    return toHex(this.machine.bus.peek(address, n));
  }

  private writeMemoryHex(args: string): string {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(args);
    const data = m && fromHex(m[3]);
    if (!m || !data || data.length !== parseInt(m[2], 16)) return 'E00';
    return this.writeMemory(parseInt(m[1], 16) >>> 0, data);
  }

  /** X addr,length:binary. */
  private writeMemoryBinary(payload: Uint8Array): string {
    const colon = payload.indexOf(0x3a);
    const m = colon > 0 ? /^X([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(bytesText(payload.subarray(0, colon))) : null;
    if (!m) return 'E00';
    const data = unescapeBinary(payload.subarray(colon + 1));
    if (data.length !== parseInt(m[2], 16)) return 'E00';
    return this.writeMemory(parseInt(m[1], 16) >>> 0, data);
  }

  private writeMemory(address: number, data: Uint8Array): string {
    if (data.length === 0) return 'OK'; // gdb probes for X support with an empty write
    if (this.readable(address) < data.length) return 'E01';
    this.machine.bus.load(address, data); // flash too: gdb's `load` writes the image there
    return 'OK';
  }

  // ---- breakpoints and watchpoints -------------------------------------------------------------

  private breakOrWatch(text: string): string {
    const m = /^([Zz])([0-4]),([0-9a-fA-F]+),([0-9a-fA-F]+)/.exec(text);
    if (!m) return 'E00';
    const insert = m[1] === 'Z',
      type = Number(m[2]),
      address = parseInt(m[3], 16) >>> 0,
      kind = parseInt(m[4], 16);
    if (type <= 1) {
      // Software and hardware breakpoints are the same thing here: an address the hook compares.
      if (insert) this.breakpoints.add((address & ~1) >>> 0);
      else this.breakpoints.delete((address & ~1) >>> 0);
      return 'OK';
    }
    const k = this.watchpoints.findIndex((w) => w.type === type && w.address === address && w.length === kind);
    if (insert && k < 0) this.watchpoints.push({ type: type as 2 | 3 | 4, address, length: Math.max(kind, 1) });
    if (!insert && k >= 0) this.watchpoints.splice(k, 1);
    const want = this.watchpoints.length > 0;
    if (want && !this.watchInstalled) this.machine.addChecker(this.watchChecker);
    if (!want && this.watchInstalled) this.machine.removeChecker(this.watchChecker);
    this.watchInstalled = want;
    return 'OK';
  }
}

/** The core state one instruction can change (what rollBack puts back). */
interface CoreState {
  r: Int32Array;
  pc: number;
  flags: number[];
  tbit: number;
  ipsr: number;
  itstate: number;
  primask: number;
  basepri: number;
  faultmask: number;
  control: number;
  otherSP: number;
  eventRegister: number;
  exclusiveAddress: number;
  exclusiveSize: number;
  cycles: number;
  instructions: number;
  lastSingleAccess: number;
  faults: number;
}

function saveCore(c: Cpu): CoreState {
  return {
    r: c.r.slice(),
    pc: c.pc,
    flags: [c.fN, c.fZ, c.fC, c.fV, c.fQ, c.ge],
    tbit: c.tbit,
    ipsr: c.ipsr,
    itstate: c.itstate,
    primask: c.primask,
    basepri: c.basepri,
    faultmask: c.faultmask,
    control: c.control,
    otherSP: c.otherSP,
    eventRegister: c.eventRegister,
    exclusiveAddress: c.exclusiveAddress,
    exclusiveSize: c.exclusiveSize,
    cycles: c.cycles,
    instructions: c.instructions,
    lastSingleAccess: c.lastSingleAccess,
    faults: c.faults.length,
  };
}

function restoreCore(c: Cpu, s: CoreState): void {
  c.r.set(s.r);
  c.pc = c.npc = s.pc;
  [c.fN, c.fZ, c.fC, c.fV, c.fQ, c.ge] = s.flags;
  c.tbit = s.tbit;
  c.itstate = s.itstate;
  c.primask = s.primask;
  c.basepri = s.basepri;
  c.faultmask = s.faultmask;
  c.control = s.control;
  c.otherSP = s.otherSP;
  c.eventRegister = s.eventRegister;
  c.exclusiveAddress = s.exclusiveAddress;
  c.exclusiveSize = s.exclusiveSize;
  c.cycles = s.cycles;
  c.instructions = s.instructions;
  c.lastSingleAccess = s.lastSingleAccess;
  c.recheck();
}

function hex8(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

export { INTERRUPT };
