// The test encoder (tests/support/thumb.ts) against the GNU assembler: the committed fixture
// always, and a live `arm-none-eabi-as` run when the toolchain is on PATH.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../emulator/isa/decoder.ts';
import { ENCODINGS } from '../emulator/isa/encodings.ts';
import { assemble, FIXTURE_PATH, type Fixture, gnuAsAvailable } from './support/gnu-as.ts';
import * as T from './support/thumb.ts';
import { ENCODER_CASES, type EncoderCase } from './support/thumb-cases.ts';

const fixture = JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as Fixture;
const key = (asm: string, cpu = 'cortex-m0'): string => `${cpu}|${asm}`;
const fixtureBytes = new Map(fixture.entries.map((e) => [key(e.asm, e.cpu), e.bytes]));

const encoded = (c: EncoderCase): string => Buffer.from(T.toBytes(T.halfwords(c.insn))).toString('hex');
/** A 16-bit insn as itself, a 32-bit one as hw1 << 16 | hw2. */
const word = (i: T.Insn): number => (typeof i === 'number' ? i : ((i[0] << 16) | i[1]) >>> 0);

describe('Thumb encoder vs the GNU assembler fixture', () => {
  it.each(ENCODER_CASES.map((c) => [c.asm, c] as const))('%s', (_asm, c) => {
    const want = fixtureBytes.get(key(c.asm, c.cpu));
    expect(want, 'line missing from the fixture: rerun `npx tsx tests/support/gnu-as.ts`').toBeDefined();
    expect(encoded(c)).toBe(want);
  });

  it('the fixture has no lines the case list dropped', () => {
    const live = new Set(ENCODER_CASES.map((c) => key(c.asm, c.cpu)));
    expect(fixture.entries.filter((e) => !live.has(key(e.asm, e.cpu)))).toEqual([]);
  });
});

describe.runIf(gnuAsAvailable())('Thumb encoder vs arm-none-eabi-as (live)', () => {
  it('every case assembles to the encoder output', () => {
    const got = assemble(ENCODER_CASES);
    const mismatches = ENCODER_CASES.flatMap((c, k) =>
      got[k].bytes === encoded(c) ? [] : [`${c.asm}: as ${got[k].bytes}, encoder ${encoded(c)}`],
    );
    expect(mismatches).toEqual([]);
  });
});

describe('Thumb encoder coverage and checks', () => {
  it('covers every ARMv6-M row of the encoding table', () => {
    const rows = ENCODINGS.filter((e) => e.arch === 'v6m').map(compile);
    const hit = (r: ReturnType<typeof compile>): boolean =>
      ENCODER_CASES.some((c) => (typeof c.insn === 'number') === (r.width === 16) && (word(c.insn) & r.mask) >>> 0 === r.value);
    expect(rows.filter((r) => !hit(r)).map((r) => r.enc.name)).toEqual([]);
  });

  it('encodes the hint space and the BL offset extremes', () => {
    expect(T.hint(15)).toBe(0xbff0);
    expect(T.bl(-2)).toEqual([0xf7ff, 0xffff]);
    expect(T.b(-2)).toBe(0xe7ff);
    expect(T.b_cond('le', -256)).toBe(0xdd80);
  });

  it('rejects fields out of range', () => {
    expect(() => T.adds_reg(8, 0, 0)).toThrow(RangeError);
    expect(() => T.lsls_imm(0, 0, 32)).toThrow(RangeError);
    expect(() => T.lsrs_imm(0, 0, 0)).toThrow(RangeError);
    expect(() => T.ldr_lit(0, 2)).toThrow(RangeError);
    expect(() => T.ldr_lit(0, 1024)).toThrow(RangeError);
    expect(() => T.b_cond('eq', 256)).toThrow(RangeError);
    expect(() => T.b(3)).toThrow(RangeError);
    expect(() => T.bl(16777216)).toThrow(RangeError);
    expect(() => T.bl(-16777218)).toThrow(RangeError);
    expect(() => T.add_sp(512)).toThrow(RangeError);
    expect(() => T.mov_hi(16, 0)).toThrow(RangeError);
    expect(() => T.udf_w(0x10000)).toThrow(RangeError);
  });
});
