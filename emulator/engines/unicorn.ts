// The reference engine: Debian's Unicorn 2.0.x (libunicorn.so.2) behind the Engine interface,
// bound through koffi, which is an optional dependency loaded only when this engine is opened.
//
// What Unicorn is and is not (measured on 2.0.1 with the models opened here):
// - It is QEMU's Thumb decoder and executor for the Cortex-M0, M3 and M4 models. There is no
//   Cortex-M0+ model; the M0 stands in for it (same ARMv6-M instruction set).
// - It has no System Control Space: no NVIC, SCB or SysTick (0xE000E000 is unmapped here),
//   and it never takes an exception. SVC and BKPT reach only the interrupt hook, UNDEFINED
//   stops with UC_ERR_INSN_INVALID (M0) or the UDEF/NOCP/INVSTATE exceptions (M3, M4), and
//   memory errors stop with UC_ERR_*_UNMAPPED/_PROT. Exception entry, stacking and EXC_RETURN
//   are therefore not comparable against it.
// - Its local exclusive monitor is not a register: setState clears it by running a CLREX
//   after an exclusive load, as sramlab's engine clears its own.
// - A step is one uc_emu_start with `until` at the next instruction (see step): inside an IT
//   block Unicorn counts no instructions, and an access to unmapped memory there lets the
//   instruction run on with a dummy value, which step takes back.
// - It must be opened with UC_MODE_THUMB alone: with UC_MODE_MCLASS it silently runs a
//   Cortex-M33 whatever model is set. The model is set with uc_ctl and read back.
// - It is QEMU 5.0's view of the architecture, wrong in a few places (the M0 model runs IT,
//   CBZ/CBNZ and SETEND, which ARMv6-M makes UNDEFINED; SP keeps bits [1:0]; the M3 runs
//   unaligned LDM and some DSP instructions; the M4 has an FPU; BASEPRI keeps 8 bits; …):
//   KNOWN_DEVIATIONS in conformance/generate.ts lists each with the ARM ARM's reason.

import type { CpuState, Engine, StepResult } from '../engine.ts';
import type { AccessKind, FaultKind, FaultReport } from '../fault.ts';
import { FLASH_BASE, SRAM_BASE } from '../memory-map.ts';
import type { Profile } from '../profiles.ts';

// Constants from unicorn.h / arm.h of Unicorn 2.0.1 (checked against the installed headers).
const UC_ARCH_ARM = 1;
const UC_MODE_THUMB = 1 << 4;
const UC_PROT_READ = 1,
  UC_PROT_WRITE = 2,
  UC_PROT_EXEC = 4;
const UC_HOOK_INTR = 1 << 0;
const UC_HOOK_MEM_INVALID = 0x3f0; // READ/WRITE/FETCH × UNMAPPED/PROT
/** UC_CTL(type, nr, rw) = type | nr << 26 | rw << 30; rw: 1 write, 2 read. */
const ctl = (type: number, nargs: number, rw: number): number => (type | (nargs << 26) | (rw << 30)) >>> 0;
const UC_CTL_CPU_MODEL = 7,
  UC_CTL_TB_REMOVE_CACHE = 9,
  UC_CTL_TB_FLUSH = 10;
const CTL_SET_MODEL = ctl(UC_CTL_CPU_MODEL, 1, 1);
const CTL_GET_MODEL = ctl(UC_CTL_CPU_MODEL, 1, 2);
const CTL_REMOVE_CACHE = ctl(UC_CTL_TB_REMOVE_CACHE, 2, 1);
const CTL_FLUSH = ctl(UC_CTL_TB_FLUSH, 0, 1);

const UC_CPU_ARM_CORTEX_M0 = 7,
  UC_CPU_ARM_CORTEX_M3 = 8,
  UC_CPU_ARM_CORTEX_M4 = 9;

const REG_LR = 10,
  REG_PC = 11,
  REG_SP = 12,
  REG_R0 = 66;
/** r0–r12, SP, LR, PC. */
const CORE_REGS = [...Array.from({ length: 13 }, (_, k) => REG_R0 + k), REG_SP, REG_LR, REG_PC];
const REG_XPSR = 120,
  REG_APSR_NZCVQG = 129,
  REG_PRIMASK = 123,
  REG_CONTROL = 117;
const XPSR_T = 1 << 24,
  EXC_HARDFAULT = 3,
  CONTROL_NPRIV = 1;

enum UcErr {
  OK = 0,
  READ_UNMAPPED = 6,
  WRITE_UNMAPPED = 7,
  FETCH_UNMAPPED = 8,
  INSN_INVALID = 10,
  WRITE_PROT = 12,
  READ_PROT = 13,
  FETCH_PROT = 14,
  READ_UNALIGNED = 16,
  WRITE_UNALIGNED = 17,
  FETCH_UNALIGNED = 18,
}
/** uc_mem_type values passed to the invalid-memory hook. */
const MEM_ACCESS: Record<number, AccessKind> = { 19: 'load', 20: 'store', 21: 'fetch', 22: 'store', 23: 'load', 24: 'fetch' };
/** QEMU's ARM exception numbers as the interrupt hook sees them. */
const EXCP_UDEF = 1,
  EXCP_SWI = 2,
  EXCP_PREFETCH_ABORT = 3,
  EXCP_DATA_ABORT = 4,
  EXCP_BKPT = 7;
/** M-profile UsageFaults that QEMU raises as exceptions of their own (never seen on the M0 model). */
const EXCP_NOCP = 17,
  EXCP_INVSTATE = 18;
/** `clrex` as bytes, run by setState to open Unicorn's local exclusive monitor. */
const CLREX = new Uint8Array([0xbf, 0xf3, 0x2f, 0x8f]);

/** The handful of koffi calls used here, typed locally so type-checking works without koffi. */
interface Koffi {
  load(path: string): { func(proto: string): (...args: unknown[]) => unknown };
  opaque(name: string): unknown;
  proto(proto: string): unknown;
  pointer(type: unknown): unknown;
  register(fn: (...args: never[]) => unknown, type: unknown): unknown;
  unregister(cb: unknown): void;
}

interface Binding {
  koffi: Koffi;
  intrHook: unknown;
  memHook: unknown;
  open(arch: number, mode: number, out: unknown[]): number;
  close(uc: unknown): number;
  ctl(uc: unknown, control: number, ...args: unknown[]): number;
  memMap(uc: unknown, address: number, size: number, perms: number): number;
  memWrite(uc: unknown, address: number, bytes: Uint8Array, size: number): number;
  memRead(uc: unknown, address: number, bytes: Uint8Array, size: number): number;
  regWrite(uc: unknown, reg: number, value: Uint32Array): number;
  regRead(uc: unknown, reg: number, value: Uint32Array): number;
  emuStart(uc: unknown, begin: number, until: number, timeout: number, count: number): number;
  emuStop(uc: unknown): number;
  hookAdd(uc: unknown, out: unknown[], type: number, cb: unknown, user: null, begin: number, end: number): number;
  strerror(code: number): string;
  version(): number;
}

let binding: Binding | null | undefined;
let unavailable = '';

function libraryName(): string {
  if (process.env.SRAMLAB_LIBUNICORN) return process.env.SRAMLAB_LIBUNICORN;
  if (process.platform === 'darwin') return 'libunicorn.2.dylib';
  if (process.platform === 'win32') return 'unicorn.dll';
  return 'libunicorn.so.2';
}

/** Loads koffi and libunicorn once; on failure remembers a one-line reason. */
function bind(): Binding | null {
  if (binding !== undefined) return binding;
  binding = null;
  let koffi: Koffi;
  // Node's require is reached through process, not imported: emulator/ imports nothing from
  // Node, so the same machine bundles for a web page (where this engine is simply unavailable).
  if (typeof process === 'undefined' || !process.getBuiltinModule) {
    unavailable = 'Unicorn is reached through koffi, which needs Node 20.16 or later';
    return null;
  }
  try {
    koffi = process.getBuiltinModule('node:module').createRequire(import.meta.url)('koffi') as Koffi;
  } catch {
    unavailable = 'the koffi package is not installed (it is an optional dependency: npm install koffi)';
    return null;
  }
  const name = libraryName();
  let lib: ReturnType<Koffi['load']>;
  try {
    lib = koffi.load(name);
  } catch {
    unavailable = `${name} was not found (Debian: apt-get install libunicorn2; or set SRAMLAB_LIBUNICORN)`;
    return null;
  }
  const f = (proto: string) => lib.func(proto);
  koffi.opaque('uc_engine');
  const version = f('uint32_t uc_version(void *major, void *minor)');
  const b: Binding = {
    koffi,
    intrHook: koffi.pointer(koffi.proto('void sramlab_uc_intr(uc_engine *uc, uint32_t intno, void *user)')),
    memHook: koffi.pointer(
      koffi.proto('bool sramlab_uc_mem(uc_engine *uc, int type, uint64_t address, int size, int64_t value, void *user)'),
    ),
    open: f('int uc_open(int arch, int mode, _Out_ uc_engine **uc)') as Binding['open'],
    close: f('int uc_close(uc_engine *uc)') as Binding['close'],
    ctl: f('int uc_ctl(uc_engine *uc, uint32_t control, ...)') as Binding['ctl'],
    memMap: f('int uc_mem_map(uc_engine *uc, uint64_t address, size_t size, uint32_t perms)') as Binding['memMap'],
    memWrite: f('int uc_mem_write(uc_engine *uc, uint64_t address, const void *bytes, size_t size)') as Binding['memWrite'],
    memRead: f('int uc_mem_read(uc_engine *uc, uint64_t address, void *bytes, size_t size)') as Binding['memRead'],
    regWrite: f('int uc_reg_write(uc_engine *uc, int regid, const void *value)') as Binding['regWrite'],
    regRead: f('int uc_reg_read(uc_engine *uc, int regid, void *value)') as Binding['regRead'],
    emuStart: f('int uc_emu_start(uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)') as Binding['emuStart'],
    emuStop: f('int uc_emu_stop(uc_engine *uc)') as Binding['emuStop'],
    hookAdd: f(
      'int uc_hook_add(uc_engine *uc, _Out_ size_t *hh, int type, void *cb, void *user, uint64_t begin, uint64_t end, ...)',
    ) as Binding['hookAdd'],
    strerror: f('const char *uc_strerror(int code)') as Binding['strerror'],
    version: () => version(null, null) as number,
  };
  const major = b.version() >>> 24;
  if (major !== 2) {
    unavailable = `${name} is Unicorn ${major}.x; sramlab needs Unicorn 2`;
    return null;
  }
  binding = b;
  return b;
}

/** True when koffi and libunicorn 2 can be loaded. */
export function unicornAvailable(): boolean {
  return bind() !== null;
}

/** Why the reference cannot be used, in one line ('' when it can). */
export function unicornUnavailableReason(): string {
  bind();
  return unavailable;
}

/** The Unicorn CPU model for a profile: the M0 model serves both ARMv6-M profiles. */
function unicornModel(profile: Profile): number {
  switch (profile.arch) {
    case 'v6m':
      return UC_CPU_ARM_CORTEX_M0;
    case 'v7m':
      return UC_CPU_ARM_CORTEX_M3;
    case 'v7em':
      return UC_CPU_ARM_CORTEX_M4;
  }
}

/** The reference engine: the Engine interface, plus a full-speed call for benchmarks. */
export interface UnicornEngine extends Engine {
  /**
   * Steps until the PC reaches `end`, a step stops, or `maxInstructions` steps have run, and
   * reports the last step: for IT blocks and other short programs.
   */
  runTo(end: number, maxInstructions: number): StepResult;
  /**
   * Runs the function at `entry` with SP = `sp` until it returns (LR is a return trap) and
   * gives back r0. No per-instruction stepping, so it runs at Unicorn's full speed; a budget
   * of 2^32 instructions or more means no budget. Throws if the function faults, executes
   * SVC/BKPT/UNDEFINED, or does not return within the budget.
   */
  callFunction(entry: number, sp: number, maxInstructions: number): number;
}

/**
 * Opens a Unicorn CPU for the profile with flash and SRAM mapped as the profile says.
 * Returns null when Unicorn is unavailable (see unicornUnavailableReason); throws when it is
 * there but cannot be made to model the profile.
 */
export function openUnicorn(profile: Profile): UnicornEngine | null {
  const b = bind();
  return b ? new Unicorn(b, profile) : null;
}

const PAGE = 0x1000;
/** Where callFunction's LR points: unmapped, so reaching it can only mean the function returned. */
const RETURN_TRAP = 0xdeadbeee;

class Unicorn implements UnicornEngine {
  readonly name = 'unicorn';
  private uc: unknown = null;
  private readonly reg = new Uint32Array(1);
  private readonly callbacks: unknown[] = [];
  /** Set by the hooks during one step. */
  private intno = -1;
  private memEvent: { type: number; address: number; size: number } | null = null;
  /** Whether the translated code carries Unicorn's instruction-counting hook (see run). */
  private counted = false;
  /** Whether an exclusive load may have left the local monitor in Exclusive Access state. */
  private monitorMayBeOpen = false;
  private readonly insnBytes = new Uint8Array(4);
  /** r0–r15 and XPSR before the current step (see step). */
  private readonly saved = new Uint32Array(17);

  constructor(
    private readonly b: Binding,
    readonly profile: Profile,
  ) {
    for (const [what, size] of [
      ['flash', profile.flashSize],
      ['SRAM', profile.sramSize],
    ] as const) {
      if (size % PAGE) throw new Error(`Unicorn maps whole 4 KiB pages: ${what} size ${size} is not a multiple of 4096`);
    }
    const out: unknown[] = [null];
    this.check(b.open(UC_ARCH_ARM, UC_MODE_THUMB, out), 'uc_open');
    this.uc = out[0];
    try {
      this.setModel(unicornModel(profile));
      this.check(b.memMap(this.uc, FLASH_BASE, profile.flashSize, UC_PROT_READ | UC_PROT_EXEC), 'map flash');
      this.check(b.memMap(this.uc, SRAM_BASE, profile.sramSize, UC_PROT_READ | UC_PROT_WRITE | UC_PROT_EXEC), 'map SRAM');
      this.addHooks();
      this.selfTest();
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private check(err: number, what: string): void {
    if (err !== UcErr.OK) throw new Error(`unicorn: ${what} failed: ${this.b.strerror(err)}`);
  }

  private setModel(model: number): void {
    this.check(this.b.ctl(this.uc, CTL_SET_MODEL, 'int', model), 'set CPU model');
    const got = new Int32Array(1);
    this.check(this.b.ctl(this.uc, CTL_GET_MODEL, 'int *', got), 'read CPU model');
    if (got[0] !== model) throw new Error(`unicorn: asked for CPU model ${model}, got ${got[0]}; refusing to compare against it`);
  }

  private addHooks(): void {
    const { koffi } = this.b;
    // SVC, BKPT and aborts arrive here; stop at once so the guest never runs a handler.
    const intr = koffi.register((uc: unknown, intno: number) => {
      this.intno = intno;
      this.b.emuStop(uc);
    }, this.b.intrHook);
    // Returning false makes Unicorn stop with the matching UC_ERR_*; keep the address for the report.
    const mem = koffi.register((_uc: unknown, type: number, address: number | bigint, size: number) => {
      this.memEvent = { type, address: Number(address), size };
      return false;
    }, this.b.memHook);
    this.callbacks.push(intr, mem);
    this.check(this.b.hookAdd(this.uc, [0], UC_HOOK_INTR, intr, null, 1, 0), 'add interrupt hook');
    this.check(this.b.hookAdd(this.uc, [0], UC_HOOK_MEM_INVALID, mem, null, 1, 0), 'add memory hook');
  }

  /**
   * Proves the register numbering and the model on the empty machine: `movs r0, #5` must set
   * r0; a 32-bit `mov.w r0, #5` must be UNDEFINED exactly when the profile is ARMv6-M.
   */
  private selfTest(): void {
    const run = (code: number[]): StepResult => {
      this.writeMemory(FLASH_BASE, new Uint8Array(code));
      this.writeReg(REG_R0, 0);
      this.writeReg(REG_PC, FLASH_BASE);
      return this.step();
    };
    const narrow = run([0x05, 0x20]);
    if (narrow.stop !== 'ok' || this.readReg(REG_R0) !== 5 || this.readReg(REG_PC) !== FLASH_BASE + 2) {
      throw new Error('unicorn: self-test `movs r0, #5` failed (register numbering or model is not what sramlab expects)');
    }
    const wide = run([0x4f, 0xf0, 0x05, 0x00]);
    const expect = this.profile.hasThumb2 ? 'ok' : 'undefined';
    if (wide.stop !== expect) {
      throw new Error(`unicorn: self-test: mov.w is '${wide.stop}' on the ${this.profile.name} model, expected '${expect}'`);
    }
    this.writeMemory(FLASH_BASE, new Uint8Array(4));
  }

  private readReg(id: number): number {
    this.b.regRead(this.uc, id, this.reg);
    return this.reg[0];
  }

  private writeReg(id: number, value: number): void {
    this.reg[0] = value >>> 0;
    this.b.regWrite(this.uc, id, this.reg);
  }

  writeMemory(address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.check(this.b.memWrite(this.uc, address, bytes, bytes.length), `write ${bytes.length} bytes at 0x${hex(address)}`);
    // Unicorn 2.0.1 keeps stale translations of rewritten code, so drop them.
    this.check(this.b.ctl(this.uc, CTL_REMOVE_CACHE, 'uint64_t', address, 'uint64_t', address + bytes.length), 'drop translations');
  }

  readMemory(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    if (length) this.check(this.b.memRead(this.uc, address, out, length), `read ${length} bytes at 0x${hex(address)}`);
    return out;
  }

  getState(): CpuState {
    const r: number[] = [];
    for (let k = 0; k < 13; k++) r.push(this.readReg(REG_R0 + k));
    r.push(this.readReg(REG_SP), this.readReg(REG_LR), this.readReg(REG_PC));
    const xpsr = this.readReg(REG_XPSR);
    return {
      r,
      n: (xpsr >>> 31) & 1,
      z: (xpsr >>> 30) & 1,
      c: (xpsr >>> 29) & 1,
      v: (xpsr >>> 28) & 1,
      // Reported as Unicorn holds them, even where the profile has no Q or GE, so that a
      // reference that sets them where it should not shows up in the comparison.
      q: (xpsr >>> 27) & 1,
      ge: (xpsr >>> 16) & 0xf,
      primask: this.readPrimask(),
      control: this.readReg(REG_CONTROL),
    };
  }

  /** Unicorn reads PRIMASK like MRS, as 0 when unprivileged: look from Handler mode then. */
  private readPrimask(): number {
    if ((this.readReg(REG_CONTROL) & CONTROL_NPRIV) === 0) return this.readReg(REG_PRIMASK);
    const xpsr = this.readReg(REG_XPSR);
    this.writeReg(REG_XPSR, (xpsr & ~0x1ff) | EXC_HARDFAULT);
    const primask = this.readReg(REG_PRIMASK);
    this.writeReg(REG_XPSR, xpsr);
    return primask;
  }

  setState(s: CpuState): void {
    // Unicorn writes PRIMASK and CONTROL like MSR does, so unprivileged (CONTROL.nPRIV = 1,
    // ARMv7-M) they are ignored. Become privileged first: in Handler mode (IPSR != 0) clear
    // nPRIV, then back to Thread mode. XPSR is written whole, which also clears the IT bits:
    // the M0 model can stop inside an IT block it should not have run, and CpuState has none.
    this.writeReg(REG_XPSR, XPSR_T | EXC_HARDFAULT);
    // Like sramlab's engine, a new state starts with the local exclusive monitor open.
    if (this.monitorMayBeOpen) this.clearExclusiveMonitor();
    this.writeReg(REG_CONTROL, s.control & ~CONTROL_NPRIV);
    const flags = (s.n << 31) | (s.z << 30) | (s.c << 29) | (s.v << 28) | (s.q << 27) | ((s.ge & 0xf) << 16);
    this.writeReg(REG_XPSR, flags | XPSR_T);
    if (this.profile.hasDsp) this.writeReg(REG_APSR_NZCVQG, flags); // XPSR writes skip GE
    this.writeReg(REG_PRIMASK, s.primask);
    // In Thread mode CONTROL.SPSEL swaps the banked stack pointers; SP is then the selected one.
    this.writeReg(REG_CONTROL, s.control);
    for (let k = 0; k < 13; k++) this.writeReg(REG_R0 + k, s.r[k]);
    this.writeReg(REG_SP, s.r[13]);
    this.writeReg(REG_LR, s.r[14]);
    this.writeReg(REG_PC, (s.r[15] | 1) >>> 0); // bit 0 sets the Thumb state
  }

  /**
   * One instruction: uc_emu_start with `until` at the next instruction (and a count of one,
   * for branches). The `until` keeps Unicorn from translating the random bytes after the
   * instruction (a translation block runs on for dozens of instructions otherwise, which costs
   * ~150 µs against ~13 µs), and is what stops an instruction inside an IT block, where
   * Unicorn counts none.
   */
  step(): StepResult {
    const pc = this.readReg(REG_PC);
    const next = pc + this.widthAt(pc);
    const saved = this.saved;
    for (let i = 0; i < 16; i++) saved[i] = this.readReg(CORE_REGS[i]);
    saved[16] = this.readReg(REG_XPSR);
    // `until` is checked when code is translated: drop translations made for other runs, at
    // the instruction and at `until` (an ISB's jump to the next block would run that one).
    this.b.ctl(this.uc, CTL_REMOVE_CACHE, 'uint64_t', pc, 'uint64_t', next + 2); // nothing to drop is fine too
    const err = this.run(pc, next, 1);
    const r = this.classify(err, pc);
    if (r.stop === 'fault' && this.memEvent !== null && this.readReg(REG_PC) !== pc) {
      // An access that stops on unmapped or protected memory does not stop the instruction:
      // it goes on with a dummy value (and writeback) to `until`. The architecture says a
      // faulting instruction does nothing, so take back what it did to the registers.
      for (let i = 0; i < 16; i++) this.writeReg(CORE_REGS[i], saved[i]);
      this.writeReg(REG_XPSR, saved[16]);
      this.writeReg(REG_PC, pc | 1);
    }
    return r;
  }

  runTo(end: number, maxInstructions: number): StepResult {
    let r: StepResult = { stop: 'ok' };
    for (let k = 0; k < maxInstructions && this.readReg(REG_PC) !== end >>> 0; k++) {
      r = this.step();
      if (r.stop !== 'ok') break;
    }
    return r;
  }

  /**
   * The width in bytes of the instruction at `pc` (2 when it cannot be read). Also notes an
   * exclusive load (LDREX, LDREXB, LDREXH): QEMU keeps the local exclusive monitor outside the
   * registers that Unicorn exposes, so the next setState opens it by running a CLREX (at
   * address 0, whose bytes are put back afterwards).
   */
  private widthAt(pc: number): number {
    if (this.b.memRead(this.uc, pc & ~1, this.insnBytes, 4) !== UcErr.OK) return 2;
    const b = this.insnBytes;
    const hw1 = b[0] | (b[1] << 8),
      hw2 = b[2] | (b[3] << 8);
    const op = hw1 & 0xfff0,
      sz = (hw2 >>> 4) & 0xf;
    if (this.profile.hasExclusives && (op === 0xe850 || (op === 0xe8d0 && (sz === 4 || sz === 5)))) this.monitorMayBeOpen = true;
    return hw1 >>> 11 >= 0b11101 ? 4 : 2;
  }

  private clearExclusiveMonitor(): void {
    const saved = this.readMemory(FLASH_BASE, CLREX.length);
    this.writeMemory(FLASH_BASE, CLREX);
    this.writeReg(REG_PC, FLASH_BASE | 1);
    const err = this.run(FLASH_BASE, FLASH_BASE + CLREX.length, 1);
    this.writeMemory(FLASH_BASE, saved);
    if (err !== UcErr.OK || this.intno >= 0 || this.readReg(REG_PC) !== FLASH_BASE + CLREX.length) {
      throw new Error(`unicorn: clearing the exclusive monitor with CLREX failed (${this.b.strerror(err)}, exception ${this.intno})`);
    }
    this.monitorMayBeOpen = false;
  }

  callFunction(entry: number, sp: number, maxInstructions: number): number {
    this.writeReg(REG_SP, sp);
    this.writeReg(REG_LR, RETURN_TRAP | 1);
    // count = 0 runs without Unicorn's per-instruction counting hook, i.e. at full speed.
    const count = maxInstructions < 2 ** 32 ? Math.max(1, Math.floor(maxInstructions)) : 0;
    const err = this.run(entry, RETURN_TRAP, count);
    const pc = this.readReg(REG_PC);
    // Fetching at the trap stops with FETCH_UNMAPPED (M0 model) or a prefetch abort (M3/M4).
    const fetchStop = this.intno < 0 ? err === UcErr.OK || err === UcErr.FETCH_UNMAPPED : this.intno === EXCP_PREFETCH_ABORT;
    if (pc === RETURN_TRAP && fetchStop) return this.readReg(REG_R0);
    const why =
      this.intno >= 0
        ? `exception ${this.intno}`
        : err !== UcErr.OK
          ? this.b.strerror(err)
          : `ran out of its ${maxInstructions} instructions`;
    throw new Error(`unicorn: the function at 0x${hex(entry)} did not return (${why}, pc 0x${hex(pc)})`);
  }

  /**
   * uc_emu_start, clearing the hooks' notes. Unicorn counts instructions with a hook compiled
   * into translated code: after an uncounted run (count 0) the cached translations lack it and
   * a counted run would overshoot, so they are dropped when switching back.
   */
  private run(begin: number, until: number, count: number): number {
    this.intno = -1;
    this.memEvent = null;
    if (count > 0 && !this.counted) this.check(this.b.ctl(this.uc, CTL_FLUSH), 'flush translations');
    this.counted = count > 0;
    return this.b.emuStart(this.uc, (begin | 1) >>> 0, until, 0, count);
  }

  /** Turns Unicorn's error code and the hooks' notes into sramlab's stop kinds. */
  private classify(err: number, pc: number): StepResult {
    // Unicorn translates the next instruction before it counts the current one as done, so a
    // branch to unmapped memory or to an even address (Thumb bit clear) stops with an error
    // (or a prefetch abort) after the branch retired; WFE and YIELD also stop with
    // INSN_INVALID past themselves. The instruction under test did its work then: the next
    // step() would fault, not this one.
    const retired = this.readReg(REG_PC) !== pc || (this.readReg(REG_XPSR) & XPSR_T) === 0;
    if (this.intno >= 0) return this.classifyInterrupt(this.intno, pc, retired);
    switch (err) {
      case UcErr.OK:
        return { stop: 'ok' };
      case UcErr.INSN_INVALID:
        return retired ? { stop: 'ok' } : { stop: 'undefined', fault: this.report('undefined', pc, 'UNDEFINED instruction') };
      case UcErr.FETCH_UNMAPPED:
      case UcErr.FETCH_PROT:
        return retired ? { stop: 'ok' } : this.memFault('exec-never', pc);
      case UcErr.READ_UNMAPPED:
      case UcErr.WRITE_UNMAPPED:
        return this.memFault('unmapped', pc);
      case UcErr.WRITE_PROT:
        return this.memFault(this.inFlash(this.memEvent?.address) ? 'flash-write' : 'unmapped', pc);
      case UcErr.READ_PROT:
        return this.memFault('unmapped', pc);
      case UcErr.READ_UNALIGNED:
      case UcErr.WRITE_UNALIGNED:
      case UcErr.FETCH_UNALIGNED:
        return this.memFault('unaligned', pc);
      default:
        throw new Error(`unicorn: step at 0x${hex(pc)} failed: ${this.b.strerror(err)}`);
    }
  }

  private classifyInterrupt(intno: number, pc: number, retired: boolean): StepResult {
    switch (intno) {
      // UsageFaults that QEMU's ARMv7-M models raise: UNDEFINSTR, NOCP (coprocessor
      // instructions with no coprocessor) and INVSTATE (executing with EPSR.T = 0). sramlab
      // reports all three as 'undefined'; the M0 model stops with INSN_INVALID instead.
      case EXCP_UDEF:
      case EXCP_NOCP:
      case EXCP_INVSTATE:
        return { stop: 'undefined', fault: this.report('undefined', pc, `unicorn exception ${intno}`) };
      case EXCP_SWI:
        return { stop: 'svc' };
      case EXCP_BKPT:
        return { stop: 'bkpt' };
      // On the M0 model a data abort that reaches the hook is an unaligned access; unmapped
      // and write-protected accesses stop through the memory hook instead.
      case EXCP_DATA_ABORT:
        return { stop: 'fault', fault: this.report('unaligned', pc, 'unaligned access (data abort)') };
      case EXCP_PREFETCH_ABORT:
        return retired ? { stop: 'ok' } : { stop: 'fault', fault: this.report('exec-never', pc, 'prefetch abort') };
      default:
        return { stop: 'fault', fault: this.report('undefined', pc, `unicorn exception ${intno}`) };
    }
  }

  private inFlash(address: number | undefined): boolean {
    return address !== undefined && address >>> 0 < FLASH_BASE + this.profile.flashSize;
  }

  private memFault(kind: FaultKind, pc: number): StepResult {
    const ev = this.memEvent;
    const extra = ev ? { address: ev.address >>> 0, size: ev.size, access: MEM_ACCESS[ev.type] } : {};
    const where = ev ? ` ${MEM_ACCESS[ev.type] ?? 'access'} at 0x${hex(ev.address)}` : '';
    return { stop: 'fault', fault: this.report(kind, pc, `${kind}${where}`, extra) };
  }

  private report(kind: FaultKind, pc: number, message: string, extra: Partial<FaultReport> = {}): FaultReport {
    return { kind, message, pc, ...extra };
  }

  close(): void {
    if (this.uc === null) return;
    this.b.close(this.uc);
    this.uc = null;
    for (const cb of this.callbacks) this.b.koffi.unregister(cb);
    this.callbacks.length = 0;
  }
}

const hex = (n: number): string => (n >>> 0).toString(16);
