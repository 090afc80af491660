// The translator: a second executor (executor.ts) that compiles Thumb code to JavaScript
// functions (generated source through `new Function`) and runs those instead of dispatching
// each instruction. It must be indistinguishable from the interpreter: the same registers,
// flags, memory, cycles, instruction count, checker calls (same PC, address, size, kind and
// value, in the same order) and fault reports, and every event taken at the same instruction
// boundary. What it compiles, and how that is kept (docs/translator.md has the long form):
//
// - A region: every instruction reachable from one entry address by direct branches (B, B<c>,
//   CBZ/CBNZ, B.W) without leaving flash, up to MAX_REGION instructions, with IT blocks taken
//   whole. Branch targets become labels of a `switch` inside a loop, so loops and if/else run
//   inside one function call. The region leaves at indirect branches (BX, POP {PC}), calls
//   (BL: the callee is a region of its own), exceptions and whatever a handler does to the PC.
// - Registers r0–r12 and LR live in locals of the function, and the cycle and instruction
//   counters too; they are written back where anything outside the function could look: on
//   leaving, before a handler call, before a slow bus access (peripherals read the cycle
//   counter) and, for the counters, before a checker call. SP stays in cpu.r (the stack check
//   and the containment checker read it). A fault or a checker's throw is caught, the locals
//   written back with the faulting instruction's PC, and rethrown: the interpreter's report.
// - The frequent instructions are generated inline from their rows' pseudocode
//   (instructions/v6m.ts, instructions/v7m/); each generator takes the fields its row's pattern
//   extracts (isa/decoder.ts extractFields), as decodetree hands fields to trans_X. Everything
//   else calls the row's handler with the interpreter's state around it.
// - Events: the interpreter runs while cycles < eventAt. At each label the region checks that
//   the largest number of cycles the code up to the next label can take stays below eventAt;
//   if not, it leaves there and the interpreter runs, instruction by instruction, to the
//   boundary where the event is due. After a handler, or a checker or a slow access that moved
//   eventAt, the region leaves at the next boundary. Inside IT blocks the interpreter makes
//   each boundary an event; nothing is due there (the label check proved it), so nothing differs.
// - Code in flash cannot be written by the firmware (a host load flushes every region). A
//   region in SRAM is a straight run of instructions without labels, keeps a copy of its code,
//   is checked against it before each run, and ends after its first store.

import { type Bus, type Checker, type CheckerShortcut, PAGE_SHIFT } from './bus.ts';
import type { Cpu } from './cpu.ts';
import type { Executor } from './executor.ts';
import { interpreter, runStraight } from './executor.ts';
import type { AccessKind } from './fault.ts';
import { EXPAND_CARRY, EXPAND_IMM } from './instructions/v7m/common.ts';
import { classCycles } from './isa/cycle-class.ts';
import { type CompiledEncoding, decode32, decodeExec32, extractFields } from './isa/decoder.ts';
import { type Handler, is32bit, Op } from './isa/encodings.ts';
import { OpV7 } from './isa/encodings-v7m.ts';
import { SRAM_BASE } from './memory-map.ts';

/** Most instructions in one region (bigger functions compile slowly and V8 may not optimize them). */
const MAX_REGION = 320;
/** Most addresses a region is compiled again for (each one more label it can be entered at). */
const MAX_EXTRA_ENTRIES = 16;
/** Most characters of a region's source (V8 optimizes functions of up to 60 KB of bytecode). */
const MAX_SOURCE = 64_000;
/** Most instructions in a region in SRAM (straight-line). */
const MAX_SRAM_RUN = 64;

/** A compiled region: true when it stopped short of an event the interpreter must reach. */
/** A compiled region, entered at one of its labels: true when it stopped short of an event the interpreter must reach. */
type RegionFn = (cpu: Cpu, label: number) => boolean;
type Factory = (
  H: Handler[],
  PCS: Int32Array,
  NXS: Int32Array,
  ITS: Int32Array,
  SL: typeof slowLoad,
  SS: typeof slowStore,
  SP: typeof slowSP,
  CK: typeof checkAccess,
  PW: typeof pushWrapping,
) => RegionFn;

/** Before anything outside the region looks: the PCs and counters as the interpreter has them. */
function sync(cpu: Cpu, pc: number, len: number, cyc: number, ic: number): void {
  cpu.pc = pc;
  cpu.bus.pc = pc;
  cpu.npc = pc + len;
  cpu.cycles = cyc;
  cpu.instructions = ic;
}

/** A load the SRAM fast path does not take: flash, devices, unaligned, unmapped (which faults). */
function slowLoad(cpu: Cpu, a: number, size: number, pc: number, len: number, cyc: number, ic: number): number {
  sync(cpu, pc, len, cyc, ic);
  return size === 4 ? cpu.bus.read32(a) : size === 2 ? cpu.bus.read16(a) : cpu.bus.read8(a);
}

function slowStore(cpu: Cpu, a: number, size: number, v: number, pc: number, len: number, cyc: number, ic: number): void {
  sync(cpu, pc, len, cyc, ic);
  if (size === 4) cpu.bus.write32(a, v);
  else if (size === 2) cpu.bus.write16(a, v);
  else cpu.bus.write8(a, v);
}

/**
 * An access the inline test did not pass: the checker's shortcut decides the rest of the passing
 * cases (and records them), as the checker itself would; anything else calls the checker, with
 * the counters it may read.
 */
function checkAccess(
  cpu: Cpu,
  ck: Checker,
  pc: number,
  u: number,
  size: number,
  kind: AccessKind,
  v: number,
  ic: number,
  cyc: number,
): void {
  const sc = ck.shortcut;
  if (sc !== undefined) {
    if ((pc - sc.pcStart) >>> 0 >= sc.pcLen) return;
    const end = u + size;
    if (
      (u >= sc.heapStart && end <= sc.heapEnd) ||
      (kind === 'load' && (u - sc.pcStart) >>> 0 < sc.pcLen) ||
      (u >= sc.stateStart && end <= sc.stateEnd) ||
      (u >= cpu.r[13] >>> 0 && end <= sc.stackTop)
    ) {
      if (sc.last !== null) {
        sc.last.pc = pc;
        sc.last.address = u;
        sc.last.kind = kind;
      }
      return;
    }
  }
  cpu.instructions = ic;
  cpu.cycles = cyc;
  ck(pc, u, size, kind, v);
}

/** PUSH.W whose new SP wraps below 0: the stores, then SP (storeMultiple in instructions/v7m/load-store.ts). */
function pushWrapping(cpu: Cpu, addr: number, values: number[], pc: number, len: number, cyc: number, ic: number): void {
  sync(cpu, pc, len, cyc, ic);
  for (let j = 0; j < values.length; j++) cpu.bus.write32((addr + 4 * j) | 0, values[j]);
  cpu.setSP(addr);
}

/** SP reached a new low: the core tracks it and runs the stack check. */
function slowSP(cpu: Cpu, sp: number, pc: number, len: number, cyc: number, ic: number): void {
  sync(cpu, pc, len, cyc, ic);
  cpu.setSP(sp);
}

/** Compiled regions by core and source, shared by every Cpu of the process. */
const FACTORIES = new Map<string, RegionFn>();
const MAX_FACTORIES = 20_000;

interface Plan {
  run: RegionFn;
  /** The region's labels: address → label id (where the region can be entered). */
  labels: Map<number, number>;
  /** Where it was compiled from, and the addresses it was asked to be entered at since. */
  entry: number;
  extra: number[];
  /** The addresses of its instructions. */
  code: number[];
  /** Where it stopped at another region's code. */
  stops: number[];
  /** For SRAM regions: the halfwords compiled, checked before each run. */
  sramCode: Uint16Array | null;
  sramOffset: number;
}

/** One decoded instruction. */
interface Insn {
  pc: number;
  len: 2 | 4;
  /** The halfword, or hw1 << 16 | hw2. */
  word: number;
  op: number;
  row: CompiledEncoding | undefined;
  /** The fields its row's pattern names (isa/decoder.ts extractFields): what the generators read. */
  f: Record<string, number>;
  handler: Handler;
  /** ITSTATE before it, for an instruction inside an IT block (0 outside). */
  it: number;
}

/** Flash plans of one image on one core, shared by every Cpu that runs that image. */
interface ImagePlans {
  /** Halfword index of an address where a region can be entered → its index in plans (0: none yet). */
  slot: Int32Array;
  /** …and the label id to enter it at. */
  label: Int32Array;
  /** Halfword index of an instruction → the region whose code has it (0: none). */
  covered: Int32Array;
  plans: (Plan | null)[];
  /** Times each address was reached uncompiled: a region is compiled once it is warm. */
  heat: Uint8Array;
}

/**
 * Lookups of an address before its region is compiled (the interpreter runs it meanwhile).
 * Compiling costs about as much as interpreting a region a few hundred times, so code that
 * runs a handful of times (most of a short scenario) is not worth it.
 */
const WARM = 32;

const IMAGES = new Map<string, ImagePlans>();
const MAX_IMAGES = 64;

const emptyImage = (): ImagePlans => ({
  slot: new Int32Array(0),
  label: new Int32Array(0),
  covered: new Int32Array(0),
  plans: [null],
  heat: new Uint8Array(0),
});

/** The numbers of a checker's shortcut (what the compiled code depends on), or 'none'. */
function shortcutKey(sc: CheckerShortcut | undefined): string {
  if (sc === undefined) return 'none';
  return [sc.pcStart, sc.pcLen, sc.heapStart, sc.heapEnd, sc.stateStart, sc.stateEnd, sc.stackTop, sc.last === null ? 0 : 1].join(',');
}

/** The plans of the image in this Cpu's flash: scenarios make many machines of one image. */
function imagePlans(cpu: Cpu): ImagePlans {
  const bus = cpu.bus;
  // Flash above the highest host load is all zero: only the image itself is hashed.
  const words = new Int32Array(bus.flash.buffer, bus.flash.byteOffset, Math.ceil(bus.flashLoadedEnd / 4));
  let h = 0x811c9dc5;
  for (let k = 0; k < words.length; k++) h = Math.imul(h ^ words[k], 0x01000193);
  // Regions compile the checker's shortcut in as constants (checkSource): one set per shortcut.
  const key = `${cpu.profile.name}:${bus.flashSize}:${bus.flashLoadedEnd}:${h >>> 0}:${shortcutKey(bus.checker?.shortcut)}`;
  let image = IMAGES.get(key);
  if (image === undefined) {
    if (IMAGES.size >= MAX_IMAGES) IMAGES.clear();
    const halfwords = bus.flashSize >>> 1;
    image = {
      slot: new Int32Array(halfwords),
      label: new Int32Array(halfwords),
      covered: new Int32Array(halfwords),
      plans: [null],
      heat: new Uint8Array(halfwords),
    };
    IMAGES.set(key, image);
  }
  return image;
}

export interface TranslatorOptions {
  /** Lookups of an address before its region is compiled (default WARM; 0 compiles at once). */
  warm?: number;
}

/** Creates a translator executor; each Cpu gets its own (its SRAM regions belong to one bus). */
export function createTranslator(options: TranslatorOptions = {}): Executor {
  return new Translator(Math.min(255, options.warm ?? WARM));
}

/**
 * The executor: finds the region for cpu.pc (compiling it once the address is warm) and runs it.
 * A class, so that its hot loop is one function V8 optimizes once for every translator.
 */
class Translator implements Executor {
  readonly name = 'translator';
  private image: ImagePlans = emptyImage();
  /** The label lookup() found (set with its result). */
  private label = 0;
  private sramRegions = new Map<number, Plan>();
  private seenLoads = -1;
  private owner: Cpu | null = null;
  private readonly stepRegions = new Map<string, Plan>();

  constructor(private readonly warm: number) {}

  private flush(cpu: Cpu): void {
    this.image = imagePlans(cpu);
    this.sramRegions = new Map();
    this.stepRegions.clear();
    this.seenLoads = cpu.bus.codeLoads;
    this.owner = cpu;
  }

  /** The region to run at pc (its label in this.label), or null: not warm yet, or not compilable. */
  private lookup(cpu: Cpu, pc: number): RegionFn | null {
    const bus = cpu.bus;
    const image = this.image;
    if (pc < bus.flashSize) {
      const h = pc >>> 1;
      const k = image.slot[h];
      if (k !== 0) {
        this.label = image.label[h];
        return image.plans[k]!.run;
      }
      if (image.heat[h] < this.warm) {
        image.heat[h]++;
        return null;
      }
      return this.compile(cpu, pc);
    }
    // Outside SRAM too (the host call's return trap, unmapped code): nothing to compile.
    if ((pc - SRAM_BASE) >>> 0 >= bus.sramSize) return null;
    let p = this.sramRegions.get(pc);
    if (p !== undefined && !sramCodeUnchanged(bus, p)) p = undefined;
    if (p === undefined) {
      const plan = translate(cpu, pc, false);
      if (plan === null) return null;
      p = plan;
      this.sramRegions.set(pc, p);
    }
    this.label = p.labels.get(pc)!;
    return p.run;
  }

  private compile(cpu: Cpu, pc: number): RegionFn | null {
    const image = this.image;
    const h = pc >>> 1;
    // An address inside a region's code (not one of its labels): that region is compiled again
    // with this address as one more label, so a function's code lives in one region (a loop split
    // between two regions would go through the dispatcher every iteration).
    const owner = image.covered[h];
    const old = owner === 0 ? null : image.plans[owner]!;
    let plan: Plan | null = null;
    // Code that has run: reached through the dispatcher before it was compiled, or in a region.
    const ran = (a: number) => a >= cpu.bus.flashSize || image.heat[a >>> 1] > 0 || image.covered[a >>> 1] !== 0;
    const takenBut = (self: number) => (a: number) =>
      a < cpu.bus.flashSize && image.covered[a >>> 1] !== 0 && image.covered[a >>> 1] !== self;
    if (old !== null && old.extra.length < MAX_EXTRA_ENTRIES) {
      plan = translate(cpu, old.entry, false, [...old.extra, pc], takenBut(owner), MAX_REGION, ran);
      if (plan !== null && !plan.labels.has(pc)) plan = null;
    }
    // A region of its own stops where other regions' code is, unless this address is inside such
    // code (a region that could not take it as a label): then it has its own copy.
    if (plan === null) plan = translate(cpu, pc, false, [], owner === 0 ? takenBut(-1) : () => false, MAX_REGION, ran);
    if (plan === null) return null;
    // A short stretch that runs into one other region's code (the top of a loop whose test that
    // region has): that region takes it as one more label instead, so the loop is not split.
    const into = new Set(plan.stops.map((a) => image.covered[a >>> 1]));
    if (plan.entry === pc && plan.code.length <= 24 && into.size === 1) {
      const r = [...into][0];
      const other = image.plans[r]!;
      if (other.extra.length < MAX_EXTRA_ENTRIES) {
        const joined = translate(cpu, other.entry, false, [...other.extra, pc], takenBut(r), MAX_REGION, ran);
        if (joined?.labels.has(pc)) return this.install(joined, pc, r);
      }
    }
    return this.install(plan, pc, plan.entry === pc ? -1 : owner);
  }

  /** Makes a compiled region enterable at its labels; `replaces` is the region it was compiled again from (or -1). */
  private install(plan: Plan, pc: number, replaces: number): RegionFn {
    const image = this.image;
    const k = image.plans.push(plan) - 1;
    // Every label of the region enters it (a loop head, a call's return point), unless an older
    // region already does; a region compiled again takes over all of its own.
    for (const [at, id] of plan.labels) {
      const s = image.slot[at >>> 1];
      if (s === 0 || s === replaces || at === pc) {
        image.slot[at >>> 1] = k;
        image.label[at >>> 1] = id;
      }
    }
    for (const at of plan.code) {
      const c = image.covered[at >>> 1];
      if (c === 0 || c === replaces) image.covered[at >>> 1] = k;
    }
    this.label = image.label[pc >>> 1];
    return plan.run;
  }

  run(cpu: Cpu): void {
    if (cpu.itstate !== 0) {
      interpreter.run(cpu);
      return;
    }
    if (this.owner !== cpu || cpu.bus.codeLoads !== this.seenLoads) this.flush(cpu);
    do {
      const f = this.lookup(cpu, cpu.pc);
      if (f === null) {
        // Not warm yet, or not compilable here (a fetch faults, a 32-bit instruction straddles
        // the end of memory): the interpreter runs the stretch up to the next branch (where the
        // next lookup is), and raises the same fault.
        runStraight(cpu);
        continue;
      }
      const before = cpu.instructions;
      if (f(cpu, this.label)) {
        // An event is due within the next few instructions: the interpreter goes to its exact
        // boundary (at least one instruction when the region ran none, as run() promises).
        if (cpu.instructions === before || cpu.cycles < cpu.eventAt) interpreter.run(cpu);
        return;
      }
    } while (cpu.cycles < cpu.eventAt && cpu.itstate === 0);
  }

  step(cpu: Cpu): void {
    if (cpu.itstate !== 0) {
      interpreter.step(cpu);
      return;
    }
    // One-instruction regions, keyed by address and encoding (the conformance harness loads new
    // code at one address for every case).
    const pc = cpu.pc;
    let key: string;
    try {
      const hw1 = cpu.bus.fetch16(pc);
      key = `${pc}:${hw1}:${is32bit(hw1) ? cpu.bus.fetch16((pc + 2) >>> 0) : -1}`;
    } catch {
      interpreter.step(cpu);
      return;
    }
    let plan = this.stepRegions.get(key);
    if (plan === undefined) {
      const t = translate(cpu, pc, true);
      if (t === null) {
        interpreter.step(cpu);
        return;
      }
      plan = t;
      if (this.stepRegions.size > 50_000) this.stepRegions.clear();
      this.stepRegions.set(key, plan);
    }
    plan.run(cpu, plan.labels.get(pc)!); // a one-instruction region always returns after it
  }
}

function sramCodeUnchanged(bus: Bus, p: Plan): boolean {
  const code = p.sramCode!;
  const sram = bus.sram;
  let o = p.sramOffset;
  for (let k = 0; k < code.length; k++, o += 2) {
    if ((sram[o] | (sram[o + 1] << 8)) !== code[k]) return false;
  }
  return true;
}

// ---- decoding -------------------------------------------------------------------------------

function decodeAt(cpu: Cpu, pc: number, it: number): Insn | null {
  let hw1: number;
  try {
    hw1 = cpu.bus.fetch16(pc);
  } catch {
    return null;
  }
  if (!is32bit(hw1)) {
    const row = cpu.decode.rows16[hw1];
    const f = row ? extractFields(row, hw1) : {};
    return { pc, len: 2, word: hw1, op: row ? row.enc.op : Op.UNDEFINED, row, f, handler: cpu.dispatch16[hw1], it };
  }
  let hw2: number;
  try {
    hw2 = cpu.bus.fetch16((pc + 2) >>> 0);
  } catch {
    return null;
  }
  const word = ((hw1 << 16) | hw2) >>> 0;
  const h = decodeExec32(cpu.decode, hw1, hw2);
  if (h === null) {
    // UNDEFINED: the prefix handler refetches, decodes and throws the interpreter's fault.
    return { pc, len: 4, word: hw1, op: Op.UNDEFINED, row: undefined, f: {}, handler: cpu.dispatch16[hw1], it };
  }
  const row = decode32(cpu.decode, hw1, hw2);
  return { pc, len: 4, word, op: row ? row.enc.op : -1, row, f: row ? extractFields(row, word) : {}, handler: h, it };
}

/** How control leaves an instruction (outside IT blocks). */
type Flow = 'next' | 'cond' | 'jump' | 'call' | 'end';

function flowOf(ins: Insn): Flow {
  switch (ins.op) {
    case Op.B_cond:
    case OpV7.CBZ:
    case OpV7.B_T3:
      return 'cond';
    case Op.B:
    case OpV7.B_T4:
      return 'jump';
    case Op.BL:
      return 'call';
    case Op.BX:
    case Op.BLX:
    case Op.SVC:
    case Op.BKPT:
    case Op.UDF:
    case Op.UDF_W:
    case Op.UNDEFINED:
    case Op.CPS:
    case Op.MSR:
    case OpV7.TBB:
    case OpV7.TBH:
    case OpV7.CPS_v7:
    case OpV7.MSR_v7:
      return 'end';
    case Op.POP:
      return ((ins.word >>> 8) & 1) === 1 ? 'end' : 'next';
    case OpV7.LDM_W:
      return (ins.word & 0x8000) !== 0 ? 'end' : 'next';
    case Op.ADD_hi:
    case Op.MOV_hi:
      return (((ins.word >>> 4) & 8) | (ins.word & 7)) === 15 ? 'end' : 'next';
    case Op.HINT:
      return ((ins.word >>> 4) & 15) === 2 || ((ins.word >>> 4) & 15) === 3 ? 'end' : 'next'; // WFE, WFI
    default:
      // Loads into the PC and multiple loads with the PC in the list end the region as well:
      // their handlers set npc, which the check after every handler sees.
      return ins.op === -1 ? 'end' : 'next';
  }
}

/** The target of a direct branch (instructions/v6m.ts, v7m/branch.ts), or null. */
function targetOf(ins: Insn): number | null {
  const i = ins.word;
  switch (ins.op) {
    case Op.B:
      return (ins.pc + 4 + (((i & 0x7ff) << 21) >> 20)) >>> 0;
    case Op.B_cond:
      return (ins.pc + 4 + (((i & 0xff) << 24) >> 23)) >>> 0;
    case OpV7.CBZ:
      return (ins.pc + 4 + (((i >>> 3) & 0x40) | ((i >>> 2) & 0x3e))) >>> 0;
    case OpV7.B_T3: {
      const imm =
        (((i >>> 26) & 1) << 20) | (((i >>> 11) & 1) << 19) | (((i >>> 13) & 1) << 18) | (((i >>> 16) & 0x3f) << 12) | ((i & 0x7ff) << 1);
      return (ins.pc + 4 + ((imm << 11) >> 11)) >>> 0;
    }
    case Op.BL:
    case OpV7.B_T4: {
      const s = (i >>> 26) & 1,
        i1 = ~(((i >>> 13) & 1) ^ s) & 1,
        i2 = ~(((i >>> 11) & 1) ^ s) & 1;
      const imm = (s << 24) | (i1 << 23) | (i2 << 22) | (((i >>> 16) & 0x3ff) << 12) | ((i & 0x7ff) << 1);
      return (ins.pc + 4 + ((imm << 7) >> 7)) >>> 0;
    }
    default:
      return null;
  }
}

/** ITAdvance (ARMv7-M A7.3.2), as Cpu.advanceIT. */
function advanceIT(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/** A region's instructions in address order, with the addresses that are labels. */
interface Region {
  insns: Insn[];
  labels: Set<number>;
  /** The labels that are calls' return points: where BX LR and POP {PC} may go without leaving. */
  returns: number[];
  /** Where decoding stopped at another region's code. */
  stops: number[];
  entry: number;
  inSram: boolean;
}

/**
 * The region at entry: what is reachable by direct branches (flash), or a straight run (SRAM,
 * one-instruction steps). Addresses reached only through an IT block are never labels, and an
 * IT block that would overlap code decoded outside it is left for a region of its own.
 */
function discover(
  cpu: Cpu,
  entry: number,
  step: boolean,
  extra: number[],
  limit: number,
  taken: (pc: number) => boolean,
  ran: (pc: number) => boolean,
): Region | null {
  const flashSize = cpu.bus.flashSize;
  const inSram = entry >= flashSize;
  const linear = inSram || step;
  const max = step ? 1 : inSram ? Math.min(limit, MAX_SRAM_RUN) : limit;
  const at = new Map<number, Insn>();
  const labels = new Set<number>([entry, ...extra]);
  const returns = new Set<number>();
  // Work within the code reached so far, and callees after it (the caller's code comes first): a
  // callee runs inside its caller's region, and its return (BX LR, POP {PC}) goes back to the
  // call's return point without leaving.
  // Code another region already has is left to it (this one goes there through the dispatcher,
  // which makes it a label of that region): one copy of hot code, optimized once. A callee's code
  // is the exception: it is copied into its caller's region, so calls and returns stay inside.
  const start = new Set([entry, ...extra]);
  const stops = new Set<number>();
  const work = [...extra, entry].map((pc) => ({ pc, free: false }));
  const calls: { pc: number; free: boolean }[] = [];
  while ((work.length > 0 || calls.length > 0) && at.size < max) {
    const item = work.pop() ?? calls.shift()!;
    const free = item.free;
    let pc = item.pc;
    while (at.size < max && !at.has(pc)) {
      if (!free && !start.has(pc) && taken(pc)) {
        stops.add(pc);
        break;
      }
      const ins = decodeAt(cpu, pc, 0);
      if (ins === null) break;
      if (ins.op === OpV7.IT && !step) {
        // The IT block goes with its IT: each instruction's condition is known here.
        const block: Insn[] = [];
        let it = ins.word & 0xff,
          next = (pc + 2) >>> 0;
        while (it !== 0) {
          const x = at.has(next) || labels.has(next) ? null : decodeAt(cpu, next, it);
          if (x === null) break;
          block.push(x);
          next = (next + x.len) >>> 0;
          it = advanceIT(it);
        }
        if (it !== 0 || at.size + 1 + block.length > max) break; // cut short: left to its own region
        at.set(pc, ins);
        for (const x of block) at.set(x.pc, x);
        pc = next;
        if (pc >= flashSize !== inSram) break;
        continue;
      }
      at.set(pc, ins);
      const flow = flowOf(ins);
      const target = flow === 'cond' || flow === 'jump' ? targetOf(ins) : null;
      // A branch target that has not run yet is left out (a cold path costs a region nothing until
      // it runs, and then gets compiled where it is reached).
      if (target !== null && !linear && target < flashSize && (free || !taken(target)) && ran(target)) {
        labels.add(target);
        work.push({ pc: target, free });
      }
      // A call's return point is where the callee comes back: a label.
      const back = (pc + ins.len) >>> 0;
      if ((flow === 'call' || ins.op === Op.BLX) && !linear && back < flashSize && (free || !taken(back))) {
        labels.add(back);
        returns.add(back);
        work.push({ pc: back, free });
      }
      const callee = flow === 'call' ? targetOf(ins) : null;
      if (callee !== null && !linear && callee < flashSize) {
        labels.add(callee);
        calls.push({ pc: callee, free: true });
      }
      if (flow === 'jump' || flow === 'call' || flow === 'end') break;
      // In SRAM a run ends after anything that may store, so it never runs code it overwrote.
      if (inSram && mayStore(ins)) break;
      pc = (pc + ins.len) >>> 0;
      if (pc >= flashSize !== inSram) break;
      // A conditional branch back (a loop): its body first, the code after the loop later, so a
      // region cut short by its size keeps whole loops rather than half of one.
      if (flow === 'cond' && target !== null && target < ins.pc && labels.has(target) && !at.has(target)) {
        work.push({ pc, free });
        pc = target;
        const i = work.findIndex((w, j) => j < work.length - 1 && w.pc === target);
        if (i >= 0) work.splice(i, 1);
      }
    }
  }
  if (!at.has(entry)) return null;
  // A label must start an instruction decoded outside any IT block.
  for (const l of labels) if (at.get(l)?.it !== 0) labels.delete(l);
  labels.add(entry);
  for (const r of returns) if (!labels.has(r)) returns.delete(r);
  const insns = [...at.values()].sort((a, b) => a.pc - b.pc);
  return { insns, labels, returns: [...returns].sort((a, b) => a - b), entry, inSram, stops: [...stops] };
}

/** Anything that is not a known load or register-only instruction (SRAM runs end after it). */
function mayStore(ins: Insn): boolean {
  const acc = accessOf(ins);
  if (acc !== null) return acc.store;
  switch (ins.op) {
    case Op.LDM:
    case Op.B_cond:
    case OpV7.CBZ:
    case OpV7.B_T3:
      return false;
    case Op.POP:
      return ((ins.word >>> 8) & 1) === 1;
    default:
      return pureOf(ins, new Gen(ins, null), true) === null;
  }
}

// ---- code generation ------------------------------------------------------------------------

/**
 * q: the installed checker still has the shortcut the region was compiled with (its numbers are
 * constants in the code, see checkSource); LA its record. At entry and after every handler call.
 */
function guardSource(sc: CheckerShortcut | undefined): string {
  if (sc === undefined) return '';
  const same = [
    `s0.pcStart === ${sc.pcStart >>> 0}`,
    `s0.pcLen === ${sc.pcLen >>> 0}`,
    `s0.heapStart === ${sc.heapStart >>> 0}`,
    `s0.heapEnd === ${sc.heapEnd >>> 0}`,
    `s0.stateStart === ${sc.stateStart >>> 0}`,
    `s0.stateEnd === ${sc.stateEnd >>> 0}`,
    `s0.stackTop === ${sc.stackTop >>> 0}`,
    sc.last === null ? 's0.last === null' : 's0.last !== null',
  ].join(' && ');
  return `{ const s0 = ck === null ? undefined : ck.shortcut; q = s0 !== undefined && ${same}; LA = q ? s0.last : null; }`;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const LOCAL = (k: number): boolean => k < 13 || k === 14;

/**
 * Per-region generation state: which register locals are read and written, the handlers
 * called, the cycle and instruction counts not yet added to the locals (straight-line code adds
 * them once, before anything that can observe them).
 */
class Gen {
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  readonly handlers: Handler[] = [];
  pendC = 0;
  pendI = 0;
  /** Whether the previous instruction on this path was a single load or store (null: unknown). */
  prevAccess: boolean | null = null;
  ins: Insn;
  /** The checker's shortcut when the region was compiled: its numbers become constants in the code. */
  readonly sc: CheckerShortcut | undefined;
  constructor(
    ins: Insn,
    readonly cpu: Cpu | null,
  ) {
    this.ins = ins;
    this.sc = cpu?.bus.checker?.shortcut;
  }
  get t() {
    return this.cpu!.t;
  }
  /** R[k] as an operand: a local, SP from cpu.r, the PC as the instruction's address + 4. */
  rd(k: number): string {
    if (LOCAL(k)) {
      this.used.add(k);
      return `r${k}`;
    }
    return k === 13 ? 'R[13]' : `${(this.ins.pc + 4) | 0}`;
  }
  /** R[k] = v (int32 expression), or null for SP and the PC (those forms keep their handlers or their own code). */
  wr(k: number, v: string): string | null {
    if (!LOCAL(k)) return null;
    this.used.add(k);
    this.written.add(k);
    return `r${k} = ${v};`;
  }
  /** SP = v: the stack check runs (in cpu.setSP) only when SP reaches a new low. */
  setSP(v: string): string {
    return `{ const s = (${v}) & -4; R[13] = s; if ((s >>> 0) < cpu.minSP) SP(cpu, s, ${hex(this.ins.pc)}, ${this.ins.len}, cyc, ic); }`;
  }
  /** Adds the pending counts into the locals. */
  flush(): string {
    const s = `${this.pendC ? `cyc += ${this.pendC}; ` : ''}${this.pendI ? `ic += ${this.pendI};` : ''}`;
    this.pendC = 0;
    this.pendI = 0;
    return s;
  }
  /** What a slow path or the stack check may look at: PCs and counters as the interpreter has them. */
  syncSlow(): string {
    const pc = hex(this.ins.pc);
    return `cpu.pc = ${pc}; bus.pc = ${pc}; cpu.npc = ${hex(this.ins.pc + this.ins.len)}; cpu.cycles = cyc; cpu.instructions = ic;`;
  }
}

/** NZ from an int32 result. */
const nz = (v: string) => `cpu.fN = ${v} >>> 31; cpu.fZ = ${v} === 0 ? 1 : 0;`;

/** AddWithCarry (instructions/alu.ts) of two int32 expressions; the result into dest (or nowhere), flags when sf. */
function awc(g: Gen, x: string, y: string, carry: string, dest: number | null, sf: boolean): string | null {
  if (!sf) {
    if (dest === null) return '';
    return g.wr(dest, `(${x} + ${y} + ${carry}) | 0`);
  }
  const w = dest === null ? '' : g.wr(dest, 'res');
  if (w === null) return null;
  return (
    `{ const x = ${x}, y = ${y}; const u = (x >>> 0) + (y >>> 0) + ${carry}; const res = u | 0; ${w}` +
    ` cpu.fN = res >>> 31; cpu.fZ = res === 0 ? 1 : 0; cpu.fC = u > 0xffffffff ? 1 : 0; cpu.fV = ((x ^ res) & (y ^ res)) >>> 31; }`
  );
}

/**
 * The cycles of an instruction that does not write the PC, from its row's cycle class (isa/cycle-
 * class.ts, the TRM tables; tests/cycle-class.test.ts holds every handler to them): for a single
 * load or store the cost when it does not follow another.
 */
function rowCycles(ins: Insn, g: Gen): number {
  const cls = ins.row?.enc.cycles;
  if (cls === undefined || g.cpu === null) return 1; // (mayStore's dry run needs no cycles)
  return classCycles(cls, g.t).max;
}

/** A register-only instruction: its source and its (fixed) cycles. */
interface Pure {
  src: string;
  cycles: number;
}

/**
 * Inline source for an instruction that touches only registers (not the PC, not SP except as
 * an operand), the flags and cycles: it cannot fault, call a checker or branch. sf = false
 * inside an IT block for the 16-bit forms that set flags only outside one. Null when it has
 * no inline form.
 */
function pureOf(ins: Insn, g: Gen, sf: boolean): Pure | null {
  const one = (src: string | null): Pure | null => (src === null ? null : { src, cycles: rowCycles(ins, g) });
  const f = ins.f;
  if (ins.len === 4) return ins.row === undefined ? null : pure32(ins, g, f);
  const { d, m, n, i: imm } = f;
  const logical = (res: string) => one(`{ const res = ${res}; ${g.wr(d, 'res')} ${sf ? nz('res') : ''} }`);
  switch (ins.op) {
    case Op.LSLS_imm:
      if (imm === 0) return logical(g.rd(m));
      return one(
        `{ const x = ${g.rd(m)}; ${sf ? `cpu.fC = (x >>> ${32 - imm}) & 1;` : ''} const res = x << ${imm}; ${g.wr(d, 'res')} ${sf ? nz('res') : ''} }`,
      );
    case Op.LSRS_imm:
      if (imm === 0) return one(`{ ${sf ? `cpu.fC = ${g.rd(m)} >>> 31; cpu.fN = 0; cpu.fZ = 1;` : ''} ${g.wr(d, '0')} }`);
      return one(
        `{ const x = ${g.rd(m)}; ${sf ? `cpu.fC = (x >>> ${imm - 1}) & 1;` : ''} const res = (x >>> ${imm}) | 0; ${g.wr(d, 'res')} ${sf ? nz('res') : ''} }`,
      );
    case Op.ASRS_imm: {
      const sh = imm === 0 ? 32 : imm;
      return one(
        `{ const x = ${g.rd(m)}; ${sf ? `cpu.fC = (x >>> ${sh - 1}) & 1;` : ''} const res = x >> ${Math.min(sh, 31)}; ${g.wr(d, 'res')} ${sf ? nz('res') : ''} }`,
      );
    }
    case Op.ADDS_reg:
      return one(awc(g, g.rd(n), g.rd(m), '0', d, sf));
    case Op.SUBS_reg:
      return one(awc(g, g.rd(n), `~${g.rd(m)}`, '1', d, sf));
    case Op.ADDS_imm3:
      return one(awc(g, g.rd(n), `${imm}`, '0', d, sf));
    case Op.SUBS_imm3:
      return one(awc(g, g.rd(n), `${~imm}`, '1', d, sf));
    case Op.MOVS_imm:
      return one(`${g.wr(d, `${imm}`)} ${sf ? `cpu.fN = 0; cpu.fZ = ${imm === 0 ? 1 : 0};` : ''}`);
    case Op.CMP_imm:
      return one(awc(g, g.rd(n), `${~imm}`, '1', null, true));
    case Op.ADDS_imm8:
      return one(awc(g, g.rd(d), `${imm}`, '0', d, sf));
    case Op.SUBS_imm8:
      return one(awc(g, g.rd(d), `${~imm}`, '1', d, sf));
    case Op.ANDS:
      return logical(`${g.rd(d)} & ${g.rd(m)}`);
    case Op.EORS:
      return logical(`${g.rd(d)} ^ ${g.rd(m)}`);
    case Op.ORRS:
      return logical(`${g.rd(d)} | ${g.rd(m)}`);
    case Op.BICS:
      return logical(`${g.rd(d)} & ~${g.rd(m)}`);
    case Op.MVNS:
      return logical(`~${g.rd(m)}`);
    case Op.TST:
      return one(`{ const res = ${g.rd(n)} & ${g.rd(m)}; ${nz('res')} }`);
    case Op.MULS: {
      const p = logical(`Math.imul(${g.rd(n)}, ${g.rd(d)})`)!;
      return { src: p.src, cycles: rowCycles(ins, g) };
    }
    case Op.ADCS:
      return one(awc(g, g.rd(d), g.rd(m), 'cpu.fC', d, sf));
    case Op.SBCS:
      return one(awc(g, g.rd(d), `~${g.rd(m)}`, 'cpu.fC', d, sf));
    case Op.RSBS:
      return one(awc(g, `~${g.rd(n)}`, '0', '1', d, sf));
    case Op.CMP_reg:
      return one(awc(g, g.rd(n), `~${g.rd(m)}`, '1', null, true));
    case Op.CMN:
      return one(awc(g, g.rd(n), g.rd(m), '0', null, true));
    case Op.LSLS_reg:
    case Op.LSRS_reg:
    case Op.ASRS_reg:
    case Op.RORS:
      return one(shiftByRegister(g, ins.op === Op.LSLS_reg ? 0 : ins.op === Op.LSRS_reg ? 1 : ins.op === Op.ASRS_reg ? 2 : 3, d, d, m, sf));
    case Op.SXTH:
      return one(g.wr(d, `(${g.rd(m)} << 16) >> 16`));
    case Op.SXTB:
      return one(g.wr(d, `(${g.rd(m)} << 24) >> 24`));
    case Op.UXTH:
      return one(g.wr(d, `${g.rd(m)} & 0xffff`));
    case Op.UXTB:
      return one(g.wr(d, `${g.rd(m)} & 0xff`));
    case Op.REV:
      return one(`{ const x = ${g.rd(m)}; ${g.wr(d, '(x << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)')} }`);
    case Op.REV16:
      return one(`{ const x = ${g.rd(m)}; ${g.wr(d, '((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff)')} }`);
    case Op.REVSH:
      return one(`{ const x = ${g.rd(m)}; ${g.wr(d, '(((x & 0xff) << 24) >> 16) | ((x >>> 8) & 0xff)')} }`);
    case Op.ADR:
      return one(g.wr(d, `${((((ins.pc + 4) & ~3) + (imm << 2)) | 0).toString()}`));
    case Op.ADD_sp_imm8:
      return one(g.wr(d, `(R[13] + ${imm << 2}) | 0`));
    case Op.MOV_hi: {
      const dd = (f.D << 3) | d;
      if (dd === 13 || dd === 15) return null; // SP writes check the stack; PC writes branch
      return one(g.wr(dd, g.rd(m)));
    }
    case Op.ADD_hi: {
      const dd = (f.D << 3) | d;
      if (dd === 13 || dd === 15) return null;
      return one(g.wr(dd, `(${g.rd(dd)} + ${g.rd(m)}) | 0`));
    }
    case Op.CMP_hi: {
      return one(awc(g, g.rd((f.N << 3) | n), `~${g.rd(m)}`, '1', null, true));
    }
    case Op.HINT: {
      const h = f.h;
      if (h === 2 || h === 3) return null; // WFE, WFI
      return h === 4 ? one('cpu.eventRegister = 1;') : one('');
    }
    default:
      return null;
  }
}

/** Shift_C by the bottom byte of a register (instructions/v7m/common.ts shiftRegC); NZ (and C) when sf. */
function shiftByRegister(g: Gen, type: number, d: number, n: number, m: number, sf: boolean): string | null {
  const body = [
    'if (k < 32) { c = (x >>> (32 - k)) & 1; res = x << k; } else { c = k === 32 ? x & 1 : 0; res = 0; }',
    'if (k < 32) { c = (x >>> (k - 1)) & 1; res = (x >>> k) | 0; } else { c = k === 32 ? x >>> 31 : 0; res = 0; }',
    'if (k < 32) { c = (x >>> (k - 1)) & 1; res = x >> k; } else { c = x >>> 31; res = x >> 31; }',
    '{ const j = k & 31; res = j === 0 ? x : (x >>> j) | (x << (32 - j)); c = res >>> 31; }',
  ][type];
  const w = g.wr(d, 'res');
  if (w === null) return null;
  // C is written only for a non-zero amount: `cpu.fC=c` (no spaces) marks a write that does not always happen.
  return `{ const x = ${g.rd(n)}, k = ${g.rd(m)} & 0xff; let res = x, c = 0; if (k !== 0) { ${body}${sf ? ' cpu.fC=c;' : ''} } ${w} ${sf ? nz('res') : ''} }`;
}

/** Shift(R[m], DecodeImmShift(type, imm5)) as an expression; with carry, the statements that set C first. */
function immShift(g: Gen, m: number, type: number, imm5: number): { value: string; carry: string } {
  const x = g.rd(m);
  switch (type) {
    case 0:
      return imm5 === 0 ? { value: x, carry: '' } : { value: `(${x} << ${imm5})`, carry: `cpu.fC = (${x} >>> ${32 - imm5}) & 1;` };
    case 1:
      return imm5 === 0
        ? { value: '0', carry: `cpu.fC = ${x} >>> 31;` }
        : { value: `((${x} >>> ${imm5}) | 0)`, carry: `cpu.fC = (${x} >>> ${imm5 - 1}) & 1;` };
    case 2:
      return imm5 === 0
        ? { value: `(${x} >> 31)`, carry: `cpu.fC = ${x} >>> 31;` }
        : { value: `(${x} >> ${imm5})`, carry: `cpu.fC = (${x} >>> ${imm5 - 1}) & 1;` };
    default:
      // RRX reads C before it is replaced: the value is taken first (the caller evaluates it before carry).
      return imm5 === 0
        ? { value: `((cpu.fC << 31) | (${x} >>> 1))`, carry: `cpu.fC = ${x} & 1;` }
        : { value: `((${x} >>> ${imm5}) | (${x} << ${32 - imm5}))`, carry: `cpu.fC = (${x} >>> ${imm5 - 1}) & 1;` };
  }
}

/** The logical ops of the modified-immediate and shifted-register groups: result from Rn and the operand. */
const LOGICAL: Readonly<Record<number, (n: string, y: string) => string>> = {
  [OpV7.AND_imm]: (n, y) => `${n} & ${y}`,
  [OpV7.AND_reg]: (n, y) => `${n} & ${y}`,
  [OpV7.TST_imm]: (n, y) => `${n} & ${y}`,
  [OpV7.TST_reg]: (n, y) => `${n} & ${y}`,
  [OpV7.BIC_imm]: (n, y) => `${n} & ~${y}`,
  [OpV7.BIC_reg]: (n, y) => `${n} & ~${y}`,
  [OpV7.ORR_imm]: (n, y) => `${n} | ${y}`,
  [OpV7.ORR_reg]: (n, y) => `${n} | ${y}`,
  [OpV7.ORN_imm]: (n, y) => `${n} | ~${y}`,
  [OpV7.ORN_reg]: (n, y) => `${n} | ~${y}`,
  [OpV7.EOR_imm]: (n, y) => `${n} ^ ${y}`,
  [OpV7.EOR_reg]: (n, y) => `${n} ^ ${y}`,
  [OpV7.TEQ_imm]: (n, y) => `${n} ^ ${y}`,
  [OpV7.TEQ_reg]: (n, y) => `${n} ^ ${y}`,
  [OpV7.MOV_imm]: (_n, y) => y,
  [OpV7.MOV_reg]: (_n, y) => y,
  [OpV7.MVN_imm]: (_n, y) => `~${y}`,
  [OpV7.MVN_reg]: (_n, y) => `~${y}`,
};
const TESTS = new Set<number>([
  OpV7.TST_imm,
  OpV7.TST_reg,
  OpV7.TEQ_imm,
  OpV7.TEQ_reg,
  OpV7.CMP_imm,
  OpV7.CMP_reg,
  OpV7.CMN_imm,
  OpV7.CMN_reg,
]);

/** The arithmetic ops: x, y and carry in AddWithCarry terms, from Rn and the operand. */
const ARITH: Readonly<Record<number, (n: string, y: string) => [string, string, string]>> = {
  [OpV7.ADD_imm]: (n, y) => [n, y, '0'],
  [OpV7.ADD_reg]: (n, y) => [n, y, '0'],
  [OpV7.CMN_imm]: (n, y) => [n, y, '0'],
  [OpV7.CMN_reg]: (n, y) => [n, y, '0'],
  [OpV7.ADC_imm]: (n, y) => [n, y, 'cpu.fC'],
  [OpV7.ADC_reg]: (n, y) => [n, y, 'cpu.fC'],
  [OpV7.SBC_imm]: (n, y) => [n, `~${y}`, 'cpu.fC'],
  [OpV7.SBC_reg]: (n, y) => [n, `~${y}`, 'cpu.fC'],
  [OpV7.SUB_imm]: (n, y) => [n, `~${y}`, '1'],
  [OpV7.SUB_reg]: (n, y) => [n, `~${y}`, '1'],
  [OpV7.CMP_imm]: (n, y) => [n, `~${y}`, '1'],
  [OpV7.CMP_reg]: (n, y) => [n, `~${y}`, '1'],
  [OpV7.RSB_imm]: (n, y) => [`~${n}`, y, '1'],
  [OpV7.RSB_reg]: (n, y) => [`~${n}`, y, '1'],
};

/** ARMv7-M 32-bit register-only instructions (instructions/v7m/data-processing.ts), from the row's fields. */
function pure32(ins: Insn, g: Gen, f: Record<string, number>): Pure | null {
  const one = (src: string | null): Pure | null => (src === null ? null : { src, cycles: rowCycles(ins, g) });
  const op = ins.op;
  const sf = f.S === 1 || TESTS.has(op);
  const isImm = op >= OpV7.AND_imm && op <= OpV7.RSB_imm;
  const isReg = op >= OpV7.AND_reg && op <= OpV7.RSB_reg;
  if (isImm || isReg) {
    if ((isImm && (op === OpV7.ADD_sp_imm || op === OpV7.SUB_sp_imm)) || op === OpV7.ADD_sp_reg || op === OpV7.SUB_sp_reg) return null;
    const dest = TESTS.has(op) ? null : f.d;
    if (dest === 15) return null;
    const n = f.n === undefined ? '0' : g.rd(f.n);
    let y: string,
      carry = '';
    if (isImm) {
      y = `${EXPAND_IMM[f.i]}`;
      if (EXPAND_CARRY[f.i] >= 0) carry = `cpu.fC = ${EXPAND_CARRY[f.i]};`;
    } else {
      const s = immShift(g, f.m, f.y, f.i);
      y = s.value;
      carry = s.carry;
    }
    const logical = LOGICAL[op];
    if (logical !== undefined) {
      if (!sf) return one(g.wr(dest!, logical(n, y)));
      // The operand (RRX reads C) before the carry out replaces C.
      const w = dest === null ? '' : g.wr(dest, 'res');
      if (w === null) return null;
      return one(`{ const res = ${logical(n, 'yv')}; ${carry} ${w} ${nz('res')} }`.replace('{ const res', `{ const yv = ${y}; const res`));
    }
    const arith = ARITH[op];
    if (arith === undefined) return null;
    const [x, yy, c] = arith(n, y);
    return one(awc(g, x, yy, c, dest, sf));
  }
  switch (op) {
    case OpV7.ADDW:
      return one(g.wr(f.d, `(${g.rd(f.n)} + ${f.i}) | 0`));
    case OpV7.SUBW:
      return one(g.wr(f.d, `(${g.rd(f.n)} - ${f.i}) | 0`));
    case OpV7.MOVW:
      return one(g.wr(f.d, `${(f.j << 12) | f.i}`));
    case OpV7.MOVT:
      return one(g.wr(f.d, `${((f.j << 12) | f.i) << 16} | (${g.rd(f.d)} & 0xffff)`));
    case OpV7.UBFX:
      return one(g.wr(f.d, `(${g.rd(f.n)} << ${31 - f.i - f.w}) >>> ${31 - f.w}`));
    case OpV7.SBFX:
      return one(g.wr(f.d, `(${g.rd(f.n)} << ${31 - f.i - f.w}) >> ${31 - f.w}`));
    case OpV7.BFI: {
      const mask = (-1 >>> (31 - f.k + f.i)) << f.i;
      return one(g.wr(f.d, `(${g.rd(f.d)} & ${~mask}) | ((${g.rd(f.n)} << ${f.i}) & ${mask})`));
    }
    case OpV7.BFC: {
      const mask = (-1 >>> (31 - f.k + f.i)) << f.i;
      return one(g.wr(f.d, `${g.rd(f.d)} & ${~mask}`));
    }
    case OpV7.SHIFT_reg:
      return one(shiftByRegister(g, (ins.word >>> 21) & 3, f.d, f.n, f.m, f.S === 1));
    case OpV7.CLZ:
      return one(g.wr(f.d, `Math.clz32(${g.rd(f.m)})`));
    case OpV7.MUL: {
      const w = g.wr(f.d, `Math.imul(${g.rd(f.n)}, ${g.rd(f.m)})`);
      return w === null ? null : { src: w, cycles: rowCycles(ins, g) };
    }
    case OpV7.UXTB:
    case OpV7.UXTH:
    case OpV7.SXTB:
    case OpV7.SXTH: {
      const rot = (ins.word >>> 1) & 0x18;
      const x = rot === 0 ? g.rd(f.m) : `((${g.rd(f.m)} >>> ${rot}) | (${g.rd(f.m)} << ${32 - rot}))`;
      const ext = {
        [OpV7.UXTB]: `${x} & 0xff`,
        [OpV7.UXTH]: `${x} & 0xffff`,
        [OpV7.SXTB]: `(${x} << 24) >> 24`,
        [OpV7.SXTH]: `(${x} << 16) >> 16`,
      }[op]!;
      return one(g.wr(f.d, ext));
    }
    default:
      return null;
  }
}

/** A single load or store: its address expression, size, sign, and register. */
interface Access {
  addr: string;
  size: 1 | 2 | 4;
  store: boolean;
  signed: boolean;
  t: number;
  /** ARMv7-M imm8 forms with W: Rn takes the offset address after the access (before Rt for loads). */
  writeback?: { n: number; off: string };
  /** LDR (literal): the address, known here. */
  literal?: number;
}

/** The single loads and stores with an inline form (registers read through g when given). */
function accessOf(ins: Insn, g?: Gen): Access | null {
  const rd = (k: number) => (g ? g.rd(k) : `r${k}`);
  if (ins.len === 4) return accessOfV7(ins, rd);
  const { t, n, m, i } = ins.f;
  const reg = () => `(${rd(n)} + ${rd(m)}) | 0`;
  const imm = (scale: number) => `(${rd(n)} + ${i << scale}) | 0`;
  const sp = `(R[13] + ${i << 2}) | 0`;
  const a = (addr: string, size: 1 | 2 | 4, store: boolean, signed = false, rt = t): Access => ({ addr, size, store, signed, t: rt });
  switch (ins.op) {
    case Op.STR_reg:
      return a(reg(), 4, true);
    case Op.STRH_reg:
      return a(reg(), 2, true);
    case Op.STRB_reg:
      return a(reg(), 1, true);
    case Op.LDR_reg:
      return a(reg(), 4, false);
    case Op.LDRH_reg:
      return a(reg(), 2, false);
    case Op.LDRB_reg:
      return a(reg(), 1, false);
    case Op.LDRSB_reg:
      return a(reg(), 1, false, true);
    case Op.LDRSH_reg:
      return a(reg(), 2, false, true);
    case Op.STR_imm:
      return a(imm(2), 4, true);
    case Op.LDR_imm:
      return a(imm(2), 4, false);
    case Op.STRB_imm:
      return a(imm(0), 1, true);
    case Op.LDRB_imm:
      return a(imm(0), 1, false);
    case Op.STRH_imm:
      return a(imm(1), 2, true);
    case Op.LDRH_imm:
      return a(imm(1), 2, false);
    case Op.STR_sp:
      return a(sp, 4, true);
    case Op.LDR_sp:
      return a(sp, 4, false);
    case Op.LDR_lit: {
      const address = (((ins.pc + 4) & ~3) + (i << 2)) >>> 0;
      return { ...a(`${address | 0}`, 4, false), literal: address };
    }
    default:
      return null;
  }
}

/** The ARMv7-M single loads and stores (instructions/v7m/load-store.ts) that have a plain inline form. */
const V7_SINGLES: Readonly<Record<number, { size: 1 | 2 | 4; store: boolean; signed: boolean; form: 'imm12' | 'imm8' | 'reg' }>> = {
  [OpV7.LDR_imm12]: { size: 4, store: false, signed: false, form: 'imm12' },
  [OpV7.LDR_imm8]: { size: 4, store: false, signed: false, form: 'imm8' },
  [OpV7.LDR_reg]: { size: 4, store: false, signed: false, form: 'reg' },
  [OpV7.LDRB_imm12]: { size: 1, store: false, signed: false, form: 'imm12' },
  [OpV7.LDRB_imm8]: { size: 1, store: false, signed: false, form: 'imm8' },
  [OpV7.LDRB_reg]: { size: 1, store: false, signed: false, form: 'reg' },
  [OpV7.LDRH_imm12]: { size: 2, store: false, signed: false, form: 'imm12' },
  [OpV7.LDRH_imm8]: { size: 2, store: false, signed: false, form: 'imm8' },
  [OpV7.LDRH_reg]: { size: 2, store: false, signed: false, form: 'reg' },
  [OpV7.LDRSB_imm12]: { size: 1, store: false, signed: true, form: 'imm12' },
  [OpV7.LDRSB_imm8]: { size: 1, store: false, signed: true, form: 'imm8' },
  [OpV7.LDRSB_reg]: { size: 1, store: false, signed: true, form: 'reg' },
  [OpV7.LDRSH_imm12]: { size: 2, store: false, signed: true, form: 'imm12' },
  [OpV7.LDRSH_imm8]: { size: 2, store: false, signed: true, form: 'imm8' },
  [OpV7.LDRSH_reg]: { size: 2, store: false, signed: true, form: 'reg' },
  [OpV7.STR_imm12]: { size: 4, store: true, signed: false, form: 'imm12' },
  [OpV7.STR_imm8]: { size: 4, store: true, signed: false, form: 'imm8' },
  [OpV7.STR_reg]: { size: 4, store: true, signed: false, form: 'reg' },
  [OpV7.STRB_imm12]: { size: 1, store: true, signed: false, form: 'imm12' },
  [OpV7.STRB_imm8]: { size: 1, store: true, signed: false, form: 'imm8' },
  [OpV7.STRB_reg]: { size: 1, store: true, signed: false, form: 'reg' },
  [OpV7.STRH_imm12]: { size: 2, store: true, signed: false, form: 'imm12' },
  [OpV7.STRH_imm8]: { size: 2, store: true, signed: false, form: 'imm8' },
  [OpV7.STRH_reg]: { size: 2, store: true, signed: false, form: 'reg' },
};

function accessOfV7(ins: Insn, rd: (k: number) => string): Access | null {
  const f = V7_SINGLES[ins.op];
  if (f === undefined) return null;
  const w = ins.word;
  const n = (w >>> 16) & 15,
    t = (w >>> 12) & 15;
  // Loads to SP or PC, Rn = PC and writeback to SP (the handler's push/pop cases) keep the handler.
  if (t >= 13 || n === 15) return null;
  if (f.form === 'imm12') return { addr: `(${rd(n)} + ${w & 0xfff}) | 0`, size: f.size, store: f.store, signed: f.signed, t };
  if (f.form === 'reg') {
    return { addr: `(${rd(n)} + (${rd(w & 15)} << ${(w >>> 4) & 3})) | 0`, size: f.size, store: f.store, signed: f.signed, t };
  }
  // imm8: P (0x400) indexes, U (0x200) adds, W (0x100) writes the offset address back to Rn.
  const writeback = (w & 0x100) !== 0;
  if (writeback && n === 13) return null;
  const off = `(${rd(n)} ${w & 0x200 ? '+' : '-'} ${w & 0xff}) | 0`;
  const index = (w & 0x400) !== 0;
  return {
    addr: index ? off : rd(n),
    size: f.size,
    store: f.store,
    signed: f.signed,
    t,
    writeback: writeback ? { n, off } : undefined,
  };
}

/**
 * The checker's call for one access. When the checker described itself when the region was
 * compiled (a CheckerShortcut: g.sc), its numbers are constants here and the passing accesses are
 * decided inline, as the checker would decide them: nothing for an instruction outside the code it
 * watches; inside, an access in the heap, the state or the live stack, or a load from the code,
 * recorded when it keeps a record. q (the region's entry found the same shortcut installed) guards
 * it; the rest goes to checkAccess, which asks the checker.
 */
function checkSource(g: Gen, a: string, size: number, kind: 'load' | 'store', value: string): string {
  const pc = hex(g.ins.pc);
  const call = `CK(cpu, ck, ${pc}, ${a} >>> 0, ${size}, '${kind}', ${value}, ic, cyc);`;
  const sc = g.sc;
  if (sc === undefined) return `if (ck !== null) ${call}`;
  if ((g.ins.pc - sc.pcStart) >>> 0 >= sc.pcLen) return `if (ck !== null && !q) ${call}`;
  const within = (start: number, end: number) => `(u - ${start >>> 0}) >>> 0 <= ${end - start - size}`;
  const pass =
    `${within(sc.heapStart, sc.heapEnd)} || ${within(sc.stateStart, sc.stateEnd)} || (u >= (R[13] >>> 0) && u + ${size} <= ${sc.stackTop >>> 0})` +
    (kind === 'load' ? ` || (u - ${sc.pcStart >>> 0}) >>> 0 < ${sc.pcLen}` : '');
  const record = sc.last === null ? '' : `LA.pc = ${pc}; LA.address = u; LA.kind = '${kind}';`;
  return `if (ck !== null) { const u = ${a} >>> 0; if (q && (${pass})) { ${record} } else ${call} }`;
}

/**
 * A load of `size` bytes from the int32 address in local `a` into `dest` (a statement prefix
 * such as "r3 =" or "v0 ="): the bus's SRAM fast path inline, its own read otherwise.
 */
function loadSource(g: Gen, size: 1 | 2 | 4, a: string, dest: string, signed = false): string {
  const arr = size === 4 ? 'sram32' : size === 2 ? 'sram16' : 'sram8';
  const shift = size === 4 ? 2 : size === 2 ? 1 : 0;
  const aligned = size === 1 ? '' : ` && (${a} & ${size - 1}) === 0`;
  const sign = signed ? (size === 1 ? '(v << 24) >> 24' : '(v << 16) >> 16') : 'v';
  return (
    `{ const o = (${a} - ${hex(SRAM_BASE)}) >>> 0; let v;` +
    ` if (o < sramSize${aligned}) { v = ${arr}[o >>> ${shift}]; ${checkSource(g, a, size, 'load', 'v')} }` +
    ` else v = SL(cpu, ${a}, ${size}, ${hex(g.ins.pc)}, ${g.ins.len}, cyc, ic); ${dest} ${sign}; }`
  );
}

/** A store of the int32 expression `value` (evaluated once, first) at the address in local `a`. */
function storeSource(g: Gen, size: 1 | 2 | 4, a: string, value: string): string {
  const arr = size === 4 ? 'sram32' : size === 2 ? 'sram16' : 'sram8';
  const shift = size === 4 ? 2 : size === 2 ? 1 : 0;
  const aligned = size === 1 ? '' : ` && (${a} & ${size - 1}) === 0`;
  const seen = size === 4 ? 'sv' : size === 2 ? 'sv & 0xffff' : 'sv & 0xff';
  return (
    `{ const sv = ${value}; const o = (${a} - ${hex(SRAM_BASE)}) >>> 0;` +
    ` if (o < sramSize${aligned}) { ${checkSource(g, a, size, 'store', seen)} ${arr}[o >>> ${shift}] = sv; dirty[o >>> ${PAGE_SHIFT}] = 1; }` +
    ` else SS(cpu, ${a}, ${size}, sv, ${hex(g.ins.pc)}, ${g.ins.len}, cyc, ic); }`
  );
}

/** singleAccessCycles (instructions/timing.ts): static when the previous instruction is known. */
function singleAccessCycles(g: Gen, base: number): string {
  if (!g.t.pipelinedAccess) {
    g.pendC += base;
    return 'lsa = ic + 1;';
  }
  if (g.prevAccess === null) return `cyc += lsa === ic ? ${base - 1} : ${base}; lsa = ic + 1;`;
  g.pendC += g.prevAccess ? base - 1 : base;
  return 'lsa = ic + 1;';
}

/** Inline source of a single load or store (the handlers of instructions/v6m.ts, v7m/load-store.ts). */
function accessSource(acc: Access, g: Gen): string {
  const base = rowCycles(g.ins, g);
  let body: string;
  if (acc.literal !== undefined && acc.literal + 4 <= g.cpu!.bus.flashSize) {
    // A literal in flash: its value is known (a host load into flash recompiles every region).
    const v = g.cpu!.bus.peek32(acc.literal) | 0;
    body = `{ const a = ${acc.literal | 0}; ${checkSource(g, 'a', 4, 'load', `${v}`)} ${g.wr(acc.t, `${v}`)} }`;
  } else if (acc.writeback !== undefined) {
    // The handlers' order: offset from the old Rn, access, write Rn back, then Rt (a load).
    const { n, off } = acc.writeback;
    const inner = acc.store
      ? `${storeSource(g, acc.size, 'a', g.rd(acc.t))} ${g.wr(n, 'wb')}`
      : `let lv; ${loadSource(g, acc.size, 'a', 'lv =', acc.signed)} ${g.wr(n, 'wb')} ${g.wr(acc.t, 'lv')}`;
    body = `{ const wb = ${off}; const a = ${acc.addr}; ${inner} }`;
  } else if (acc.store) {
    body = `{ const a = ${acc.addr}; ${storeSource(g, acc.size, 'a', g.rd(acc.t))} }`;
  } else {
    body = `{ const a = ${acc.addr}; let lv; ${loadSource(g, acc.size, 'a', 'lv =', acc.signed)} ${g.wr(acc.t, 'lv')} }`;
  }
  return `${body} ${singleAccessCycles(g, base)}`;
}

const regsOf = (list: number): number[] => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].filter((k) => (list >>> k) & 1);

/**
 * PUSH and POP, 16-bit or 32-bit (STMDB SP! and LDM SP!, with r8–r12 in reach): the registers
 * in order (LR among them), and whether the PC is popped; null for other instructions.
 */
function stackListOf(ins: Insn): { push: boolean; regs: number[]; pc: boolean } | null {
  const f = ins.f;
  const sp = (f.n ?? 13) === 13 && (f.W ?? 1) === 1;
  switch (ins.op) {
    case Op.PUSH:
      return { push: true, regs: regsOf(f.l | (f.M << 14)), pc: false };
    case Op.POP:
      return { push: false, regs: regsOf(f.l), pc: f.P === 1 };
    case OpV7.STMDB:
      return sp ? { push: true, regs: regsOf(f.l | (f.M << 14)), pc: false } : null;
    case OpV7.LDM_W:
      return sp ? { push: false, regs: regsOf(f.l | (f.M << 14)), pc: f.P === 1 } : null;
    default:
      return null;
  }
}

/** PUSH, POP (without the PC), LDM, STM inline (instructions/v6m.ts has the reference forms), or null. */
function multipleSource(ins: Insn, g: Gen): { src: string; cycles: number } | null {
  const t = g.t;
  const { l: list, n } = ins.f;
  const stack = stackListOf(ins);
  if (stack?.push) {
    const count = stack.regs.length;
    const stores = stack.regs.map((k, j) => `{ const a = (addr + ${4 * j}) | 0; ${storeSource(g, 4, 'a', g.rd(k))} }`).join(' ');
    // SP moves first (the stack check sees the new low before anything is written) and a faulting
    // store puts it back; PUSH.W whose new SP wraps below 0 stores first (storeMultiple): out of line.
    const push = `${g.setSP('addr')} try { ${stores} } catch (e) { R[13] = old; throw e; }`;
    const src =
      ins.op === Op.PUSH
        ? `{ const old = R[13]; const addr = (old - ${4 * count}) | 0; ${push} }`
        : `{ const old = R[13]; const addr = (old - ${4 * count}) | 0; if ((addr >>> 0) < (old >>> 0)) { ${push} }` +
          ` else PW(cpu, addr, [${stack.regs.map((k) => g.rd(k)).join(', ')}], ${hex(g.ins.pc)}, ${g.ins.len}, cyc, ic); }`;
    return { src, cycles: t.multipleBase + count };
  }
  if (stack !== null && !stack.pc) {
    // Load into temporaries first: a fault part-way must leave the registers as they were.
    const regs = stack.regs;
    const loads = regs.map((k, j) => `let v${k}; { const a = (base + ${4 * j}) | 0; ${loadSource(g, 4, 'a', `v${k} =`)} }`).join(' ');
    const assign = regs.map((k) => g.wr(k, `v${k}`)).join(' ');
    return {
      src: `{ const base = R[13]; ${loads} ${assign} ${g.setSP(`R[13] + ${4 * regs.length}`)} }`,
      cycles: t.multipleBase + regs.length,
    };
  }
  const regs = regsOf(list);
  switch (ins.op) {
    case Op.STM: {
      const stores = regs.map((k, j) => `{ const a = (base + ${4 * j}) | 0; ${storeSource(g, 4, 'a', g.rd(k))} }`).join(' ');
      return {
        src: `{ const base = ${g.rd(n)}; ${stores} ${g.wr(n, `(base + ${4 * regs.length}) | 0`)} }`,
        cycles: t.multipleBase + regs.length,
      };
    }
    case Op.LDM: {
      const loads = regs.map((k, j) => `let v${k}; { const a = (base + ${4 * j}) | 0; ${loadSource(g, 4, 'a', `v${k} =`)} }`).join(' ');
      const assign = regs.map((k) => g.wr(k, `v${k}`)).join(' ');
      const wb = (list >>> n) & 1 ? '' : g.wr(n, `(base + ${4 * regs.length}) | 0`);
      return { src: `{ const base = ${g.rd(n)}; ${loads} ${assign} ${wb} }`, cycles: t.multipleBase + regs.length };
    }
    default:
      return null;
  }
}

/** ConditionPassed (isa/condition.ts) as an expression over the flag fields. */
function condSource(cond: number): string {
  let e: string;
  switch (cond >>> 1) {
    case 0:
      e = 'cpu.fZ === 1';
      break;
    case 1:
      e = 'cpu.fC === 1';
      break;
    case 2:
      e = 'cpu.fN === 1';
      break;
    case 3:
      e = 'cpu.fV === 1';
      break;
    case 4:
      e = '(cpu.fC === 1 && cpu.fZ === 0)';
      break;
    case 5:
      e = 'cpu.fN === cpu.fV';
      break;
    case 6:
      e = '(cpu.fN === cpu.fV && cpu.fZ === 0)';
      break;
    default:
      return 'true';
  }
  return (cond & 1) === 1 ? `!(${e})` : e;
}

/** The registers a 32-bit row's handler may write: its register fields (a list: every register). */
const REGISTER_FIELDS = ['d', 't', 'v', 'n', 'h', 'l', 'a'];
function handlerWrites(ins: Insn): number[] | null {
  if (ins.len === 2 || ins.row === undefined) return null;
  const out: number[] = [];
  for (const name of REGISTER_FIELDS) {
    const bits = ins.row.fields[name];
    if (bits === undefined) continue;
    if (bits.length !== 4) return null;
    const k = ins.f[name];
    if (LOCAL(k)) out.push(k);
  }
  return out;
}

// ---- a region's source ----------------------------------------------------------------------

/** Compiles the region at pc (one instruction when step), or null when its first instruction cannot be fetched. */
function translate(
  cpu: Cpu,
  pc: number,
  step: boolean,
  extra: number[] = [],
  taken: (pc: number) => boolean = () => false,
  limit = MAX_REGION,
  ran: (pc: number) => boolean = () => true,
): Plan | null {
  const region = discover(cpu, pc, step, extra, limit, taken, ran);
  if (region === null) return null;
  const { insns, labels, returns } = region;
  const g = new Gen(insns[0], cpu);
  const t = cpu.t;
  const labelIds = new Map<number, number>();
  for (const l of [...labels].sort((a, b) => a - b)) labelIds.set(l, labelIds.size);
  const hasIT = insns.some((x) => x.it !== 0 || x.op === OpV7.IT);
  /** Per handler call: the registers it may write (null: any). */
  const reloads: (number[] | null)[] = [];

  const out: string[] = [];
  /** The register-only instructions since the last thing that can observe the flags (indices in out). */
  let pureRun: number[] = [];
  /**
   * Nothing can observe the flags between register-only instructions (they cannot fault or
   * call out): a flag one of them sets is dropped when a later one sets it again unread.
   */
  const endRun = (): void => {
    const live = new Set(['N', 'Z', 'C', 'V']);
    for (let j = pureRun.length - 1; j >= 0; j--) {
      let src = out[pureRun[j]];
      const kills = new Set([...src.matchAll(/cpu\.f([NZCV]) = /g)].map((x) => x[1]));
      for (const f of ['N', 'Z', 'C', 'V']) {
        if (!live.has(f)) src = src.replace(new RegExp(`cpu\\.f${f} ?= ?[^;]*;`, 'g'), '');
      }
      out[pureRun[j]] = src;
      for (const f of kills) live.delete(f);
      for (const x of src.matchAll(/cpu\.f([NZCV])(?!\s?=[^=])/g)) live.add(x[1]);
    }
    pureRun = [];
  };
  /** Label checks still to be given their largest segment cost: [index in out, cycles so far]. */
  let seg: { at: number; max: number } | null = null;
  const segs: { at: number; max: number }[] = [];
  const addMax = (c: number) => {
    if (seg) seg.max += c;
  };
  const openSeg = (check: (s: string) => string) => {
    seg = { at: out.length, max: 0 };
    segs.push(seg);
    out.push(check('@SEG@'));
  };

  /** Leaving after the current instruction: pending counts included (not reset: other paths go on). */
  // The counts go through xc/xi and are added on the way out: arithmetic on a path V8 has not
  // seen run costs a deoptimization when it first runs, plain stores do not.
  const exitTo = (xpc: string, xbp: number, xit: number | null): string =>
    `{ ${g.pendC ? `xc = ${g.pendC}; ` : ''}${g.pendI ? `xi = ${g.pendI}; ` : ''}xpc = ${xpc}; xbp = ${hex(xbp)};${hasIT ? ` xit = ${xit ?? -1};` : ''} break loop; }`;
  /** A jump to a label of this region, or leaving for an address outside it. */
  const goTo = (target: number, from: Insn): string => {
    const id = labelIds.get(target);
    if (id !== undefined && !step) return `{ ${g.flush()} bp = ${hex(from.pc)}; L = ${id}; continue loop; }`;
    const s = exitTo(hex(target), from.pc, 0);
    g.flush();
    return s;
  };

  for (let k = 0; k < insns.length; k++) {
    const ins = insns[k];
    g.ins = ins;
    const next = (ins.pc + ins.len) >>> 0;
    const prev = k > 0 ? insns[k - 1] : null;
    if (labels.has(ins.pc) || ins.it !== 0 || ins.op === OpV7.IT) endRun();
    if (labels.has(ins.pc) && (prev === null || ins.it === 0)) {
      // Falling into a label from the instruction before (when it falls through).
      if (prev !== null) out.push(`${g.flush()} bp = ${hex(prev.pc)};`);
      out.push(`case ${labelIds.get(ins.pc)}: // ${hex(ins.pc)}`);
      g.prevAccess = null;
      if (!step)
        openSeg((s) => `if (cyc + ${s} >= ea) { xpc = ${hex(ins.pc)}; xbp = bp;${hasIT ? ' xit = 0;' : ''} near = true; break loop; }`);
    }
    const itAfter = ins.it === 0 ? 0 : advanceIT(ins.it);
    const afterCheck = (): string => `if (cpu.eventAt !== ea) ${exitTo(hex(next), ins.pc, itAfter)}`;

    // ---- an instruction inside an IT block: its condition is known here ----
    if (ins.it !== 0) {
      const cond = condSource((ins.it >>> 4) & 15);
      const keepFlags = ins.len === 2 && cpu.decode.rows16[ins.word]?.enc.flagsOutsideIT === true;
      const pure = pureOf(ins, g, !keepFlags);
      const acc = pure === null && !keepFlags ? accessOf(ins, g) : null;
      if (pure !== null) {
        out.push(`${g.flush()} if (${cond}) { ${pure.src} cyc += ${pure.cycles}; } else cyc += 1; ic += 1;`);
        addMax(Math.max(pure.cycles, 1));
        g.prevAccess = false;
      } else if (acc !== null) {
        out.push(`${g.flush()} at = ${k}; if (${cond}) { ${accessSource(acc, g)} ${g.flush()} } else cyc += 1; ic += 1;`);
        out.push(afterCheck());
        addMax(rowCycles(ins, g));
        g.prevAccess = null;
      } else {
        emitHandler(k, cond, keepFlags);
        continue;
      }
      if (!fallsIntoIT(k)) out.push(goTo(next, ins));
      continue;
    }

    // ---- the IT instruction: ITSTATE is followed statically, nothing to run ----
    if (ins.op === OpV7.IT && !step) {
      g.pendC += 1;
      g.pendI += 1;
      addMax(1);
      g.prevAccess = false;
      continue;
    }

    const pure = pureOf(ins, g, true);
    if (pure !== null) {
      pureRun.push(out.length);
      out.push(pure.src);
      g.pendC += pure.cycles;
      g.pendI += 1;
      addMax(pure.cycles);
      g.prevAccess = false;
      if (!fallsInto(k)) {
        endRun();
        out.push(goTo(next, ins));
      }
      continue;
    }
    endRun();

    const acc = accessOf(ins, g);
    if (acc !== null) {
      out.push(`${g.flush()} at = ${k};`);
      out.push(accessSource(acc, g));
      g.pendI += 1;
      out.push(afterCheck());
      addMax(rowCycles(ins, g));
      g.prevAccess = true;
      if (!fallsInto(k)) out.push(goTo(next, ins));
      continue;
    }

    const multi = multipleSource(ins, g);
    if (multi !== null) {
      out.push(`${g.flush()} at = ${k};`);
      out.push(multi.src);
      g.pendC += multi.cycles;
      g.pendI += 1;
      out.push(afterCheck());
      addMax(multi.cycles);
      g.prevAccess = false;
      if (!fallsInto(k)) out.push(goTo(next, ins));
      continue;
    }

    if (emitSpecial(k)) continue;
    emitHandler(k, null, false);
  }

  /** Whether instruction k's fall-through successor is emitted right after it. */
  function fallsInto(k: number): boolean {
    const n = insns[k + 1];
    return n !== undefined && n.pc === (insns[k].pc + insns[k].len) >>> 0 && n.it === 0 && !(step && k === 0);
  }

  /**
   * A branch to the Thumb address in `tg` (not an EXC_RETURN): to a call's return point in this
   * region without leaving it, else out. Flushes the pending counts (both ways take them).
   */
  function indirect(ins: Insn): string {
    const cases = step
      ? ''
      : returns.map((r) => `case ${(r | 1) >>> 0}: bp = ${hex(ins.pc)}; L = ${labelIds.get(r)}; continue loop;`).join(' ');
    const flush = g.flush();
    return `{ ${flush}${cases ? ` switch (tg >>> 0) { ${cases} }` : ''} xpc = tg & -2; xbp = ${hex(ins.pc)};${hasIT ? ' xit = 0;' : ''} break loop; }`;
  }

  /** SP = value (one cycle): the stack check runs when SP reaches a new low, with this instruction's PC. */
  function spWrite(k: number, value: string): true {
    const ins = insns[k];
    out.push(`${g.flush()} at = ${k};`);
    out.push(g.setSP(value));
    g.pendC += 1;
    g.pendI += 1;
    addMax(1);
    g.prevAccess = false;
    if (!fallsInto(k)) out.push(goTo((ins.pc + ins.len) >>> 0, ins));
    return true;
  }

  /** SP adjustments and branches with an inline form; false for the rest. */
  function emitSpecial(k: number): boolean {
    const ins = insns[k];
    const i = ins.word;
    const next = (ins.pc + ins.len) >>> 0;
    switch (ins.op) {
      case Op.ADD_sp_imm7:
        return spWrite(k, `R[13] + ${ins.f.i << 2}`);
      case Op.SUB_sp_imm7:
        return spWrite(k, `R[13] - ${ins.f.i << 2}`);
      case Op.MOV_hi:
      case Op.ADD_hi: {
        if (((ins.f.D << 3) | ins.f.d) !== 13) return false;
        return spWrite(k, ins.op === Op.MOV_hi ? g.rd(ins.f.m) : `R[13] + ${g.rd(ins.f.m)}`);
      }
      case Op.B_cond:
      case OpV7.B_T3:
      case OpV7.CBZ: {
        const target = targetOf(ins)!;
        const cond =
          ins.op === OpV7.CBZ
            ? `${g.rd(i & 7)} ${(i >>> 11) & 1 ? '!==' : '==='} 0`
            : condSource(ins.op === Op.B_cond ? (i >>> 8) & 15 : (i >>> 22) & 15);
        // Both sides' counts added before the test, so the taken side is plain stores (see exitTo).
        g.pendI += 1;
        out.push(`${g.flush()} { const tk = ${cond}; cyc += tk ? ${t.branchTaken} : ${t.branchNotTaken};`);
        out.push(`if (tk) ${goTo(target, ins)} }`);
        addMax(Math.max(t.branchTaken, t.branchNotTaken));
        g.prevAccess = false;
        if (!fallsInto(k)) out.push(goTo(next, ins));
        return true;
      }
      case Op.B:
      case OpV7.B_T4: {
        g.pendC += t.branchTaken;
        g.pendI += 1;
        addMax(t.branchTaken);
        out.push(goTo(targetOf(ins)!, ins));
        return true;
      }
      case Op.BL: {
        out.push(g.wr(14, `${(ins.pc + 4) | 1 | 0}`)!);
        g.pendC += t.bl;
        g.pendI += 1;
        addMax(t.bl);
        out.push(goTo(targetOf(ins)!, ins));
        return true;
      }
      case Op.BX: {
        const m = (i >>> 3) & 15;
        if (m === 15) return false;
        // BXWritePC: a Thumb address that is not an EXC_RETURN just branches; the rest go to the core.
        out.push(`${g.flush()} at = ${k};`);
        g.pendC += t.branchTaken;
        g.pendI += 1;
        addMax(t.branchTaken);
        const slow = `{ ${g.syncSlow()} cpu.bxWritePC(tg); ${exitTo('cpu.npc', ins.pc, 0)} }`;
        out.push(`{ const tg = ${g.rd(m)}; if ((tg & 0xf0000001) === 1) ${indirect(ins)} else ${slow} }`);
        return true;
      }
      case Op.POP:
      case OpV7.LDM_W: {
        const stack = stackListOf(ins);
        if (stack === null || !stack.pc) return false;
        const regs = stack.regs;
        const count = regs.length + 1;
        out.push(`${g.flush()} at = ${k};`);
        const slots = [...regs.map((r) => `v${r}`), 'tg'];
        const loads = slots.map((v, j) => `let ${v}; { const a = (base + ${4 * j}) | 0; ${loadSource(g, 4, 'a', `${v} =`)} }`).join(' ');
        const assign = regs.map((r) => g.wr(r, `v${r}`)).join(' ');
        g.pendC += t.popPcBase + count;
        g.pendI += 1;
        addMax(t.popPcBase + count);
        const slow = `{ ${g.syncSlow()} cpu.bxWritePC(tg); ${exitTo('cpu.npc', ins.pc, 0)} }`;
        out.push(
          `{ const base = R[13]; ${loads} ${assign} ${g.setSP(`R[13] + ${4 * count}`)} if ((tg & 0xf0000001) === 1) ${indirect(ins)} else ${slow} }`,
        );
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * A call of the row's handler, with the interpreter's state around it: every register local
   * written back, the counters and PCs; after it, the registers it may write read back. Inside
   * an IT block (cond given) it runs as the interpreter's IT step runs it.
   */
  function emitHandler(k: number, cond: string | null, keepFlags: boolean): void {
    const ins = insns[k];
    const next = (ins.pc + ins.len) >>> 0;
    const h = g.handlers.length;
    g.handlers.push(ins.handler);
    const writes = handlerWrites(ins);
    out.push(`${g.flush()} at = ${k};`);
    out.push(`@WRITEBACK@ cpu.cycles = cyc; cpu.instructions = ic; cpu.lastSingleAccess = lsa;`);
    out.push(`cpu.pc = ${hex(ins.pc)}; bus.pc = ${hex(ins.pc)}; cpu.npc = ${hex(next)};`);
    const call = `H${h}(cpu, ${ins.word});`;
    if (cond !== null) {
      const body = keepFlags
        ? `{ const n = cpu.fN, z = cpu.fZ, c = cpu.fC, v = cpu.fV; ${call} cpu.fN = n; cpu.fZ = z; cpu.fC = c; cpu.fV = v; }`
        : call;
      out.push(`cpu.itstate = ${ins.it}; hx = 1; if (${cond}) ${body} else cpu.cycles += 1; hx = 0; cpu.advanceIT();`);
    } else {
      // A handler reads ITSTATE (the IT-block rules): outside IT blocks it is 0.
      out.push(`${hasIT ? 'cpu.itstate = 0; ' : ''}hx = 1; ${call} hx = 0;`);
    }
    // The registers it may write are read back, those the region keeps in locals (resolved at the end).
    reloads.push(writes);
    out.push(
      `@RELOAD${h}@ cyc = cpu.cycles; ic = cpu.instructions + 1; lsa = cpu.lastSingleAccess; ck = bus.checker; ea = cpu.eventAt; ${guardSource(g.sc)}`,
    );
    g.prevAccess = null;
    // The handler may have moved bus.pc (exception entry stacks with the core's own PC): kept.
    const leave = `{ xpc = cpu.npc; xbp = bus.pc;${hasIT ? ' xit = -1;' : ''} break loop; }`;
    if (k === insns.length - 1 || flowOf(ins) !== 'next' || step) {
      out.push(leave);
      return;
    }
    out.push(`if (cpu.npc !== ${hex(next)} || cyc >= ea) ${leave}`);
    if (!fallsInto(k) && ins.it === 0) {
      out.push(goTo(next, ins));
      return;
    }
    // A new segment: what follows up to the next label must end before the next event.
    if (!step)
      openSeg((s) => `if (cyc + ${s} >= ea) { xpc = ${hex(next)}; xbp = bus.pc;${hasIT ? ' xit = -1;' : ''} near = true; break loop; }`);
    if (ins.it !== 0 && !fallsIntoIT(k)) out.push(exitTo(hex(next), ins.pc, advanceIT(ins.it)));
  }

  /** Inside an IT block, the next instruction of the block (or the one after it) is next in order. */
  function fallsIntoIT(k: number): boolean {
    const n = insns[k + 1];
    return n !== undefined && n.pc === (insns[k].pc + insns[k].len) >>> 0;
  }

  endRun();
  // The last instruction, if it falls through, leaves for its successor.
  const lastIns = insns[insns.length - 1];
  g.ins = lastIns;
  out.push(exitTo(hex((lastIns.pc + lastIns.len) >>> 0), lastIns.pc, lastIns.it === 0 ? 0 : advanceIT(lastIns.it)));

  // Each check's segment: the largest cycles of what follows it up to the next check.
  for (const s of segs) out[s.at] = out[s.at].replace('@SEG@', `${s.max}`);
  const used = [...g.used].sort((a, b) => a - b);
  const written = [...g.written].sort((a, b) => a - b);
  const writeback = written.map((r) => `R[${r}] = r${r};`).join(' ');
  const reloadOf = (w: number[] | null) =>
    (w ?? used)
      .filter((r) => g.used.has(r))
      .map((r) => `r${r} = R[${r}];`)
      .join(' ');
  const body = out
    .join('\n')
    .replaceAll('@WRITEBACK@', writeback)
    .replace(/@RELOAD(\d+)@/g, (_m, h: string) => reloadOf(reloads[Number(h)]));

  const pcs = new Int32Array(insns.map((x) => x.pc));
  const nxs = new Int32Array(insns.map((x) => (x.pc + x.len) | 0));
  const its = new Int32Array(insns.map((x) => x.it));
  const source = [
    'const R = cpu.r, bus = cpu.bus, sram32 = bus.sram32, sram16 = bus.sram16, sram8 = bus.sram, dirty = bus.dirty, sramSize = bus.sramSize;',
    'let ck = bus.checker, cyc = cpu.cycles, ic = cpu.instructions, lsa = cpu.lastSingleAccess, ea = cpu.eventAt, bp = bus.pc;',
    `let at = 0, hx = 0, xpc = 0, xbp = 0, xit = 0, xc = 0, xi = 0, near = false, L = label;`,
    'let q = false, LA = null;',
    guardSource(g.sc),
    used.length ? `let ${used.map((r) => `r${r} = R[${r}]`).join(', ')};` : '',
    'try {',
    'loop: for (;;) { switch (L) {',
    body,
    '} }',
    '} catch (e) {',
    `if (hx === 0) { ${writeback} cpu.cycles = cyc; cpu.instructions = ic; cpu.lastSingleAccess = lsa; cpu.pc = PCS[at] >>> 0; bus.pc = PCS[at] >>> 0; cpu.npc = NXS[at] >>> 0;${hasIT ? ' cpu.itstate = ITS[at];' : ''} }`,
    'throw e;',
    '}',
    `${writeback} cpu.cycles = cyc + xc; cpu.instructions = ic + xi; cpu.lastSingleAccess = lsa; cpu.pc = xpc >>> 0; cpu.npc = xpc >>> 0; bus.pc = xbp >>> 0;${hasIT ? ' if (xit >= 0) cpu.itstate = xit;' : ''}`,
    'return near;',
  ].join('\n');
  // V8 does not optimize a function past 60 KB of bytecode: a region that big is made smaller.
  if (source.length > MAX_SOURCE && insns.length > 8) return translate(cpu, pc, step, extra, taken, Math.floor(insns.length * 0.7), ran);
  const handlerDecls = g.handlers.map((_, k) => `const H${k} = H[${k}];`).join(' ');
  // Compiling is the expensive part (scenarios make many machines): one function per source and
  // core, shared by every Cpu. It reads the bus from the Cpu, so V8 optimizes it once for all.
  const key = `${cpu.profile.name}\n${source}`;
  let run = FACTORIES.get(key);
  if (run === undefined) {
    const factory = new Function(
      'H',
      'PCS',
      'NXS',
      'ITS',
      'SL',
      'SS',
      'SP',
      'CK',
      'PW',
      `${handlerDecls}\nreturn function region_${pc.toString(16)}(cpu, label) {\n${source}\n};`,
    ) as Factory;
    run = factory(g.handlers, pcs, nxs, its, slowLoad, slowStore, slowSP, checkAccess, pushWrapping);
    if (FACTORIES.size >= MAX_FACTORIES) FACTORIES.clear();
    FACTORIES.set(key, run);
  }
  let sramCode: Uint16Array | null = null;
  const sramOffset = (pc - SRAM_BASE) >>> 0;
  if (region.inSram) {
    const last = insns[insns.length - 1];
    const bytes = cpu.bus.peek(pc, last.pc + last.len - pc);
    sramCode = new Uint16Array(bytes.length >>> 1);
    for (let k = 0; k < sramCode.length; k++) sramCode[k] = bytes[2 * k] | (bytes[2 * k + 1] << 8);
  }
  return { run, labels: labelIds, entry: pc, extra, code: insns.map((x) => x.pc), stops: region.stops, sramCode, sramOffset };
}
