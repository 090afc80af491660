// The recorded ARMv7-M cases: short sequences (ending in `bx lr`) run from a fixed state, with the
// final registers, flags and memory writes recorded from Unicorn 2.0.1's Cortex-M3/M4 models
// (callFunction on the same bytes), never from sramlab. tests/cpu-v7m.test.ts runs them on
// sramlab; tests/long/v7m-recording.test.ts checks the recording against Unicorn and GNU as.

import { Bus } from '../../emulator/bus.ts';
import { Cpu, RETURN_TRAP } from '../../emulator/cpu.ts';
import type { CpuState } from '../../emulator/engine.ts';
import type { UnicornEngine } from '../../emulator/engines/unicorn.ts';
import { getProfile } from '../../emulator/profiles.ts';

export interface Case {
  name: string;
  /** Run on the Cortex-M4 (ARMv7E-M) profile; otherwise the Cortex-M3. */
  m4?: boolean;
  /** Registers that differ from the defaults, flags set to 1 ('NZCVQ'), GE bits. */
  init: { r?: Record<number, number>; flags?: string; ge?: number };
  /** GNU as source; `bx lr` is appended. */
  asm: string[];
  /** The assembled bytes (asm + bx lr), in memory order. */
  code: string;
  /** Registers r0–r13 that changed, the flags that are set, GE, changed memory bytes by address. */
  expect: { r: Record<number, number>; f: string; ge?: number; mem?: Record<number, string> };
}

export const CODE = 0x1000;
export const SP0 = 0x2000_1f80;
/** SRAM windows filled with a fixed pattern before each case and compared after it. */
export const WINDOWS = [
  [0x2000_1000, 0x100],
  [0x2000_1f00, 0x100],
] as const;
export const fillByte = (a: number): number => (Math.imul(a, 0x9e3779b1) >>> 24) & 0xff;

export interface Outcome {
  stop: string;
  r: Record<number, number>;
  f: string;
  ge: number;
  mem: Record<number, string>;
}

export function initialState(c: Case): CpuState {
  const r: number[] = [];
  for (let k = 0; k < 13; k++) r.push((0x01010101 * k) >>> 0);
  r.push(SP0, (RETURN_TRAP | 1) >>> 0, CODE);
  for (const [k, v] of Object.entries(c.init.r ?? {})) r[Number(k)] = v >>> 0;
  const f = c.init.flags ?? '';
  const has = (x: string): number => (f.includes(x) ? 1 : 0);
  return { r, n: has('N'), z: has('Z'), c: has('C'), v: has('V'), q: has('Q'), ge: c.init.ge ?? 0, primask: 0, control: 0 };
}

export const codeBytes = (c: Case): Uint8Array => new Uint8Array(Buffer.from(c.code, 'hex'));

/** What changed: registers r0–r13, the flags, GE and runs of changed bytes in the windows. */
export function summarize(c: Case, s: CpuState, stop: string, read: (a: number) => number): Outcome {
  const init = initialState(c);
  const r: Record<number, number> = {};
  for (let k = 0; k < 14; k++) if (s.r[k] >>> 0 !== init.r[k]) r[k] = s.r[k] >>> 0;
  const f = (s.n ? 'N' : '') + (s.z ? 'Z' : '') + (s.c ? 'C' : '') + (s.v ? 'V' : '') + (s.q ? 'Q' : '');
  const mem: Record<number, string> = {};
  for (const [base, size] of WINDOWS) {
    let start = -1,
      bytes: number[] = [];
    for (let a = base; a <= base + size; a++) {
      const changed = a < base + size && read(a) !== fillByte(a);
      if (changed) {
        if (start < 0) start = a;
        bytes.push(read(a));
      } else if (start >= 0) {
        mem[start] = Buffer.from(bytes).toString('hex');
        start = -1;
        bytes = [];
      }
    }
  }
  return { stop, r, f, ge: s.ge, mem };
}

export const expected = (c: Case): Outcome => ({ stop: 'ok', r: c.expect.r, f: c.expect.f, ge: c.expect.ge ?? 0, mem: c.expect.mem ?? {} });

export function onSramlab(c: Case): Outcome {
  const profile = getProfile(c.m4 ? 'cortex-m4' : 'cortex-m3');
  const bus = new Bus(profile);
  const cpu = new Cpu(profile, bus);
  for (const [base, size] of WINDOWS) {
    const bytes = new Uint8Array(size);
    for (let k = 0; k < size; k++) bytes[k] = fillByte(base + k);
    bus.load(base, bytes);
  }
  bus.load(CODE, codeBytes(c));
  const s = initialState(c);
  for (let k = 0; k < 15; k++) cpu.r[k] = s.r[k];
  cpu.pc = CODE;
  cpu.tbit = 1;
  cpu.fN = s.n;
  cpu.fZ = s.z;
  cpu.fC = s.c;
  cpu.fV = s.v;
  cpu.fQ = s.q;
  cpu.ge = s.ge;
  const stop = cpu.run(100_000);
  const out: CpuState = {
    r: Array.from(cpu.r, (x) => x >>> 0),
    n: cpu.fN,
    z: cpu.fZ,
    c: cpu.fC,
    v: cpu.fV,
    q: cpu.fQ,
    ge: cpu.ge,
    primask: cpu.primask,
    control: cpu.control,
  };
  return summarize(c, out, stop === 'returned' ? 'ok' : `${stop}: ${cpu.faults[0]?.message ?? ''}`, (a) => bus.peek(a, 1)[0]);
}

export function onUnicorn(uc: UnicornEngine, c: Case): Outcome {
  for (const [base, size] of WINDOWS) {
    const bytes = new Uint8Array(size);
    for (let k = 0; k < size; k++) bytes[k] = fillByte(base + k);
    uc.writeMemory(base, bytes);
  }
  uc.writeMemory(CODE, codeBytes(c));
  uc.setState(initialState(c));
  let stop = 'ok';
  try {
    uc.callFunction(CODE, SP0, 100_000);
  } catch (e) {
    stop = `error: ${(e as Error).message}`;
  }
  const mem = new Map<number, number>();
  for (const [base, size] of WINDOWS) {
    uc.readMemory(base, size).forEach((b, k) => {
      mem.set(base + k, b);
    });
  }
  return summarize(c, uc.getState(), stop, (a) => mem.get(a)!);
}

export const D = 0x2000_1000;

export const CASES: Case[] = [
  {
    name: 'movs.w rotated immediate sets C from bit 31',
    init: {},
    asm: ['movs.w r0, #0x80000000'],
    code: '5ff000407047',
    expect: { r: { 0: 0x80000000 }, f: 'NC' },
  },
  {
    name: 'mov.w replicated immediate keeps C',
    init: { flags: 'C' },
    asm: ['movs.w r1, #0x00ff00ff'],
    code: '5ff0ff117047',
    expect: { r: { 1: 0xff00ff }, f: 'C' },
  },
  {
    name: 'mvns with 0xff000000',
    init: { flags: 'NZCV' },
    asm: ['mvns r2, #0xff000000'],
    code: '7ff07f427047',
    expect: { r: { 2: 0xffffff }, f: 'CV' },
  },
  {
    name: 'ands.w carry out of ThumbExpandImm',
    init: { r: { 4: 0xfffffffc } },
    asm: ['ands.w r3, r4, #0x3fc'],
    code: '14f47f737047',
    expect: { r: { 3: 0x3fc }, f: '' },
  },
  {
    name: 'tst.w rotated immediate',
    init: { r: { 5: 0x40000001 }, flags: 'ZC' },
    asm: ['tst.w r5, #0x40000000'],
    code: '15f0804f7047',
    expect: { r: {}, f: '' },
  },
  {
    name: 'teq.w equal values',
    init: { r: { 6: 0xab00ab00 }, flags: 'N' },
    asm: ['teq.w r6, #0xab00ab00'],
    code: '96f0ab2f7047',
    expect: { r: {}, f: 'Z' },
  },
  {
    name: 'orn and bic',
    init: { r: { 1: 0x12345600, 3: 0xffffffff } },
    asm: ['orn r0, r1, #0xff', 'bic r2, r3, #0xf0000000'],
    code: '61f0ff0023f070427047',
    expect: { r: { 0: 0xffffff00, 2: 0xfffffff }, f: '' },
  },
  {
    name: 'eors.w',
    init: { r: { 5: 0x55555555 } },
    asm: ['eors.w r4, r5, #0x55555555'],
    code: '95f055347047',
    expect: { r: { 4: 0 }, f: 'Z' },
  },
  {
    name: 'adds.w signed overflow',
    init: { r: { 1: 0x7fffffff } },
    asm: ['adds.w r0, r1, #1'],
    code: '11f101007047',
    expect: { r: { 0: 0x80000000 }, f: 'NV' },
  },
  {
    name: 'adds.w unsigned carry',
    init: { r: { 1: 0xffffff00 } },
    asm: ['adds.w r0, r1, #0x100'],
    code: '11f580707047',
    expect: { r: {}, f: 'ZC' },
  },
  {
    name: 'adc.w and adcs.w with carry in',
    init: { r: { 1: 10, 3: 0x80000000 }, flags: 'C' },
    asm: ['adc.w r0, r1, #5', 'adcs.w r2, r3, #0x80000000'],
    code: '41f1050053f100427047',
    expect: { r: { 0: 0x10, 2: 1 }, f: 'CV' },
  },
  {
    name: 'sbcs.w borrow',
    init: { r: { 1: 0 } },
    asm: ['sbcs.w r0, r1, #1'],
    code: '71f101007047',
    expect: { r: { 0: 0xfffffffe }, f: 'N' },
  },
  {
    name: 'subs.w to zero',
    init: { r: { 1: 0x1000 } },
    asm: ['subs.w r0, r1, #0x1000'],
    code: 'b1f580507047',
    expect: { r: {}, f: 'ZC' },
  },
  {
    name: 'cmp.w and cmn.w',
    init: { r: { 1: 0x8000, 2: 0xffffffff } },
    asm: ['cmp.w r1, #0x10000', 'mrs r0, apsr', 'cmn.w r2, #1'],
    code: 'b1f5803feff3008012f1010f7047',
    expect: { r: { 0: 0x80000000 }, f: 'ZC' },
  },
  {
    name: 'rsbs.w',
    init: { r: { 1: 0x80000000 } },
    asm: ['rsbs.w r0, r1, #0'],
    code: 'd1f100007047',
    expect: { r: { 0: 0x80000000 }, f: 'NV' },
  },
  {
    name: 'add.w and sub.w SP forms',
    init: {},
    asm: ['add.w r0, sp, #0x400', 'sub.w sp, sp, #16', 'mov r1, sp', 'add.w sp, sp, #16'],
    code: '0df58060adf1100d69460df1100d7047',
    expect: { r: { 0: 0x20002380, 1: 0x20001f70 }, f: '' },
  },
  {
    name: 'addw and subw',
    init: { r: { 1: 1, 3: 0 } },
    asm: ['addw r0, r1, #0xfff', 'subw r2, r3, #1'],
    code: '01f6ff70a3f201027047',
    expect: { r: { 0: 0x1000, 2: 0xffffffff }, f: '' },
  },
  {
    name: 'addw/subw from SP',
    init: {},
    asm: ['addw r0, sp, #4095', 'subw r1, sp, #4'],
    code: '0df6ff70adf204017047',
    expect: { r: { 0: 0x20002f7f, 1: 0x20001f7c }, f: '' },
  },
  {
    name: 'movw and movt',
    init: { r: { 1: 0x12345678 } },
    asm: ['movw r0, #0xbeef', 'movt r0, #0xdead', 'movt r1, #0x8000'],
    code: '4bf6ef60cdf6ad60c8f200017047',
    expect: { r: { 0: 0xdeadbeef, 1: 0x80005678 }, f: '' },
  },
  {
    name: 'adr.w forward and back',
    init: {},
    asm: ['adr.w r0, 1f', 'nop', '1: sub r1, pc, #0'],
    code: '0ff2020000bfaff200017047',
    expect: { r: { 0: 0x1006, 1: 0x1008 }, f: '' },
  },
  {
    name: 'ssat: saturates positive, sets Q',
    init: { r: { 1: 0x12c, 3: 0xffffff00, 5: 0x80000000 } },
    asm: ['ssat r0, #8, r1', 'ssat r2, #8, r3', 'ssat r4, #32, r5, asr #31'],
    code: '01f3070003f3070225f3df747047',
    expect: { r: { 0: 0x7f, 2: 0xffffff80, 4: 0xffffffff }, f: 'Q' },
  },
  {
    name: 'ssat with lsl: saturates negative',
    init: { r: { 1: 0xfff00000 } },
    asm: ['ssat r0, #16, r1, lsl #8'],
    code: '01f30f207047',
    expect: { r: { 0: 0xffff8000 }, f: 'Q' },
  },
  {
    name: 'usat: clamps negative to 0 and large to 2^n - 1',
    init: { r: { 1: 0xffffffff, 3: 0x7fffffff, 5: 1 } },
    asm: ['usat r0, #8, r1', 'usat r2, #31, r3', 'usat r4, #0, r5'],
    code: '81f3080083f31f0285f300047047',
    expect: { r: { 2: 0x7fffffff, 4: 0 }, f: 'Q' },
  },
  {
    name: 'usat with asr, no saturation keeps Q clear',
    init: { r: { 1: 0xfffff } },
    asm: ['usat r0, #16, r1, asr #4'],
    code: 'a1f310107047',
    expect: { r: { 0: 0xffff }, f: '' },
  },
  {
    name: 'sbfx and ubfx',
    init: { r: { 1: 0x80000f70 } },
    asm: ['sbfx r0, r1, #4, #8', 'ubfx r2, r1, #4, #8', 'sbfx r3, r1, #0, #32', 'ubfx r4, r1, #31, #1'],
    code: '41f30710c1f3071241f31f03c1f3c0747047',
    expect: { r: { 0: 0xfffffff7, 2: 0xf7, 3: 0x80000f70, 4: 1 }, f: '' },
  },
  {
    name: 'bfi and bfc',
    init: { r: { 0: 0xffffffff, 1: 0x12345abc, 2: 0xffffffff, 3: 0 } },
    asm: ['bfi r0, r1, #8, #12', 'bfc r2, #0, #32', 'bfi r3, r1, #31, #1'],
    code: '61f313206ff31f0261f3df737047',
    expect: { r: { 0: 0xfffabcff, 2: 0 }, f: '' },
  },
  {
    name: 'adds.w with lsl',
    init: { r: { 1: 0xfffffff0, 2: 2 } },
    asm: ['adds.w r0, r1, r2, lsl #3'],
    code: '11ebc2007047',
    expect: { r: {}, f: 'ZC' },
  },
  {
    name: 'ands.w with ror: carry from the shifter',
    init: { r: { 1: 0xffffffff, 2: 1 } },
    asm: ['ands.w r0, r1, r2, ror #1'],
    code: '11ea72007047',
    expect: { r: { 0: 0x80000000 }, f: 'NC' },
  },
  {
    name: 'movs.w rrx',
    init: { r: { 1: 3 }, flags: 'C' },
    asm: ['movs.w r0, r1, rrx'],
    code: '5fea31007047',
    expect: { r: { 0: 0x80000001 }, f: 'NC' },
  },
  {
    name: 'lsrs.w #32 and asrs.w #32',
    init: { r: { 1: 0x80000001 } },
    asm: ['lsrs.w r0, r1, #32', 'mrs r2, apsr', 'asrs.w r3, r1, #32'],
    code: '5fea1100eff300825fea21037047',
    expect: { r: { 2: 0x60000000, 3: 0xffffffff }, f: 'NC' },
  },
  {
    name: 'orr.w, eor.w, bic.w, orn, mvn.w with shifts',
    init: { r: { 1: 0xf0f0f0f, 2: 0x80008000 } },
    asm: [
      'orr.w r0, r1, r2, lsr #4',
      'eor.w r3, r1, r2, asr #31',
      'bic.w r4, r1, r2, lsl #16',
      'orn r5, r1, r2, lsl #1',
      'mvn.w r6, r2, ror #16',
    ],
    code: '41ea121081eae27321ea024461ea42056fea32467047',
    expect: { r: { 0: 0xf0f0f0f, 3: 0xf0f0f0f0, 4: 0xf0f0f0f, 5: 0xffffffff, 6: 0x7fff7fff }, f: '' },
  },
  {
    name: 'sub.w, rsb, adc.w, sbc.w with shifts',
    init: { r: { 1: 0x64, 2: 0x80000010 }, flags: 'C' },
    asm: ['sub.w r0, r1, r2, lsl #2', 'rsb r3, r1, r2, lsr #1', 'adc.w r4, r1, r2, asr #1', 'sbc.w r5, r1, r2, ror #2'],
    code: 'a1eb8200c1eb520341eb620461ebb2057047',
    expect: { r: { 0: 0x24, 3: 0x3fffffa4, 4: 0xc000006d, 5: 0xe0000060 }, f: 'C' },
  },
  {
    name: 'cmp.w and cmn.w register',
    init: { r: { 1: 0x10, 2: 8 } },
    asm: ['cmp.w r1, r2, lsl #1', 'mrs r0, apsr', 'cmn.w r1, r2'],
    code: 'b1eb420feff3008011eb020f7047',
    expect: { r: { 0: 0x60000000 }, f: '' },
  },
  {
    name: 'tst.w and teq.w register',
    init: { r: { 1: 1, 2: 2 } },
    asm: ['tst.w r1, r2, lsr #1', 'mrs r0, apsr', 'teq.w r1, r2'],
    code: '11ea520feff3008091ea020f7047',
    expect: { r: {}, f: '' },
  },
  {
    name: 'mov.w to and from SP',
    init: { r: { 1: 0x20001e00 } },
    asm: ['mov.w r0, sp', 'mov.w sp, r1', 'mov r2, sp', 'mov.w sp, r0'],
    code: '4fea0d004fea010d6a464fea000d7047',
    expect: { r: { 0: 0x20001f80, 2: 0x20001e00 }, f: '' },
  },
  {
    name: 'add.w sp register form',
    init: { r: { 1: 3 } },
    asm: ['add.w r0, sp, r1, lsl #2', 'sub.w r2, sp, r1'],
    code: '0deb8100adeb01027047',
    expect: { r: { 0: 0x20001f8c, 2: 0x20001f7d }, f: '' },
  },
  {
    name: 'lsl.w and lsls.w by 0, 31, 32, 33',
    init: { r: { 1: 0x80000003, 2: 0x1f, 4: 0x20, 6: 0x21, 11: 0x100 } },
    asm: [
      'lsls.w r0, r1, r2',
      'mrs r8, apsr',
      'lsls.w r3, r1, r4',
      'mrs r9, apsr',
      'lsls.w r5, r1, r6',
      'mrs r10, apsr',
      'lsl.w r7, r1, r11',
    ],
    code: '11fa02f0eff3008811fa04f3eff3008911fa06f5eff3008a01fa0bf77047',
    expect: { r: { 0: 0x80000000, 3: 0, 5: 0, 7: 0x80000003, 8: 0xa0000000, 9: 0x60000000, 10: 0x40000000 }, f: 'Z' },
  },
  {
    name: 'lsrs.w, asrs.w, rors.w by large amounts',
    init: { r: { 1: 0x80000001, 2: 0x20, 4: 0xc8, 6: 0x20, 11: 0x104 } },
    asm: [
      'lsrs.w r0, r1, r2',
      'mrs r8, apsr',
      'asrs.w r3, r1, r4',
      'mrs r9, apsr',
      'rors.w r5, r1, r6',
      'mrs r10, apsr',
      'rors.w r7, r1, r11',
    ],
    code: '31fa02f0eff3008851fa04f3eff3008971fa06f5eff3008a71fa0bf77047',
    expect: { r: { 3: 0xffffffff, 5: 0x80000001, 7: 0x18000000, 8: 0x60000000, 9: 0xa0000000, 10: 0xa0000000 }, f: '' },
  },
  {
    name: 'sxth.w, uxth.w, sxtb.w, uxtb.w with rotation',
    init: { r: { 1: 0x80ff7f81 } },
    asm: ['sxth.w r0, r1, ror #8', 'uxth.w r2, r1, ror #16', 'sxtb.w r3, r1, ror #24', 'uxtb.w r4, r1'],
    code: '0ffa91f01ffaa1f24ffab1f35ffa81f47047',
    expect: { r: { 0: 0xffffff7f, 2: 0x80ff, 3: 0xffffff80, 4: 0x81 }, f: '' },
  },
  {
    name: 'sxtah, uxtah, sxtab, uxtab',
    m4: true,
    init: { r: { 1: 0x80ff7f81, 2: 0x10000 } },
    asm: ['sxtah r0, r2, r1', 'uxtah r3, r2, r1, ror #8', 'sxtab r4, r2, r1, ror #24', 'uxtab r5, r2, r1'],
    code: '02fa81f012fa91f342fab1f452fa81f57047',
    expect: { r: { 0: 0x17f81, 3: 0x1ff7f, 4: 0xff80, 5: 0x10081 }, f: '' },
  },
  {
    name: 'rev.w, rev16.w, revsh.w',
    init: { r: { 1: 0x12345680 } },
    asm: ['rev.w r0, r1', 'rev16.w r2, r1', 'revsh.w r3, r1'],
    code: '91fa81f091fa91f291fab1f37047',
    expect: { r: { 0: 0x80563412, 2: 0x34128056, 3: 0xffff8056 }, f: '' },
  },
  {
    name: 'rbit and clz',
    init: { r: { 1: 0xf01, 4: 0, 6: 0x80000000 } },
    asm: ['rbit r0, r1', 'clz r2, r1', 'clz r3, r4', 'clz r5, r6'],
    code: '91faa1f0b1fa81f2b4fa84f3b6fa86f57047',
    expect: { r: { 0: 0x80f00000, 2: 0x14, 3: 0x20, 5: 0 }, f: '' },
  },
  {
    name: 'mul.w, mla, mls',
    init: { r: { 1: 0x10001, 2: 0xffff, 4: 7 } },
    asm: ['mul.w r0, r1, r2', 'mla r3, r1, r2, r4', 'mls r5, r1, r2, r4'],
    code: '01fb02f001fb024301fb12457047',
    expect: { r: { 0: 0xffffffff, 3: 6, 5: 8 }, f: '' },
  },
  {
    name: 'smull and umull',
    init: { r: { 2: 0x80000000, 3: 0xffffffff } },
    asm: ['smull r0, r1, r2, r3', 'umull r4, r5, r2, r3', 'smull r6, r7, r2, r2'],
    code: '82fb0301a2fb034582fb02677047',
    expect: { r: { 0: 0x80000000, 1: 0, 4: 0x80000000, 5: 0x7fffffff, 6: 0, 7: 0x40000000 }, f: '' },
  },
  {
    name: 'smlal and umlal accumulate with carry',
    init: { r: { 0: 0xffffffff, 1: 0x7fffffff, 2: 0x12345678, 3: 0x9abcdef0, 4: 0xffffffff, 5: 0xffffffff } },
    asm: ['smlal r0, r1, r2, r3', 'umlal r4, r5, r2, r3'],
    code: 'c2fb0301e2fb03457047',
    expect: { r: { 0: 0x242d207f, 1: 0x78cc93d6, 4: 0x242d207f, 5: 0xb00ea4e }, f: '' },
  },
  {
    name: 'sdiv and udiv round toward zero',
    init: { r: { 1: 0xfffffff9, 2: 2, 5: 0x80000000, 6: 0xffffffff, 8: 0xfffffffe } },
    asm: ['sdiv r0, r1, r2', 'udiv r3, r1, r2', 'sdiv r4, r5, r6', 'sdiv r7, r1, r8'],
    code: '91fbf2f0b1fbf2f395fbf6f491fbf8f77047',
    expect: { r: { 0: 0xfffffffd, 3: 0x7ffffffc, 4: 0x80000000, 7: 3 }, f: '' },
  },
  {
    name: 'sdiv and udiv by zero give 0',
    init: { r: { 1: 0x4d2, 2: 0 } },
    asm: ['sdiv r0, r1, r2', 'udiv r3, r1, r2'],
    code: '91fbf2f0b1fbf2f37047',
    expect: { r: { 3: 0 }, f: '' },
  },
  {
    name: 'ldr.w, ldrb.w, ldrh.w, ldrsb.w, ldrsh.w (12-bit offset)',
    init: { r: { 8: 0x20001000 } },
    asm: ['ldr.w r0, [r8, #0x81]', 'ldrb.w r1, [r8, #0xff]', 'ldrh.w r2, [r8, #2]', 'ldrsb.w r3, [r8, #7]', 'ldrsh.w r4, [r8, #0x33]'],
    code: 'd8f8810098f8ff10b8f8022098f90730b8f933407047',
    expect: { r: { 0: 0x2c8def51, 1: 0x30, 2: 0x72d4, 3: 0xffffffeb, 4: 0xffffba1c }, f: '' },
  },
  {
    name: 'ldr pre-indexed with writeback, post-indexed, negative offset',
    init: { r: { 8: 0x20001040, 9: 0x20001080 } },
    asm: ['ldr r0, [r8, #4]!', 'ldr r1, [r8], #-8', 'ldr r2, [r8, #-1]', 'ldrb r3, [r9], #1', 'ldrsh r4, [r9, #-2]!'],
    code: '58f8040f58f8081958f8012c19f8013b39f9024d7047',
    expect: { r: { 0: 0x78da3c9e, 1: 0x78da3c9e, 2: 0xe94aac0e, 3: 0xb3, 4: 0xffffb315, 8: 0x2000103c, 9: 0x2000107f }, f: '' },
  },
  {
    name: 'str.w, strb.w, strh.w and their 8-bit-offset forms',
    init: { r: { 0: 0x11223344, 1: 0x55667788, 2: 0x99aabbcc, 3: 0xddeeff00, 4: 0x1234, 5: 0xab, 8: 0x20001040 } },
    asm: [
      'str.w r0, [r8, #0x10]',
      'strb.w r1, [r8, #0x15]',
      'strh.w r2, [r8, #0x1a]',
      'str r3, [r8, #-4]!',
      'strh r4, [r8], #6',
      'strb r5, [r8, #-3]',
    ],
    code: 'c8f8100088f81510a8f81a2048f8043d28f8064b08f8035c7047',
    expect: { r: { 8: 0x20001042 }, f: '', mem: { 0x2000103c: '3412eeab', 0x20001050: '44332211', 0x20001055: '88', 0x2000105a: 'ccbb' } },
  },
  {
    name: 'register offset with lsl #0–3',
    init: { r: { 1: 5, 4: 0x60, 8: 0x20001000 } },
    asm: [
      'ldr.w r0, [r8, r1, lsl #2]',
      'ldrh.w r2, [r8, r1, lsl #1]',
      'ldrsb.w r3, [r8, r1]',
      'str.w r0, [r8, r1, lsl #3]',
      'strb.w r0, [r8, r4]',
    ],
    code: '58f8210038f8112018f9013048f8310008f804007047',
    expect: { r: { 0: 0xce3092f3, 2: 0x63c5, 3: 0xffffffae }, f: '', mem: { 0x20001028: 'f39230ce', 0x20001060: 'f3' } },
  },
  {
    name: 'unaligned ldr.w and str.w are allowed',
    init: { r: { 8: 0x20001000 } },
    asm: ['ldr.w r0, [r8, #1]', 'ldrh.w r1, [r8, #3]', 'str.w r0, [r8, #0x21]', 'strh.w r0, [r8, #0x27]'],
    code: 'd8f80100b8f80310c8f82100a8f827007047',
    expect: { r: { 0: 0x1072d435, 1: 0x1072 }, f: '', mem: { 0x20001021: '35d47210', 0x20001027: '35d4' } },
  },
  {
    name: 'ldrt and strbt behave as ldr and strb when privileged',
    init: { r: { 8: 0x20001000 } },
    asm: ['ldrt r0, [r8, #4]', 'strbt r0, [r8, #9]', 'ldrsht r1, [r8, #2]'],
    code: '58f8040e08f8090e38f9021e7047',
    expect: { r: { 0: 0xeb4cae10, 1: 0x72d4 }, f: '', mem: { 0x20001009: '10' } },
  },
  {
    name: 'pld, pli and a memory hint do nothing',
    init: { r: { 1: 3, 8: 0x20001000 } },
    asm: ['pld [r8, #64]', 'pli [r8, #-4]', 'pld [r8, r1, lsl #2]'],
    code: '98f840f018f904fc18f821f07047',
    expect: { r: {}, f: '' },
  },
  {
    name: 'ldrd and strd with offset, pre- and post-index',
    init: { r: { 8: 0x20001000, 9: 0x20001080 } },
    asm: ['ldrd r0, r1, [r8, #8]', 'strd r0, r1, [r8, #0x40]!', 'ldrd r2, r3, [r9], #-16', 'strd r2, r3, [r9, #-8]'],
    code: 'd8e90201e8e9100179e8042349e902237047',
    expect: {
      r: { 0: 0x63c52789, 1: 0xdc3ea002, 2: 0x8def51b3, 3: 0x668ca2c, 8: 0x20001040, 9: 0x20001070 },
      f: '',
      mem: { 0x20001040: '8927c56302a03edc', 0x20001068: 'b351ef8d2cca6806' },
    },
  },
  {
    name: 'ldr.w and ldrd literals (PC-relative)',
    init: {},
    asm: [
      'ldr.w r0, 1f',
      'ldrh.w r1, 1f',
      'ldrsb.w r2, 1f',
      'ldrd r3, r4, 1f',
      'b.w 2f',
      '.align 2',
      '1: .word 0x8081f2f3',
      '.word 0x01020304',
      '2: nop',
    ],
    code: 'dff81000bff80c109ff90820dfe9013400f004b8f3f281800403020100bf7047',
    expect: { r: { 0: 0x8081f2f3, 1: 0xf2f3, 2: 0xfffffff3, 3: 0x8081f2f3, 4: 0x1020304 }, f: '' },
  },
  {
    name: 'ldr.w literal with negative offset',
    init: {},
    asm: ['b.w 2f', '.align 2', '1: .word 0xcafef00d', '2: ldr.w r0, 1b'],
    code: '00f002b80df0feca5ff808007047',
    expect: { r: { 0: 0xcafef00d }, f: '' },
  },
  {
    name: 'push.w and pop.w',
    init: { r: { 0: 1, 1: 2, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8 } },
    asm: ['push.w {r0, r1, r8, lr}', 'pop.w {r2, r3, r9, r10}', 'push.w {r4-r7}', 'ldmia.w sp!, {r0-r3}'],
    code: '2de90341bde80c062de9f000bde80f007047',
    expect: { r: { 0: 4, 1: 5, 2: 6, 3: 7, 9: 8, 10: 0xdeadbeef }, f: '', mem: { 0x20001f70: '04000000050000000600000007000000' } },
  },
  {
    name: 'stm.w, stmdb, ldm.w, ldmdb with and without writeback',
    init: { r: { 0: 10, 1: 11, 2: 12, 3: 13, 4: 14, 8: 0x20001000, 9: 0x20001080 } },
    asm: ['stm.w r8!, {r0, r1, r2}', 'stmdb r8, {r3, r4}', 'ldm.w r9, {r5, r6, r7}', 'ldmdb r9!, {r10, r11}'],
    code: 'a8e8070008e9180099e8e00039e9000c7047',
    expect: {
      r: { 5: 0x8def51b3, 6: 0x668ca2c, 7: 0x7fe143a5, 8: 0x2000100c, 9: 0x20001078, 10: 0x9cfe5fc1, 11: 0x1576d83a },
      f: '',
      mem: { 0x20001000: '0a0000000d0000000e000000' },
    },
  },
  {
    name: 'ldm.w with the base in the list (no writeback)',
    init: { r: { 8: 0x20001020 } },
    asm: ['ldm.w r8, {r0, r8, r12}'],
    code: '98e801117047',
    expect: { r: { 0: 0x399afc5e, 8: 0xb21375d7, 12: 0x2a8cee50 }, f: '' },
  },
  {
    name: 'pop.w into pc returns',
    init: {},
    asm: ['push.w {r4, lr}', 'pop.w {r4, pc}'],
    code: '2de91040bde810807047',
    expect: { r: {}, f: '', mem: { 0x20001f78: '04040404efbeadde' } },
  },
  {
    name: 'ldr.w pc returns (post-indexed from the stack)',
    init: {},
    asm: ['str lr, [sp, #-4]!', 'ldr pc, [sp], #4'],
    code: '4df804ed5df804fb7047',
    expect: { r: {}, f: '', mem: { 0x20001f7c: 'efbeadde' } },
  },
  {
    name: 'ldrex/strex succeed, then strex without a monitor fails',
    init: { r: { 8: 0x20001010 } },
    asm: ['ldrex r0, [r8]', 'add r0, #1', 'strex r1, r0, [r8]', 'strex r2, r0, [r8]'],
    code: '58e8000f00f1010048e8000148e800027047',
    expect: { r: { 0: 0x55b7197c, 1: 0, 2: 1 }, f: '', mem: { 0x20001010: '7c' } },
  },
  {
    name: 'clrex makes strex fail; ldrexb/strexb and ldrexh/strexh',
    init: { r: { 8: 0x20001020, 9: 0x20001030 } },
    asm: [
      'ldrex r0, [r8, #4]',
      'clrex',
      'strex r1, r0, [r8, #4]',
      'ldrexb r2, [r8]',
      'strexb r3, r2, [r8, #0]',
      'ldrexh r4, [r9]',
      'strexh r5, r8, [r9]',
    ],
    code: '58e8010fbff32f8f48e80101d8e84f2fc8e8432fd9e85f4fc9e8558f7047',
    expect: { r: { 0: 0xb21375d7, 1: 1, 2: 0x5e, 3: 0, 4: 0xe042, 5: 0 }, f: '', mem: { 0x20001030: '2010' } },
  },
  {
    name: 'tbb and tbh',
    init: { r: { 0: 1, 1: 0 } },
    asm: [
      'tbb [pc, r0]',
      '1: .byte 2, 3',
      '2: movs r5, #1',
      'b 9f',
      '3: movs r5, #2',
      'tbh [pc, r1, lsl #1]',
      '4: .hword 2, 4',
      '5: b 9f',
      '6: movs r6, #9',
      '9: nop',
    ],
    code: 'dfe800f00203012506e00225dfe811f00200040000e0092600bf7047',
    expect: { r: { 5: 2 }, f: '' },
  },
  {
    name: 'b.w forward, beq.w not taken, bne.w taken',
    init: {},
    asm: ['b.w 1f', 'movs r0, #1', '1: beq.w 2f', 'movs r1, #1', 'bne.w 3f', '2: movs r2, #1', '3: nop'],
    code: '00f001b8012000f00380012140f00180012200bf7047',
    expect: { r: { 1: 1 }, f: '' },
  },
  {
    name: 'cbz taken, cbnz not taken',
    init: { r: { 0: 0, 1: 0 } },
    asm: ['cbz r0, 1f', 'movs r2, #1', '1: cbnz r1, 2f', 'movs r3, #1', '2: nop'],
    code: '00b1012201b9012300bf7047',
    expect: { r: { 3: 1 }, f: '' },
  },
  {
    name: 'IT block: then/else on EQ, flag-setting 16-bit ops do not set flags inside',
    init: { r: { 0: 5, 1: 5, 2: 0, 3: 0, 4: 9, 5: 9 } },
    asm: ['cmp r0, r1', 'itete eq', 'addeq r2, #1', 'addne r3, #1', 'movseq r4, #0', 'movsne r5, #0'],
    code: '88420bbf013201335ff000045ff000057047',
    expect: { r: { 2: 1, 4: 0 }, f: 'ZC' },
  },
  {
    name: 'IT block with 32-bit instructions and a compare inside',
    init: { r: { 0: 7, 1: 1 } },
    asm: ['cmp r0, #0', 'ittte gt', 'addgt.w r1, r1, #0x100', 'cmpgt r0, #7', 'movgt.w r2, #1', 'movle.w r3, #1'],
    code: '0028c3bf01f5807107284ff001024ff001037047',
    expect: { r: { 1: 0x101, 3: 1 }, f: 'ZC' },
  },
  {
    name: 'IT LT with the condition false skips everything',
    init: { r: { 0: 2, 1: 1, 8: 0x20001000 } },
    asm: ['cmp r0, r1', 'itt lt', 'ldrlt.w r2, [r8]', 'strlt.w r2, [r8, #4]'],
    code: '8842bcbfd8f80020c8f804207047',
    expect: { r: {}, f: 'C' },
  },
  {
    name: 'IT with a branch as the last instruction',
    init: { r: { 0: 1 } },
    asm: ['cmp r0, #0', 'it ne', 'bne.w 1f', 'movs r1, #1', '1: nop'],
    code: '002818bf00f001b8012100bf7047',
    expect: { r: {}, f: 'C' },
  },
  {
    name: 'mrs apsr after ssat shows Q; msr apsr_nzcvq clears it',
    init: { r: { 1: 5, 3: 0x90000000 } },
    asm: ['ssat r0, #1, r1', 'mrs r2, apsr', 'msr apsr_nzcvq, r3', 'mrs r4, apsr'],
    code: '01f30000eff3008283f30088eff300847047',
    expect: { r: { 2: 0x8000000, 4: 0x90000000 }, f: 'NV' },
  },
  {
    name: 'mrs of msp, primask, control, basepri',
    init: {},
    asm: ['mrs r0, msp', 'mrs r1, primask', 'mrs r2, control', 'mrs r3, basepri', 'mrs r4, faultmask'],
    code: 'eff30880eff31081eff31482eff31183eff313847047',
    expect: { r: { 0: 0x20001f80, 1: 0, 2: 0, 3: 0, 4: 0 }, f: '' },
  },
  {
    name: 'nop.w, sev.w, dmb, dsb, isb',
    init: {},
    asm: ['nop.w', 'sev.w', 'dmb', 'dsb', 'isb', 'movs r0, #3'],
    code: 'aff30080aff30480bff35f8fbff34f8fbff36f8f03207047',
    expect: { r: { 0: 3 }, f: '' },
  },
  {
    name: 'sadd16, ssub16, sasx, ssax set GE',
    m4: true,
    init: { r: { 1: 0x7fff8000, 2: 0x18000 } },
    asm: ['sadd16 r0, r1, r2', 'mrs r8, apsr', 'ssub16 r3, r1, r2', 'mrs r9, apsr', 'sasx r4, r1, r2', 'ssax r5, r1, r2', 'mrs r10, apsr'],
    code: '91fa02f0eff30088d1fa02f3eff30089a1fa02f4e1fa02f5eff3008a7047',
    expect: { r: { 0: 0x80000000, 3: 0x7ffe0000, 4: 0xffff7fff, 5: 0xffff8001, 8: 0xc0000, 9: 0xf0000, 10: 0xc0000 }, f: '', ge: 12 },
  },
  {
    name: 'uadd8, usub8 and sel',
    m4: true,
    init: { r: { 1: 0xff0180fe, 2: 0x102807f } },
    asm: ['uadd8 r0, r1, r2', 'mrs r8, apsr', 'usub8 r3, r1, r2', 'mrs r9, apsr', 'sel r4, r1, r2'],
    code: '81fa42f0eff30088c1fa42f3eff30089a1fa82f47047',
    expect: { r: { 0: 0x3007d, 3: 0xfeff007f, 4: 0xff0280fe, 8: 0xb0000, 9: 0xb0000 }, f: '', ge: 11 },
  },
  {
    name: 'qadd16, qsub8, uqadd16, uqsub8 saturate (no Q)',
    m4: true,
    init: { r: { 1: 0x7fff8001, 2: 0x2ffff } },
    asm: ['qadd16 r0, r1, r2', 'qsub8 r3, r1, r2', 'uqadd16 r4, r1, r2', 'uqsub8 r5, r1, r2', 'mrs r6, apsr'],
    code: '91fa12f0c1fa12f391fa52f4c1fa52f5eff300867047',
    expect: { r: { 0: 0x7fff8000, 3: 0x7ffd8102, 4: 0x8001ffff, 5: 0x7ffd0000, 6: 0 }, f: '' },
  },
  {
    name: 'shadd16, shsub8, uhadd8, uhsub16, uasx, usax, shasx, uhsax',
    m4: true,
    init: { r: { 1: 0x80017fff, 2: 0x7fff8001 } },
    asm: [
      'shadd16 r0, r1, r2',
      'shsub8 r3, r1, r2',
      'uhadd8 r4, r1, r2',
      'uhsub16 r5, r1, r2',
      'uasx r6, r1, r2',
      'mrs r7, apsr',
      'usax r8, r1, r2',
      'shasx r9, r1, r2',
      'uhsax r10, r1, r2',
    ],
    code: '91fa22f0c1fa22f381fa62f4d1fa62f5a1fa42f6eff30087e1fa42f8a1fa22f9e1fa62fa7047',
    expect: {
      r: { 3: 0x80017fff, 4: 0x7f807f80, 5: 0x1ffff, 6: 0x20000, 7: 0xf0000, 8: 0xfffe, 9: 0x80010000, 10: 0x7fff },
      f: '',
      ge: 12,
    },
  },
  {
    name: 'qadd, qsub, qdadd, qdsub saturate and set Q',
    m4: true,
    init: { r: { 1: 0x7fffffff, 2: 0x80000000, 5: 1 } },
    asm: ['qadd r0, r1, r2', 'qsub r3, r2, r1', 'qdadd r4, r5, r1', 'qdsub r6, r5, r2', 'mrs r7, apsr'],
    code: '82fa81f081faa2f381fa95f482fab5f6eff300877047',
    expect: { r: { 0: 0xffffffff, 3: 0x80000000, 4: 0x7fffffff, 6: 0x7fffffff, 7: 0x8000000 }, f: 'Q' },
  },
  {
    name: 'smulbb, smultb, smlabt, smlatt with Q on overflow',
    m4: true,
    init: { r: { 1: 0x80008000, 2: 0x7fff8000, 5: 0x7fffffff } },
    asm: ['smulbb r0, r1, r2', 'smultb r3, r1, r2', 'smlabt r4, r1, r2, r5', 'smlatt r6, r1, r1, r5', 'mrs r7, apsr'],
    code: '11fb02f011fb22f311fb125411fb3156eff300877047',
    expect: { r: { 0: 0x40000000, 3: 0x40000000, 4: 0x40007fff, 6: 0xbfffffff, 7: 0x8000000 }, f: 'Q' },
  },
  {
    name: 'smulwb, smulwt, smlawb',
    m4: true,
    init: { r: { 1: 0x80000001, 2: 0x8000ffff, 5: 0x12345678 } },
    asm: ['smulwb r0, r1, r2', 'smulwt r3, r1, r2', 'smlawb r4, r1, r2, r5'],
    code: '31fb02f031fb12f331fb02547047',
    expect: { r: { 0: 0x7fff, 3: 0x3fffffff, 4: 0x1234d677 }, f: '' },
  },
  {
    name: 'smuad, smuadx, smusd, smlad, smlsdx',
    m4: true,
    init: { r: { 1: 0x80008000, 2: 0x80008000, 6: 0x7fffffff } },
    asm: ['smuad r0, r1, r2', 'smuadx r3, r1, r2', 'smusd r4, r1, r2', 'smlad r5, r1, r2, r6', 'smlsdx r7, r1, r2, r6', 'mrs r8, apsr'],
    code: '21fb02f021fb12f341fb02f421fb026541fb1267eff300887047',
    expect: { r: { 0: 0x80000000, 3: 0x80000000, 4: 0, 5: 0xffffffff, 7: 0x7fffffff, 8: 0x8000000 }, f: 'Q' },
  },
  {
    name: 'smlald, smlsld, smlalbt',
    m4: true,
    init: { r: { 0: 0xffffffff, 1: 0, 2: 0, 3: 0x80000000, 4: 0x80007fff, 5: 0x80008000, 6: 5, 7: 6 } },
    asm: ['smlald r0, r1, r4, r5', 'smlsldx r2, r3, r4, r5', 'smlalbt r6, r7, r4, r5'],
    code: 'c4fbc501d4fbd523c4fb95677047',
    expect: { r: { 0: 0x7fff, 1: 1, 2: 0x80008000, 3: 0x7fffffff, 6: 0xc0008005, 7: 5 }, f: '' },
  },
  {
    name: 'smmul, smmulr, smmla, smmlsr',
    m4: true,
    init: { r: { 1: 0x40000001, 2: 0xc0000003, 5: 0x12345678 } },
    asm: ['smmul r0, r1, r2', 'smmulr r3, r1, r2', 'smmla r4, r1, r2, r5', 'smmlsr r6, r1, r2, r5'],
    code: '51fb02f051fb12f351fb025461fb12567047',
    expect: { r: { 0: 0xf0000000, 3: 0xf0000001, 4: 0x2345678, 6: 0x22345677 }, f: '' },
  },
  {
    name: 'umaal and usad8/usada8',
    m4: true,
    init: { r: { 0: 0xffffffff, 1: 0xffffffff, 2: 0xffffffff, 3: 0xffffffff, 6: 0x64 } },
    asm: ['umaal r0, r1, r2, r3', 'usad8 r4, r2, r3', 'usada8 r5, r2, r3, r6'],
    code: 'e2fb630172fb03f472fb03657047',
    expect: { r: { 4: 0, 5: 0x64 }, f: '' },
  },
  {
    name: 'pkhbt and pkhtb',
    m4: true,
    init: { r: { 1: 0x11112222, 2: 0x80345678 } },
    asm: ['pkhbt r0, r1, r2, lsl #8', 'pkhtb r3, r1, r2, asr #31', 'pkhtb r4, r1, r2, asr #4'],
    code: 'c1ea0220c1eae273c1ea22147047',
    expect: { r: { 0: 0x34562222, 3: 0x1111ffff, 4: 0x11114567 }, f: '' },
  },
  {
    name: 'sxtb16, uxtb16, sxtab16, uxtab16',
    m4: true,
    init: { r: { 1: 0x81ff7f80, 4: 0x7fff8000 } },
    asm: ['sxtb16 r0, r1', 'uxtb16 r2, r1, ror #8', 'sxtab16 r3, r4, r1', 'uxtab16 r5, r4, r1, ror #16'],
    code: '2ffa81f03ffa91f224fa81f334faa1f57047',
    expect: { r: { 0: 0xffffff80, 2: 0x81007f, 3: 0x7ffe7f80, 5: 0x807f80ff }, f: '' },
  },
  {
    name: 'ssat16 and usat16',
    m4: true,
    init: { r: { 1: 0x7fff8000 } },
    asm: ['ssat16 r0, #8, r1', 'usat16 r2, #4, r1', 'mrs r3, apsr'],
    code: '21f30700a1f30402eff300837047',
    expect: { r: { 0: 0x7fff80, 2: 0xf0000, 3: 0x8000000 }, f: 'Q' },
  },
  {
    name: 'msr apsr_g and apsr_nzcvqg',
    m4: true,
    init: { r: { 1: 0xa0000, 3: 0xf8050000 } },
    asm: ['msr apsr_g, r1', 'mrs r2, apsr', 'msr apsr_nzcvqg, r3', 'mrs r4, apsr'],
    code: '81f30084eff3008283f3008ceff300847047',
    expect: { r: { 2: 0xa0000, 4: 0xf8050000 }, f: 'NZCVQ', ge: 5 },
  },
];
