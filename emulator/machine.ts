// A whole microcontroller: the core, its bus with flash, SRAM and the System Control Space,
// an ELF image, and the two ways the host drives it: run from reset (`sramlab exec`) and call
// one function and wait for it to return (the host-call ABI the scenarios use).

import { Bus, type Checker } from './bus.ts';
import { Cpu, RETURN_TRAP, type StopReason } from './cpu.ts';
import { Dwt } from './dwt.ts';
import { checkSegmentsFit, type ElfImage, parseElf } from './elf.ts';
import type { FaultReport } from './fault.ts';
import { DWT_BASE, FLASH_BASE, SCS_BASE, SCS_SIZE, SRAM_BASE } from './memory-map.ts';
import type { Profile } from './profiles.ts';
import { Scs } from './scs.ts';
import { semihostingCall } from './semihosting.ts';
import { SymbolTable } from './symbols.ts';

export interface RunResult {
  stop: StopReason;
  /** The firmware's exit status, when it exited through semihosting. */
  exitCode?: number;
  /** The first fault of the run (a run in 'vector' mode may survive several: see faults). */
  fault?: FaultReport;
  faults: FaultReport[];
  cycles: number;
  instructions: number;
}

export interface CallResult extends RunResult {
  /** r0 on return. */
  r0: number;
  /** Lowest SP reached during the call, and the stack bytes used below the SP at entry. */
  minSP: number;
  stackBytes: number;
}

export interface CallOptions {
  /** Cycle budget; the call stops with stop = 'budget' when it runs out. */
  maxCycles?: number;
  /** Stack pointer at entry (default: the current SP). */
  sp?: number;
}

export const DEFAULT_CALL_BUDGET = 10_000_000;

export class Machine {
  readonly profile: Profile;
  readonly bus: Bus;
  readonly cpu: Cpu;
  readonly scs: Scs;
  readonly dwt: Dwt | null = null;
  image: ElfImage | null = null;
  symbols: SymbolTable | null = null;
  /** Serve BKPT 0xAB as ARM semihosting. */
  semihosting = false;
  /** Where semihosting output goes. */
  onOutput: (text: string, stream: 'stdout' | 'stderr') => void = (t, s) => {
    (s === 'stderr' ? process.stderr : process.stdout).write(t);
  };
  private exitCode: number | undefined;

  /** shareMemoryWith: the machine of the other core of a two-core chip (emulator/dual.ts). */
  constructor(profile: Profile, shareMemoryWith?: Machine) {
    this.profile = profile;
    this.bus = new Bus(profile, shareMemoryWith?.bus);
    this.cpu = new Cpu(profile, this.bus);
    this.scs = new Scs(this.cpu);
    this.bus.mapDevice(SCS_BASE, SCS_SIZE, this.scs);
    if (profile.hasConfigurableFaults) {
      const dwt = new Dwt(this.cpu, this.scs);
      this.dwt = dwt;
      this.scs.onDemcrChange = () => dwt.sync();
      this.bus.mapDevice(DWT_BASE, 0x1000, dwt);
    }
    this.cpu.onBkpt = (imm) =>
      this.semihosting &&
      semihostingCall(this.cpu, imm, {
        output: (t, s) => this.onOutput(t, s),
        exit: (status) => {
          this.exitCode = status;
          this.cpu.halt('exit');
        },
      });
    this.cpu.describePC = (pc) => this.describe(pc);
  }

  /** The memory regions an image may be loaded into. */
  get regions(): { name: string; base: number; size: number }[] {
    return [
      { name: 'flash', base: FLASH_BASE, size: this.profile.flashSize },
      { name: 'sram', base: SRAM_BASE, size: this.profile.sramSize },
    ];
  }

  /** Parses an ELF and copies its loadable segments into flash and SRAM (throws ElfError). */
  loadElf(bytes: Uint8Array): ElfImage {
    const image = parseElf(bytes);
    checkSegmentsFit(image, this.regions);
    for (const seg of image.segments) {
      if (seg.fileSize > 0) this.bus.load(seg.paddr, seg.data.subarray(0, seg.fileSize));
    }
    this.image = image;
    this.symbols = new SymbolTable(image.symbols);
    return image;
  }

  /** Address of a symbol in the loaded image (Thumb bit cleared for functions), or undefined. */
  symbol(name: string): number | undefined {
    return this.symbols?.address(name);
  }

  /** "sl_alloc+0x1c" and "alloc.c:42" for a PC, as far as the image tells. */
  describe(pc: number): { symbol?: string; source?: string } {
    const out: { symbol?: string; source?: string } = {};
    const s = this.symbols?.lookup(pc);
    if (s) out.symbol = s.offset ? `${s.name}+0x${s.offset.toString(16)}` : s.name;
    const line = this.image?.lines?.lineFor(pc);
    if (line) out.source = `${line.file}:${line.line}`;
    return out;
  }

  addChecker(c: Checker): void {
    this.bus.addChecker(c);
  }
  removeChecker(c: Checker): void {
    this.bus.removeChecker(c);
  }

  /** Reset from the vector table at address 0. */
  reset(): void {
    this.exitCode = undefined;
    this.scs.reset();
    this.dwt?.reset();
    this.cpu.reset();
  }

  /** Runs from the current state (after reset(): the whole firmware) until it stops. */
  run(opts: { maxCycles?: number } = {}): RunResult {
    const c0 = this.cpu.cycles,
      i0 = this.cpu.instructions,
      f0 = this.cpu.faults.length;
    const stop = this.cpu.run(opts.maxCycles ?? Infinity);
    return this.result(stop, c0, i0, f0);
  }

  /** Calls a function by symbol or address with up to four arguments and runs until it returns. */
  call(target: string | number, args: number[] = [], opts: CallOptions = {}): CallResult {
    const cpu = this.cpu;
    const addr = typeof target === 'number' ? target : this.symbol(target);
    if (addr === undefined) throw new Error(`no symbol '${String(target)}' in the image`);
    if (args.length > 4) throw new Error('host calls take at most four arguments (r0–r3)');
    if (cpu.ipsr !== 0) throw new Error('host calls start in Thread mode; the core is in an exception handler');
    for (let k = 0; k < 4; k++) cpu.r[k] = args[k] ?? 0;
    if (opts.sp !== undefined) cpu.setSP(opts.sp);
    const sp0 = cpu.sp;
    cpu.r[14] = RETURN_TRAP | 1;
    cpu.pc = (addr & ~1) >>> 0;
    cpu.tbit = 1;
    cpu.resetMinSP();
    const c0 = cpu.cycles,
      i0 = cpu.instructions,
      f0 = cpu.faults.length;
    const stop = cpu.run(opts.maxCycles ?? DEFAULT_CALL_BUDGET);
    return {
      ...this.result(stop, c0, i0, f0),
      r0: cpu.r[0] >>> 0,
      minSP: cpu.minSP,
      stackBytes: Math.max(0, sp0 - cpu.minSP),
    };
  }

  private result(stop: StopReason, c0: number, i0: number, f0: number): RunResult {
    const faults = this.cpu.faults.slice(f0);
    const r: RunResult = { stop, faults, cycles: this.cpu.cycles - c0, instructions: this.cpu.instructions - i0 };
    if (faults.length) r.fault = faults[0];
    if (stop === 'exit') r.exitCode = this.exitCode;
    return r;
  }
}
