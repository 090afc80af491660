// The block translator: a second executor (executor.ts) that compiles Thumb basic blocks to
// JavaScript functions (generated source through `new Function`) and runs those instead of
// dispatching each instruction. It must be indistinguishable from the interpreter: the same
// registers, flags, memory, cycles, instruction count, checker calls (same PC, address, size,
// kind and value, in the same order) and fault reports, and every event taken at the same
// instruction boundary. How that is kept:
//
// - A block is the run of instructions from one address up to the first one that always leaves
//   it (B, BL, BX, BLX, POP {…,PC}, a write to the PC, SVC, BKPT, UDF, IT, exception return)
//   or MAX_BLOCK instructions. A conditional branch does not end a block: the taken side exits.
// - The frequent ARMv6-M instructions are generated inline from the same pseudocode as their
//   handlers (instructions/v6m.ts); everything else calls the row's own handler, with cpu.pc,
//   bus.pc and cpu.npc set exactly as the interpreter sets them. After a handler, a changed npc
//   (any branch, exception entry or return) ends the block.
// - Before anything that can fault or call a checker (a load, a store, an SP write, a handler),
//   cpu.pc, bus.pc and cpu.npc are those of the instruction, so reports are the interpreter's.
// - Events: the interpreter runs while cycles < eventAt. A block checks the same condition after
//   every instruction, except where it has proved the check cannot fire: on entry, and after each
//   handler call, it adds the largest number of cycles the inline instructions up to the next
//   handler can take; if that stays below eventAt, their checks are skipped (inline code cannot
//   move eventAt). The check after a handler is always made.
// - Blocks start only outside IT blocks (ITSTATE = 0); inside one, the interpreter's IT step runs
//   (every instruction of an IT block is an event boundary there, and here too).
// - Cache: one slot per halfword of flash (flash cannot be written by the firmware; a host load
//   into flash flushes the cache), a map for SRAM. A block in SRAM keeps a copy of its code and
//   is recompiled when the code changed; it ends after its first store, so it cannot overwrite
//   itself while running.

import { type Bus, PAGE_SHIFT } from './bus.ts';
import type { Cpu } from './cpu.ts';
import type { Executor } from './executor.ts';
import { interpreter } from './executor.ts';
import { decodeExec32 } from './isa/decoder.ts';
import { type Handler, is32bit, Op } from './isa/encodings.ts';
import { OpV7 } from './isa/encodings-v7m.ts';
import { SRAM_BASE } from './memory-map.ts';

/** Longest block, in instructions. */
const MAX_BLOCK = 64;

type BlockFn = (cpu: Cpu) => void;
type Factory = (...args: unknown[]) => BlockFn;

/** Compiled blocks by core and source, shared by every Cpu of the process. */
const FACTORIES = new Map<string, BlockFn>();
const MAX_FACTORIES = 20_000;

/** A translated block before it is bound to a bus. */
interface Plan {
  run: BlockFn;
  /** For SRAM blocks: the halfwords compiled, checked before each run. */
  sramCode: Uint16Array | null;
  sramOffset: number;
}

/** One decoded instruction of a block. */
interface Insn {
  pc: number;
  len: 2 | 4;
  /** The halfword, or hw1 << 16 | hw2. */
  word: number;
  op: number;
  handler: Handler;
  /** For B, B.W and BL: the block goes on at the target (straight-line code across the branch). */
  follow?: number;
  /** For IT: the block goes on through the IT block, which starts with this ITSTATE. */
  itStart?: number;
  /** For an instruction in an IT block: ITSTATE before it. */
  it?: number;
}

/** Flash plans of one image on one core, shared by every Cpu that runs that image. */
interface ImagePlans {
  /** Halfword index of a block's first instruction → its index in plans (0: not translated yet). */
  slot: Int32Array;
  plans: (Plan | null)[];
  /** Times each address was reached untranslated: a block is compiled once it is warm. */
  heat: Uint8Array;
}

/**
 * Lookups of an address before its block is compiled (the interpreter runs it meanwhile).
 * Compiling (`new Function`) costs about as much as interpreting a block a few hundred times,
 * so code that runs a handful of times (most of a short scenario) is not worth it.
 */
const WARM = 32;

const IMAGES = new Map<string, ImagePlans>();
const MAX_IMAGES = 64;

/** The plans of the image in this Cpu's flash: scenarios make many machines of one image. */
function imagePlans(cpu: Cpu): ImagePlans {
  const bus = cpu.bus;
  // Flash above the highest host load is all zero: only the image itself is hashed.
  const words = new Int32Array(bus.flash.buffer, bus.flash.byteOffset, Math.ceil(bus.flashLoadedEnd / 4));
  let h = 0x811c9dc5;
  for (let k = 0; k < words.length; k++) h = Math.imul(h ^ words[k], 0x01000193);
  const key = `${cpu.profile.name}:${bus.flashSize}:${bus.flashLoadedEnd}:${h >>> 0}`;
  let image = IMAGES.get(key);
  if (image === undefined) {
    if (IMAGES.size >= MAX_IMAGES) IMAGES.clear();
    image = { slot: new Int32Array(bus.flashSize >>> 1), plans: [null], heat: new Uint8Array(bus.flashSize >>> 1) };
    IMAGES.set(key, image);
  }
  return image;
}

export interface TranslatorOptions {
  /** Lookups of an address before its block is compiled (default WARM; 0 compiles at once). */
  warm?: number;
}

/** Creates a translator executor; each Cpu gets its own (its bound blocks belong to one bus). */
export function createTranslator(options: TranslatorOptions = {}): Executor {
  const warm = Math.min(255, options.warm ?? WARM);
  let image: ImagePlans = { slot: new Int32Array(0), plans: [null], heat: new Uint8Array(0) };
  let fns: (BlockFn | undefined)[] = [];
  let sramBlocks = new Map<number, { plan: Plan; run: BlockFn }>();
  let seenLoads = -1;
  let owner: Cpu | null = null;
  const stepBlocks = new Map<string, Plan>();

  function flush(cpu: Cpu): void {
    image = imagePlans(cpu);
    fns = [];
    sramBlocks = new Map();
    stepBlocks.clear();
    seenLoads = cpu.bus.codeLoads;
    owner = cpu;
  }

  function lookup(cpu: Cpu, pc: number): BlockFn | null {
    const bus = cpu.bus;
    if (pc < bus.flashSize) {
      let k = image.slot[pc >>> 1];
      if (k === 0) {
        if (image.heat[pc >>> 1] < warm) {
          image.heat[pc >>> 1]++;
          return null;
        }
        const plan = translate(cpu, pc, MAX_BLOCK);
        if (plan === null) return null;
        k = image.plans.push(plan) - 1;
        image.slot[pc >>> 1] = k;
      }
      let f = fns[k];
      if (f === undefined) {
        f = bind(image.plans[k]!, bus);
        fns[k] = f;
      }
      return f;
    }
    // Outside SRAM too (the host call's return trap, unmapped code): nothing to translate.
    if ((pc - SRAM_BASE) >>> 0 >= bus.sramSize) return null;
    let b = sramBlocks.get(pc);
    if (b !== undefined && !sramCodeUnchanged(bus, b.plan)) b = undefined;
    if (b === undefined) {
      const plan = translate(cpu, pc, MAX_BLOCK);
      if (plan === null) return null;
      b = { plan, run: bind(plan, bus) };
      sramBlocks.set(pc, b);
    }
    return b.run;
  }

  return {
    name: 'translator',
    run(cpu: Cpu): void {
      if (cpu.itstate !== 0) {
        interpreter.run(cpu);
        return;
      }
      if (owner !== cpu || cpu.bus.codeLoads !== seenLoads) flush(cpu);
      do {
        const f = lookup(cpu, cpu.pc);
        if (f === null) {
          // Not warm yet, or not translatable here (a fetch faults, or a 32-bit instruction
          // straddles the end of memory): the interpreter runs it (and raises the same fault).
          // The interpreter runs the stretch up to the next branch (where the next lookup is).
          let from: number;
          do {
            from = cpu.pc;
            interpreter.step(cpu);
          } while (cpu.cycles < cpu.eventAt && cpu.itstate === 0 && (cpu.pc - from === 2 || cpu.pc - from === 4));
          continue;
        }
        f(cpu);
      } while (cpu.cycles < cpu.eventAt && cpu.itstate === 0);
    },
    step(cpu: Cpu): void {
      if (cpu.itstate !== 0) {
        interpreter.step(cpu);
        return;
      }
      // One-instruction blocks, keyed by address and encoding (the conformance harness loads
      // new code at one address for every case).
      const pc = cpu.pc;
      let key: string;
      try {
        const hw1 = cpu.bus.fetch16(pc);
        key = `${pc}:${hw1}:${is32bit(hw1) ? cpu.bus.fetch16((pc + 2) >>> 0) : -1}`;
      } catch {
        interpreter.step(cpu);
        return;
      }
      let plan = stepBlocks.get(key);
      if (plan === undefined) {
        const t = translate(cpu, pc, 1);
        if (t === null) {
          interpreter.step(cpu);
          return;
        }
        plan = t;
        if (stepBlocks.size > 50_000) stepBlocks.clear();
        stepBlocks.set(key, plan);
      }
      bind(plan, cpu.bus)(cpu); // a one-instruction block always returns after it
    },
  };
}

function sramCodeUnchanged(bus: Bus, b: Plan): boolean {
  const code = b.sramCode!;
  const sram = bus.sram;
  let o = b.sramOffset;
  for (let k = 0; k < code.length; k++, o += 2) {
    if ((sram[o] | (sram[o + 1] << 8)) !== code[k]) return false;
  }
  return true;
}

// ---- decoding a block ---------------------------------------------------------------------

/** Ops after which the block always ends (the next instruction is not at pc + len). */
function endsBlock(ins: Insn): boolean {
  switch (ins.op) {
    case Op.B:
    case Op.BL:
    case Op.BX:
    case Op.BLX:
    case Op.SVC:
    case Op.BKPT:
    case Op.UDF:
    case Op.UDF_W:
    case Op.CPS:
    case Op.MSR:
    case OpV7.IT:
    case OpV7.B_T4:
    case OpV7.TBB:
    case OpV7.TBH:
    case OpV7.CPS_v7:
      return true;
    case Op.POP:
      return ((ins.word >>> 8) & 1) === 1;
    case Op.ADD_hi:
    case Op.MOV_hi:
      return (((ins.word >>> 4) & 8) | (ins.word & 7)) === 15;
    case Op.HINT:
      return ((ins.word >>> 4) & 15) === 2 || ((ins.word >>> 4) & 15) === 3; // WFE, WFI
    default:
      return ins.op === Op.UNDEFINED;
  }
}

function decodeAt(cpu: Cpu, pc: number): Insn | null {
  let hw1: number;
  try {
    hw1 = cpu.bus.fetch16(pc);
  } catch {
    return null;
  }
  if (!is32bit(hw1)) {
    const row = cpu.decode.rows16[hw1];
    return { pc, len: 2, word: hw1, op: row ? row.enc.op : Op.UNDEFINED, handler: cpu.dispatch16[hw1] };
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
    return { pc, len: 4, word: hw1, op: Op.UNDEFINED, handler: cpu.dispatch16[hw1] };
  }
  const row = cpu.decode.cands32[hw1]?.find((c) => (word & c.mask) >>> 0 === c.value);
  return { pc, len: 4, word, op: row ? row.enc.op : -1, handler: h };
}

// ---- code generation ----------------------------------------------------------------------

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** What the generated source of one instruction needs from its surroundings. */
interface Gen {
  cpu: Cpu;
  handlers: Handler[];
}

/**
 * Inline source for an instruction that touches only registers r0–r12, the flags and cycles
 * (it cannot fault, call a checker or read the PC), or null. `max` is its largest cycle count.
 */
function inlinePure(ins: Insn, g: Gen): { src: string; max: number } | null {
  const i = ins.word;
  const d = i & 7,
    m = (i >>> 3) & 7,
    n6 = (i >>> 6) & 7,
    imm5 = (i >>> 6) & 31,
    d8 = (i >>> 8) & 7,
    imm8 = i & 0xff;
  const nz = (v: string) => `cpu.fN = ${v} >>> 31; cpu.fZ = ${v} === 0 ? 1 : 0;`;
  // AddWithCarry into `res`, flags set; x and y are int32 expressions.
  const awc = (x: string, y: string, carry: string, dest: string | null) =>
    `{ const x = ${x}, y = ${y}; const u = (x >>> 0) + (y >>> 0) + ${carry}; const res = u | 0; ${dest === null ? '' : `${dest} = res;`}` +
    ` cpu.fN = res >>> 31; cpu.fZ = res === 0 ? 1 : 0; cpu.fC = u > 0xffffffff ? 1 : 0; cpu.fV = ((x ^ res) & (y ^ res)) >>> 31; }`;
  const one = (src: string) => ({ src: `${src} cpu.cycles += 1;`, max: 1 });
  switch (ins.op) {
    case Op.LSLS_imm:
      if (imm5 === 0) return one(`{ const res = r[${m}]; r[${d}] = res; ${nz('res')} }`);
      return one(`{ const x = r[${m}]; cpu.fC = (x >>> ${32 - imm5}) & 1; const res = x << ${imm5}; r[${d}] = res; ${nz('res')} }`);
    case Op.LSRS_imm:
      if (imm5 === 0) return one(`{ cpu.fC = r[${m}] >>> 31; r[${d}] = 0; cpu.fN = 0; cpu.fZ = 1; }`);
      return one(`{ const x = r[${m}]; cpu.fC = (x >>> ${imm5 - 1}) & 1; const res = (x >>> ${imm5}) | 0; r[${d}] = res; ${nz('res')} }`);
    case Op.ASRS_imm: {
      const sh = imm5 === 0 ? 32 : imm5;
      return one(
        `{ const x = r[${m}]; cpu.fC = (x >>> ${sh - 1}) & 1; const res = x >> ${Math.min(sh, 31)}; r[${d}] = res; ${nz('res')} }`,
      );
    }
    case Op.ADDS_reg:
      return one(awc(`r[${m}]`, `r[${n6}]`, '0', `r[${d}]`));
    case Op.SUBS_reg:
      return one(awc(`r[${m}]`, `~r[${n6}]`, '1', `r[${d}]`));
    case Op.ADDS_imm3:
      return one(awc(`r[${m}]`, `${n6}`, '0', `r[${d}]`));
    case Op.SUBS_imm3:
      return one(awc(`r[${m}]`, `${~n6}`, '1', `r[${d}]`));
    case Op.MOVS_imm:
      return one(`r[${d8}] = ${imm8}; cpu.fN = 0; cpu.fZ = ${imm8 === 0 ? 1 : 0};`);
    case Op.CMP_imm:
      return one(awc(`r[${d8}]`, `${~imm8}`, '1', null));
    case Op.ADDS_imm8:
      return one(awc(`r[${d8}]`, `${imm8}`, '0', `r[${d8}]`));
    case Op.SUBS_imm8:
      return one(awc(`r[${d8}]`, `${~imm8}`, '1', `r[${d8}]`));
    case Op.ANDS:
      return one(`{ const res = r[${d}] & r[${m}]; r[${d}] = res; ${nz('res')} }`);
    case Op.EORS:
      return one(`{ const res = r[${d}] ^ r[${m}]; r[${d}] = res; ${nz('res')} }`);
    case Op.ORRS:
      return one(`{ const res = r[${d}] | r[${m}]; r[${d}] = res; ${nz('res')} }`);
    case Op.BICS:
      return one(`{ const res = r[${d}] & ~r[${m}]; r[${d}] = res; ${nz('res')} }`);
    case Op.MVNS:
      return one(`{ const res = ~r[${m}]; r[${d}] = res; ${nz('res')} }`);
    case Op.TST:
      return one(`{ const res = r[${d}] & r[${m}]; ${nz('res')} }`);
    case Op.MULS:
      return {
        src: `{ const res = Math.imul(r[${m}], r[${d}]); r[${d}] = res; ${nz('res')} } cpu.cycles += ${g.cpu.t.mul};`,
        max: g.cpu.t.mul,
      };
    case Op.ADCS:
      return one(awc(`r[${d}]`, `r[${m}]`, 'cpu.fC', `r[${d}]`));
    case Op.SBCS:
      return one(awc(`r[${d}]`, `~r[${m}]`, 'cpu.fC', `r[${d}]`));
    case Op.RSBS:
      return one(awc(`~r[${m}]`, '0', '1', `r[${d}]`));
    case Op.CMP_reg:
      return one(awc(`r[${d}]`, `~r[${m}]`, '1', null));
    case Op.CMN:
      return one(awc(`r[${d}]`, `r[${m}]`, '0', null));
    case Op.SXTH:
      return one(`r[${d}] = (r[${m}] << 16) >> 16;`);
    case Op.SXTB:
      return one(`r[${d}] = (r[${m}] << 24) >> 24;`);
    case Op.UXTH:
      return one(`r[${d}] = r[${m}] & 0xffff;`);
    case Op.UXTB:
      return one(`r[${d}] = r[${m}] & 0xff;`);
    case Op.ADR:
      return one(`r[${d8}] = ${((((ins.pc + 4) & ~3) + (imm8 << 2)) | 0).toString()};`);
    case Op.ADD_sp_imm8:
      return one(`r[${d8}] = (r[13] + ${imm8 << 2}) | 0;`);
    case Op.MOV_hi: {
      const dd = ((i >>> 4) & 8) | d,
        mm = (i >>> 3) & 15;
      if (dd === 13 || dd === 15 || mm === 15) return null; // SP writes check the stack; PC reads and writes
      return one(`r[${dd}] = r[${mm}];`);
    }
    case Op.ADD_hi: {
      const dd = ((i >>> 4) & 8) | d,
        mm = (i >>> 3) & 15;
      if (dd === 13 || dd === 15 || mm === 15) return null;
      return one(`r[${dd}] = (r[${dd}] + r[${mm}]) | 0;`);
    }
    case Op.CMP_hi: {
      const nn = ((i >>> 4) & 8) | d,
        mm = (i >>> 3) & 15;
      if (nn === 15 || mm === 15) return null;
      return one(awc(`r[${nn}]`, `~r[${mm}]`, '1', null));
    }
    case Op.HINT: {
      const h = (i >>> 4) & 15;
      if (h === 2 || h === 3) return null; // WFE, WFI
      return h === 4 ? one('cpu.eventRegister = 1;') : one('');
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
}

function accessOf(ins: Insn): Access | null {
  const i = ins.word;
  const t = i & 7,
    n = (i >>> 3) & 7,
    mreg = (i >>> 6) & 7,
    imm5 = (i >>> 6) & 31;
  const reg = `(r[${n}] + r[${mreg}]) | 0`;
  const imm = (scale: number) => `(r[${n}] + ${imm5 << scale}) | 0`;
  const sp = `(r[13] + ${(i & 0xff) << 2}) | 0`;
  const a = (addr: string, size: 1 | 2 | 4, store: boolean, signed = false, rt = t): Access => ({ addr, size, store, signed, t: rt });
  switch (ins.op) {
    case Op.STR_reg:
      return a(reg, 4, true);
    case Op.STRH_reg:
      return a(reg, 2, true);
    case Op.STRB_reg:
      return a(reg, 1, true);
    case Op.LDR_reg:
      return a(reg, 4, false);
    case Op.LDRH_reg:
      return a(reg, 2, false);
    case Op.LDRB_reg:
      return a(reg, 1, false);
    case Op.LDRSB_reg:
      return a(reg, 1, false, true);
    case Op.LDRSH_reg:
      return a(reg, 2, false, true);
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
      return a(sp, 4, true, false, (i >>> 8) & 7);
    case Op.LDR_sp:
      return a(sp, 4, false, false, (i >>> 8) & 7);
    case Op.LDR_lit:
      return a(`${(((ins.pc + 4) & ~3) + ((i & 0xff) << 2)) | 0}`, 4, false, false, (i >>> 8) & 7);
    default:
      return accessOfV7(ins);
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

function accessOfV7(ins: Insn): Access | null {
  const f = V7_SINGLES[ins.op];
  if (f === undefined) return null;
  const w = ins.word;
  const n = (w >>> 16) & 15,
    t = (w >>> 12) & 15;
  // Loads to SP or PC, Rn = PC and writeback to SP (the handler's push/pop cases) keep the handler.
  if (t >= 13 || n === 15) return null;
  if (f.form === 'imm12') return { addr: `(r[${n}] + ${w & 0xfff}) | 0`, size: f.size, store: f.store, signed: f.signed, t };
  if (f.form === 'reg') {
    return { addr: `(r[${n}] + (r[${w & 15}] << ${(w >>> 4) & 3})) | 0`, size: f.size, store: f.store, signed: f.signed, t };
  }
  // imm8: P (0x400) indexes, U (0x200) adds, W (0x100) writes the offset address back to Rn.
  const writeback = (w & 0x100) !== 0;
  if (writeback && n === 13) return null;
  const off = `(r[${n}] ${w & 0x200 ? '+' : '-'} ${w & 0xff}) | 0`;
  const index = (w & 0x400) !== 0;
  return {
    addr: index ? off : `r[${n}]`,
    size: f.size,
    store: f.store,
    signed: f.signed,
    t,
    writeback: writeback ? { n, off } : undefined,
  };
}

/** singleAccessCycles (instructions/timing.ts) with the core's constants folded in. */
function singleAccessSource(g: Gen, base: number): string {
  return g.cpu.t.pipelinedAccess
    ? `{ const follows = cpu.lastSingleAccess === cpu.instructions; cpu.lastSingleAccess = cpu.instructions + 1; cpu.cycles += follows ? ${base - 1} : ${base}; }`
    : `cpu.lastSingleAccess = cpu.instructions + 1; cpu.cycles += ${base};`;
}

/**
 * A load of `size` bytes from the int32 address in local `a` into `dest` (a statement prefix
 * such as "r[3] =" or "const v0 ="): the bus's SRAM fast path inline, its own read otherwise.
 */
function loadSource(size: 1 | 2 | 4, a: string, dest: string, signed = false): string {
  const arr = size === 4 ? 'sram32' : size === 2 ? 'sram16' : 'sram8';
  const shift = size === 4 ? 2 : size === 2 ? 1 : 0;
  const aligned = size === 1 ? '' : ` && (${a} & ${size - 1}) === 0`;
  const sign = signed ? (size === 1 ? '(v << 24) >> 24' : '(v << 16) >> 16') : 'v';
  return (
    `{ const o = (${a} - ${hex(SRAM_BASE)}) >>> 0; let v;` +
    ` if (o < sramSize${aligned}) { v = ${arr}[o >>> ${shift}]; const ck = bus.checker; if (ck !== null) ck(@PC@, ${a} >>> 0, ${size}, 'load', v); }` +
    ` else v = bus.read${size * 8}(${a}); ${dest} ${sign}; }`
  );
}

/** A store of the int32 expression `value` (evaluated once, first) at the address in local `a`. */
function storeSource(size: 1 | 2 | 4, a: string, value: string): string {
  const arr = size === 4 ? 'sram32' : size === 2 ? 'sram16' : 'sram8';
  const shift = size === 4 ? 2 : size === 2 ? 1 : 0;
  const aligned = size === 1 ? '' : ` && (${a} & ${size - 1}) === 0`;
  const seen = size === 4 ? 'sv' : size === 2 ? 'sv & 0xffff' : 'sv & 0xff';
  return (
    `{ const sv = ${value}; const o = (${a} - ${hex(SRAM_BASE)}) >>> 0;` +
    ` if (o < sramSize${aligned}) { const ck = bus.checker; if (ck !== null) ck(@PC@, ${a} >>> 0, ${size}, 'store', ${seen}); ${arr}[o >>> ${shift}] = sv; dirty[o >>> ${PAGE_SHIFT}] = 1; }` +
    ` else bus.write${size * 8}(${a}, sv); }`
  );
}

/** Inline source of a single load or store (the handlers of instructions/v6m.ts). */
function inlineAccess(acc: Access, g: Gen): string {
  const base = acc.store ? g.cpu.t.store : g.cpu.t.load;
  if (acc.writeback !== undefined) {
    // The handlers' order: offset from the old Rn, access, write Rn back, then Rt (a load).
    const { n, off } = acc.writeback;
    const body = acc.store
      ? `${storeSource(acc.size, 'a', `r[${acc.t}]`)} r[${n}] = wb;`
      : `let lv; ${loadSource(acc.size, 'a', 'lv =', acc.signed)} r[${n}] = wb; r[${acc.t}] = lv;`;
    return `{ const wb = ${off}; const a = ${acc.addr}; ${body} ${singleAccessSource(g, base)} }`;
  }
  const body = acc.store ? storeSource(acc.size, 'a', `r[${acc.t}]`) : loadSource(acc.size, 'a', `r[${acc.t}] =`, acc.signed);
  return `{ const a = ${acc.addr}; ${body} ${singleAccessSource(g, base)} }`;
}

const regsOf = (list: number): number[] => [0, 1, 2, 3, 4, 5, 6, 7].filter((k) => (list >>> k) & 1);

/** PUSH, POP, LDM, STM inline (instructions/v6m.ts has the reference forms), or null. */
function inlineMultiple(ins: Insn, g: Gen): { src: string; max: number; exits: boolean } | null {
  const i = ins.word,
    t = g.cpu.t;
  const list = i & 0xff;
  const regs = regsOf(list);
  switch (ins.op) {
    case Op.PUSH: {
      const lr = (i >>> 8) & 1;
      const count = regs.length + lr;
      const stores = [...regs.map((k) => `r[${k}]`), ...(lr ? ['r[14]'] : [])]
        .map((v, k) => `{ const a = (addr + ${4 * k}) | 0; ${storeSource(4, 'a', v)} }`)
        .join(' ');
      return {
        src: `{ const old = r[13]; const addr = (old - ${4 * count}) | 0; cpu.setSP(addr); try { ${stores} } catch (e) { r[13] = old; throw e; } cpu.cycles += ${t.multipleBase + count}; }`,
        max: t.multipleBase + count,
        exits: false,
      };
    }
    case Op.POP: {
      const pc = (i >>> 8) & 1;
      const count = regs.length + pc;
      // Load into locals first: a fault part-way must leave the registers as they were.
      const slots = [...regs.map((k) => `v${k}`), ...(pc ? ['npc'] : [])];
      const loads = slots.map((v, j) => `{ const a = (base + ${4 * j}) | 0; ${loadSource(4, 'a', `${v} =`)} }`).join(' ');
      const assign = regs.map((k) => `r[${k}] = v${k};`).join(' ');
      const tail = pc
        ? `cpu.setSP(r[13] + ${4 * count}); cpu.bxWritePC(npc); cpu.cycles += ${t.popPcBase + count}; cpu.instructions++; cpu.pc = cpu.npc; return;`
        : `cpu.setSP(r[13] + ${4 * count}); cpu.cycles += ${t.multipleBase + count};`;
      return {
        src: `{ const base = r[13]; let ${slots.join(', ')}; ${loads} ${assign} ${tail} }`,
        max: (pc ? t.popPcBase : t.multipleBase) + count,
        exits: pc === 1,
      };
    }
    case Op.STM: {
      const n = (i >>> 8) & 7;
      const stores = regs.map((k, j) => `{ const a = (base + ${4 * j}) | 0; ${storeSource(4, 'a', `r[${k}]`)} }`).join(' ');
      return {
        src: `{ const base = r[${n}]; ${stores} r[${n}] = (base + ${4 * regs.length}) | 0; cpu.cycles += ${t.multipleBase + regs.length}; }`,
        max: t.multipleBase + regs.length,
        exits: false,
      };
    }
    case Op.LDM: {
      const n = (i >>> 8) & 7;
      const slots = regs.map((k) => `v${k}`);
      const loads = slots.map((v, j) => `{ const a = (base + ${4 * j}) | 0; ${loadSource(4, 'a', `${v} =`)} }`).join(' ');
      const assign = regs.map((k) => `r[${k}] = v${k};`).join(' ');
      const wb = (list >>> n) & 1 ? '' : `r[${n}] = (base + ${4 * regs.length}) | 0;`;
      return {
        src: `{ const base = r[${n}]; let ${slots.join(', ')}; ${loads} ${assign} ${wb} cpu.cycles += ${t.multipleBase + regs.length}; }`,
        max: t.multipleBase + regs.length,
        exits: false,
      };
    }
    default:
      return null;
  }
}

/** Compiles the block at pc (at most maxLen instructions), or null when its first instruction cannot be fetched. */
function translate(cpu: Cpu, pc: number, maxLen: number): Plan | null {
  const inSram = pc >= cpu.bus.flashSize;
  const insns: Insn[] = [];
  let at = pc;
  while (insns.length < maxLen) {
    const ins = decodeAt(cpu, at);
    if (ins === null) break;
    insns.push(ins);
    at = (at + ins.len) >>> 0;
    if (ins.op === OpV7.IT && !inSram && maxLen > 1) {
      // The IT block is translated with the IT: each instruction's condition is known here.
      ins.itStart = ins.word & 0xff;
      let it = ins.itStart;
      while (it !== 0) {
        const x = decodeAt(cpu, at);
        if (x === null) break;
        x.it = it;
        insns.push(x);
        at = (at + x.len) >>> 0;
        it = advanceIT(it);
      }
      if (it !== 0) break; // cut short: the block ends inside the IT block, the interpreter goes on
      continue;
    }
    if (endsBlock(ins)) {
      // An unconditional direct branch in flash: translation goes on at its target, unless that
      // is the block's start (a loop, which the block runs in place) or already in the block.
      const target = directTarget(ins);
      if (inSram || target === null || target === pc || target >= cpu.bus.flashSize || insns.some((x) => x.pc === target)) break;
      ins.follow = target;
      at = target;
      continue;
    }
    // In SRAM a block ends after anything that may store, so it never runs code it overwrote.
    if (inSram && inlinePure(ins, { cpu, handlers: [] }) === null && ins.op !== Op.B_cond && !isLoad(ins)) break;
    // Stay inside one memory region.
    if (at >= cpu.bus.flashSize !== inSram) break;
  }
  if (insns.length === 0) return null;

  const g: Gen = { cpu, handlers: [] };
  // Each piece: the source of one instruction, whether it is a handler call, and its max cycles.
  const pieces: { src: string; handler: boolean; max: number; callout?: true; pure?: true; ins: Insn }[] = [];
  for (const ins of insns) pieces.push({ ...genInsn(ins, g), ins });

  // The largest cycle count of the inline instructions from piece k up to the next handler.
  const segMax = new Array<number>(pieces.length + 1).fill(0);
  for (let k = pieces.length - 1; k >= 0; k--) segMax[k] = pieces[k].handler ? 0 : pieces[k].max + segMax[k + 1];

  const start = hex(pc);
  const lines: string[] = [];
  lines.push(
    'const r = cpu.r, bus = cpu.bus, sram32 = bus.sram32, sram16 = bus.sram16, sram8 = bus.sram, dirty = bus.dirty, sramSize = bus.sramSize;',
  );
  lines.push(`let safe = cpu.cycles + ${segMax[0]} < cpu.eventAt;`);
  lines.push('for (;;) {');
  for (let k = 0; k < pieces.length; k++) {
    // A run of register-only instructions (no fault, no checker, fixed cycles) with no event due
    // (safe): nothing can observe the counters between them, so they are added once.
    let e = k;
    while (e + 1 < pieces.length - 1 && pieces[k].pure && pieces[e + 1].pure) e++;
    if (e > k) {
      const run = pieces.slice(k, e + 1);
      const cycles = run.reduce((sum, q) => sum + q.max, 0);
      const bodies = run.map((q) => q.src.replace(/ ?cpu\.cycles \+= \d+;$/, ''));
      lines.push(`if (safe) { ${bodies.join(' ')} cpu.cycles += ${cycles}; cpu.instructions += ${run.length}; } else {`);
      for (let j = k; j <= e; j++) emit(j);
      lines.push('}');
      k = e;
      continue;
    }
    emit(k);
  }
  lines.push('}');

  /** The source of piece k, with its instruction count and event check. */
  function emit(k: number): void {
    const p = pieces[k];
    const ins = p.ins;
    const next = ins.follow ?? (ins.pc + ins.len) >>> 0;
    const last = k === pieces.length - 1;
    if (p.handler) {
      lines.push(`cpu.pc = ${hex(ins.pc)}; bus.pc = ${hex(ins.pc)}; cpu.npc = ${hex(next)};`);
      lines.push(p.src);
      lines.push('cpu.pc = cpu.npc; cpu.instructions++;');
      if (last) {
        lines.push('return;');
      } else {
        lines.push(`if (cpu.npc !== ${hex(next)} || cpu.cycles >= cpu.eventAt) return;`);
        lines.push(`safe = cpu.cycles + ${segMax[k + 1]} < cpu.eventAt;`);
      }
      return;
    }
    // A taken branch: back to this block's start stays in the function while no event is due.
    const src = p.src.replace(/JUMP\((0x[0-9a-f]+)\);/g, (_m, target: string) =>
      target === start
        ? `cpu.instructions++; if (cpu.cycles >= cpu.eventAt) { cpu.pc = cpu.npc = ${start}; bus.pc = @PC@; return; } safe = cpu.cycles + ${segMax[0]} < cpu.eventAt; continue;`
        : `cpu.instructions++; cpu.pc = cpu.npc = ${target}; bus.pc = @PC@; return;`,
    );
    lines.push(`// ${hex(ins.pc)}`);
    lines.push(src.replaceAll('@PC@', hex(ins.pc)).replaceAll('@NEXT@', hex(next)));
    lines.push('cpu.instructions++;');
    const exit = `cpu.pc = cpu.npc = ${hex(next)}; bus.pc = ${hex(ins.pc)}; return;`;
    if (last) lines.push(exit);
    // A checker or the stack check may have asked for attention (halt, a pended interrupt):
    // the core then sets eventAt to 0, which `safe` did not foresee.
    else if (p.callout) lines.push(`if (cpu.eventAt === 0 || (!safe && cpu.cycles >= cpu.eventAt)) { ${exit} }`);
    else lines.push(`if (!safe && cpu.cycles >= cpu.eventAt) { ${exit} }`);
  }

  const bus = cpu.bus;
  const body = lines.join('\n');
  const handlerDecls = g.handlers.map((_, k) => `const h${k} = H[${k}];`).join(' ');
  // Compiling is the expensive part (scenarios make many machines): one function per source and
  // core, shared by every Cpu. It reads the bus from the Cpu, so V8 optimizes it once for all.
  const key = `${cpu.profile.name}\n${body}`;
  let run = FACTORIES.get(key);
  if (run === undefined) {
    const factory = new Function('H', `${handlerDecls}\nreturn function block_${pc.toString(16)}(cpu) {\n${body}\n};`) as Factory;
    run = factory(g.handlers);
    if (FACTORIES.size >= MAX_FACTORIES) FACTORIES.clear();
    FACTORIES.set(key, run);
  }
  let sramCode: Uint16Array | null = null;
  const sramOffset = (pc - SRAM_BASE) >>> 0;
  if (inSram) {
    const last = insns[insns.length - 1];
    const bytes = bus.peek(pc, last.pc + last.len - pc);
    sramCode = new Uint16Array(bytes.length >>> 1);
    for (let k = 0; k < sramCode.length; k++) sramCode[k] = bytes[2 * k] | (bytes[2 * k + 1] << 8);
  }
  return { run, sramCode, sramOffset };
}

/** A plan's function (shared by every bus: the block reads its bus from the Cpu). */
function bind(plan: Plan, _bus: Bus): BlockFn {
  return plan.run;
}

function isLoad(ins: Insn): boolean {
  const acc = accessOf(ins);
  return acc !== null && !acc.store;
}

/** The statement a taken branch to a constant target compiles to (the assembler expands it). */
const jump = (target: number): string => `JUMP(${hex(target)});`;

/** Source for one instruction: inline when it has an inline form, else a call of its handler. */
function genInsn(ins: Insn, g: Gen): { src: string; handler: boolean; max: number; callout?: true; pure?: true } {
  if (ins.it !== undefined) return { src: inITSource(ins, g), handler: true, max: 0 };
  if (ins.itStart !== undefined) {
    // IT (v7m/branch.ts) without startITBlock's eventAt = 0: nothing here needs the core's attention.
    return { src: `cpu.itstate = ${ins.itStart}; cpu.cycles += 1;`, handler: false, max: 1, pure: true };
  }
  const pure = inlinePure(ins, g);
  if (pure !== null) return { src: pure.src, handler: false, max: pure.max, pure: true };
  // A fault, a checker or the stack check sees the instruction's PC, as in the interpreter.
  const pre = 'cpu.pc = @PC@; bus.pc = @PC@; cpu.npc = @NEXT@; ';
  const acc = accessOf(ins);
  if (acc !== null) {
    const base = acc.store ? g.cpu.t.store : g.cpu.t.load;
    return { src: pre + inlineAccess(acc, g), handler: false, max: base, callout: true };
  }
  const multi = inlineMultiple(ins, g);
  if (multi !== null) return { src: pre + multi.src, handler: false, max: multi.max, callout: true };
  const t = g.cpu.t;
  const i = ins.word;
  switch (ins.op) {
    case Op.ADD_sp_imm7:
      return { src: `${pre}cpu.setSP(r[13] + ${(i & 0x7f) << 2}); cpu.cycles += 1;`, handler: false, max: 1, callout: true };
    case Op.SUB_sp_imm7:
      return { src: `${pre}cpu.setSP(r[13] - ${(i & 0x7f) << 2}); cpu.cycles += 1;`, handler: false, max: 1, callout: true };
    case Op.BX: {
      const m = (i >>> 3) & 15;
      if (m === 15) break;
      return {
        src: `${pre}cpu.bxWritePC(r[${m}]); cpu.cycles += ${t.branchTaken}; cpu.instructions++; cpu.pc = cpu.npc; return;`,
        handler: false,
        max: t.branchTaken,
      };
    }
    case Op.B_cond: {
      // Inside a block ITSTATE is 0, so B<cond> is never the UNPREDICTABLE in-IT form.
      const cond = (i >>> 8) & 15;
      const target = (ins.pc + 4 + (((i & 0xff) << 24) >> 23)) >>> 0;
      return {
        src: `if (${condSource(cond)}) { cpu.cycles += ${t.branchTaken}; ${jump(target)} } cpu.cycles += ${t.branchNotTaken};`,
        handler: false,
        max: Math.max(t.branchTaken, t.branchNotTaken),
      };
    }
    case OpV7.CBZ: {
      // Outside an IT block (always, inside a translated block).
      const nonzero = (i >>> 11) & 1;
      const target = (ins.pc + 4 + (((i >>> 3) & 0x40) | ((i >>> 2) & 0x3e))) >>> 0;
      return {
        src: `if (${nonzero ? `r[${i & 7}] !== 0` : `r[${i & 7}] === 0`}) { cpu.cycles += ${t.branchTaken}; ${jump(target)} } cpu.cycles += ${t.branchNotTaken};`,
        handler: false,
        max: Math.max(t.branchTaken, t.branchNotTaken),
      };
    }
    case OpV7.B_T3: {
      const imm =
        (((i >>> 26) & 1) << 20) | (((i >>> 11) & 1) << 19) | (((i >>> 13) & 1) << 18) | (((i >>> 16) & 0x3f) << 12) | ((i & 0x7ff) << 1);
      const target = (ins.pc + 4 + ((imm << 11) >> 11)) >>> 0;
      return {
        src: `if (${condSource((i >>> 22) & 15)}) { cpu.cycles += ${t.branchTaken}; ${jump(target)} } cpu.cycles += ${t.branchNotTaken};`,
        handler: false,
        max: Math.max(t.branchTaken, t.branchNotTaken),
      };
    }
    case OpV7.B_T4:
    case Op.B: {
      // A followed branch falls through to its target, the next piece of the block.
      const go = ins.follow === undefined ? jump(directTarget(ins)!) : '';
      return { src: `cpu.cycles += ${t.branchTaken}; ${go}`, handler: false, max: t.branchTaken };
    }
    case Op.BL: {
      const go = ins.follow === undefined ? jump(directTarget(ins)!) : '';
      return { src: `r[14] = ${(ins.pc + 4) | 1 | 0}; cpu.cycles += ${t.bl}; ${go}`, handler: false, max: t.bl };
    }
  }
  const k = g.handlers.length;
  g.handlers.push(ins.handler);
  return { src: `h${k}(cpu, ${ins.word});`, handler: true, max: 0 };
}

/** ITAdvance (ARMv7-M A7.3.2), as Cpu.advanceIT. */
function advanceIT(it: number): number {
  return (it & 7) === 0 ? 0 : (it & 0xe0) | ((it << 1) & 0x1f);
}

/**
 * An instruction of an IT block, as the interpreter's IT step runs it (executor.ts): skipped for
 * a cycle when its condition fails; a 16-bit instruction that sets flags outside an IT block
 * leaves them alone inside one. ITSTATE is the block's own before it and advanced after it.
 */
function inITSource(ins: Insn, g: Gen): string {
  const k = g.handlers.length;
  g.handlers.push(ins.handler);
  const call = `h${k}(cpu, ${ins.word});`;
  const keepFlags = ins.len === 2 && g.cpu.decode.rows16[ins.word]?.enc.flagsOutsideIT === true;
  const body = keepFlags
    ? `{ const n = cpu.fN, z = cpu.fZ, c = cpu.fC, v = cpu.fV; ${call} cpu.fN = n; cpu.fZ = z; cpu.fC = c; cpu.fV = v; }`
    : call;
  return `cpu.itstate = ${ins.it}; if (${condSource((ins.it! >>> 4) & 15)}) ${body} else cpu.cycles += 1; cpu.advanceIT();`;
}

/** The target of B, B.W and BL (instructions/v6m.ts, v7m/branch.ts), or null for other instructions. */
function directTarget(ins: Insn): number | null {
  const i = ins.word;
  switch (ins.op) {
    case Op.B:
      return (ins.pc + 4 + (((i & 0x7ff) << 21) >> 20)) >>> 0;
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
