// Encoder calls paired with the GNU assembler syntax for the same instruction. The bytes
// `arm-none-eabi-as` produced for each line are in thumb-fixture.json (made by gnu-as.ts);
// tests/thumb-encoder.test.ts checks the encoder against them.
// Branch lines use `.+N`: the target is the line's own address + N, so N = offset + 4.

import * as T from './thumb.ts';

export interface EncoderCase {
  asm: string;
  insn: T.Insn;
  /** GNU as rejects or respells a few ARMv6-M forms for cortex-m0 (far BL, UDF.W, NOP); same bits on the M3. */
  cpu?: 'cortex-m3';
}

const c = (asm: string, insn: T.Insn, cpu?: 'cortex-m3'): EncoderCase => (cpu ? { asm, insn, cpu } : { asm, insn });

const shifts: EncoderCase[] = [
  c('lsls r0, r1, #0', T.lsls_imm(0, 1, 0)),
  c('lsls r7, r6, #31', T.lsls_imm(7, 6, 31)),
  c('lsrs r2, r3, #1', T.lsrs_imm(2, 3, 1)),
  c('lsrs r4, r5, #32', T.lsrs_imm(4, 5, 32)),
  c('asrs r1, r0, #31', T.asrs_imm(1, 0, 31)),
  c('asrs r6, r7, #32', T.asrs_imm(6, 7, 32)),
];

const addSub: EncoderCase[] = [
  c('adds r0, r1, r2', T.adds_reg(0, 1, 2)),
  c('adds r7, r7, r7', T.adds_reg(7, 7, 7)),
  c('subs r3, r4, r5', T.subs_reg(3, 4, 5)),
  c('adds r0, r1, #0', T.adds_imm3(0, 1, 0)),
  c('adds r6, r5, #7', T.adds_imm3(6, 5, 7)),
  c('subs r2, r7, #7', T.subs_imm3(2, 7, 7)),
  c('movs r0, #0', T.movs_imm(0, 0)),
  c('movs r7, #255', T.movs_imm(7, 255)),
  c('cmp r3, #128', T.cmp_imm(3, 128)),
  c('adds r1, #255', T.adds_imm8(1, 255)),
  c('subs r6, #9', T.subs_imm8(6, 9)),
];

const alu: EncoderCase[] = [
  c('ands r0, r1', T.ands(0, 1)),
  c('eors r7, r2', T.eors(7, 2)),
  c('lsls r3, r4', T.lsls_reg(3, 4)),
  c('lsrs r5, r6', T.lsrs_reg(5, 6)),
  c('asrs r1, r7', T.asrs_reg(1, 7)),
  c('adcs r2, r3', T.adcs(2, 3)),
  c('sbcs r4, r5', T.sbcs(4, 5)),
  c('rors r6, r0', T.rors(6, 0)),
  c('tst r1, r2', T.tst(1, 2)),
  c('rsbs r3, r4, #0', T.rsbs(3, 4)),
  c('cmp r5, r6', T.cmp_reg(5, 6)),
  c('cmn r7, r0', T.cmn(7, 0)),
  c('orrs r1, r3', T.orrs(1, 3)),
  c('muls r2, r5, r2', T.muls(2, 5)),
  c('bics r4, r6', T.bics(4, 6)),
  c('mvns r0, r7', T.mvns(0, 7)),
];

const special: EncoderCase[] = [
  c('add r0, r1', T.add_hi(0, 1)),
  c('add r8, r9', T.add_hi(8, 9)),
  c('add sp, r2', T.add_hi(13, 2)),
  c('add r3, pc', T.add_hi(3, 15)),
  c('add pc, r4', T.add_hi(15, 4)),
  c('cmp r8, r1', T.cmp_hi(8, 1)),
  c('cmp r2, r12', T.cmp_hi(2, 12)),
  c('cmp sp, lr', T.cmp_hi(13, 14)),
  c('mov r0, r1', T.mov_hi(0, 1)),
  c('mov r8, r2', T.mov_hi(8, 2)),
  c('mov sp, r3', T.mov_hi(13, 3)),
  c('mov r4, pc', T.mov_hi(4, 15)),
  c('mov pc, lr', T.mov_hi(15, 14)),
  c('bx r0', T.bx(0)),
  c('bx lr', T.bx(14)),
  c('blx r3', T.blx(3)),
  c('blx r9', T.blx(9)),
];

const loadStore: EncoderCase[] = [
  c('ldr r0, [pc, #0]', T.ldr_lit(0, 0)),
  c('ldr r7, [pc, #1020]', T.ldr_lit(7, 1020)),
  c('str r0, [r1, r2]', T.str_reg(0, 1, 2)),
  c('strh r3, [r4, r5]', T.strh_reg(3, 4, 5)),
  c('strb r6, [r7, r0]', T.strb_reg(6, 7, 0)),
  c('ldrsb r1, [r2, r3]', T.ldrsb_reg(1, 2, 3)),
  c('ldr r4, [r5, r6]', T.ldr_reg(4, 5, 6)),
  c('ldrh r7, [r0, r1]', T.ldrh_reg(7, 0, 1)),
  c('ldrb r2, [r3, r4]', T.ldrb_reg(2, 3, 4)),
  c('ldrsh r5, [r6, r7]', T.ldrsh_reg(5, 6, 7)),
  c('str r0, [r1, #0]', T.str_imm(0, 1, 0)),
  c('str r2, [r3, #124]', T.str_imm(2, 3, 124)),
  c('ldr r4, [r5, #64]', T.ldr_imm(4, 5, 64)),
  c('strb r6, [r7, #31]', T.strb_imm(6, 7, 31)),
  c('ldrb r0, [r2, #1]', T.ldrb_imm(0, 2, 1)),
  c('strh r1, [r4, #62]', T.strh_imm(1, 4, 62)),
  c('ldrh r3, [r6, #2]', T.ldrh_imm(3, 6, 2)),
  c('str r5, [sp, #1020]', T.str_sp(5, 1020)),
  c('ldr r7, [sp, #4]', T.ldr_sp(7, 4)),
];

const addressing: EncoderCase[] = [
  c('add r0, pc, #0', T.adr(0, 0)),
  c('add r5, pc, #1020', T.adr(5, 1020)),
  c('add r1, sp, #0', T.add_rd_sp(1, 0)),
  c('add r7, sp, #1020', T.add_rd_sp(7, 1020)),
  c('add sp, #508', T.add_sp(508)),
  c('add sp, #4', T.add_sp(4)),
  c('sub sp, #508', T.sub_sp(508)),
  c('sub sp, #0', T.sub_sp(0)),
];

const misc: EncoderCase[] = [
  c('sxth r0, r1', T.sxth(0, 1)),
  c('sxtb r2, r3', T.sxtb(2, 3)),
  c('uxth r4, r5', T.uxth(4, 5)),
  c('uxtb r6, r7', T.uxtb(6, 7)),
  c('push {r0}', T.push([0])),
  c('push {r0, r1, r2, r3, r4, r5, r6, r7, lr}', T.push([0, 1, 2, 3, 4, 5, 6, 7], true)),
  c('push {lr}', T.push([], true)),
  c('pop {r7}', T.pop([7])),
  c('pop {r4, r5, pc}', T.pop([4, 5], true)),
  c('pop {pc}', T.pop([], true)),
  c('cpsie i', T.cpsie()),
  c('cpsid i', T.cpsid()),
  c('rev r0, r1', T.rev(0, 1)),
  c('rev16 r2, r3', T.rev16(2, 3)),
  c('revsh r4, r5', T.revsh(4, 5)),
  c('bkpt #0', T.bkpt(0)),
  c('bkpt #255', T.bkpt(255)),
  // GNU as spells `nop` as `mov r8, r8` for the M0; the hint encoding is the same on the M3.
  c('nop', T.nop(), 'cortex-m3'),
  c('mov r8, r8', T.mov_hi(8, 8)),
  c('yield', T.yield_()),
  c('wfe', T.wfe()),
  c('wfi', T.wfi()),
  c('sev', T.sev()),
];

const multipleAndBranch: EncoderCase[] = [
  c('stmia r0!, {r1, r2}', T.stm(0, [1, 2])),
  c('stmia r7!, {r0, r1, r2, r3, r4, r5, r6, r7}', T.stm(7, [0, 1, 2, 3, 4, 5, 6, 7])),
  c('ldmia r1!, {r2}', T.ldm(1, [2])),
  c('ldmia r0, {r0, r3}', T.ldm(0, [0, 3])),
  c('beq .+4', T.b_cond('eq', 0)),
  c('bne .-252', T.b_cond('ne', -256)),
  c('bcs .+258', T.b_cond('cs', 254)),
  c('bcc .+2', T.b_cond('cc', -2)),
  c('bmi .+8', T.b_cond('mi', 4)),
  c('bpl .+8', T.b_cond('pl', 4)),
  c('bvs .+8', T.b_cond('vs', 4)),
  c('bvc .+8', T.b_cond('vc', 4)),
  c('bhi .+8', T.b_cond('hi', 4)),
  c('bls .+8', T.b_cond('ls', 4)),
  c('bge .+8', T.b_cond('ge', 4)),
  c('blt .+8', T.b_cond('lt', 4)),
  c('bgt .+8', T.b_cond('gt', 4)),
  c('ble .+8', T.b_cond('le', 4)),
  c('udf #0', T.udf(0)),
  c('udf #255', T.udf(255)),
  c('svc #0', T.svc(0)),
  c('svc #171', T.svc(171)),
  c('b .+4', T.b(0)),
  c('b .-2044', T.b(-2048)),
  c('b .+2050', T.b(2046)),
];

const wide: EncoderCase[] = [
  c('bl .+4', T.bl(0)),
  c('bl .+100', T.bl(96)),
  c('bl .-1000', T.bl(-1004)),
  c('bl .+4194304', T.bl(4194300)),
  c('bl .-4194300', T.bl(-4194304)),
  c('bl .+16777218', T.bl(16777214), 'cortex-m3'),
  c('bl .-16777212', T.bl(-16777216), 'cortex-m3'),
  c('bl .+8388608', T.bl(8388604), 'cortex-m3'),
  c('msr apsr_nzcvq, r0', T.msr('apsr', 0)),
  c('msr xpsr_nzcvq, r3', T.msr('xpsr', 3)),
  c('msr msp, r1', T.msr('msp', 1)),
  c('msr psp, r2', T.msr('psp', 2)),
  c('msr primask, r12', T.msr('primask', 12)),
  c('msr control, r7', T.msr('control', 7)),
  c('mrs r0, apsr', T.mrs(0, 'apsr')),
  c('mrs r1, iapsr', T.mrs(1, 'iapsr')),
  c('mrs r2, eapsr', T.mrs(2, 'eapsr')),
  c('mrs r3, xpsr', T.mrs(3, 'xpsr')),
  c('mrs r4, ipsr', T.mrs(4, 'ipsr')),
  c('mrs r5, epsr', T.mrs(5, 'epsr')),
  c('mrs r6, iepsr', T.mrs(6, 'iepsr')),
  c('mrs r7, msp', T.mrs(7, 'msp')),
  c('mrs r8, psp', T.mrs(8, 'psp')),
  c('mrs r9, primask', T.mrs(9, 'primask')),
  c('mrs r12, control', T.mrs(12, 'control')),
  c('dsb sy', T.dsb()),
  c('dmb sy', T.dmb()),
  c('isb sy', T.isb()),
  c('dsb #0', T.dsb(0)),
  c('udf.w #0', T.udf_w(0), 'cortex-m3'),
  c('udf.w #65535', T.udf_w(0xffff), 'cortex-m3'),
  c('udf.w #4660', T.udf_w(0x1234), 'cortex-m3'),
];

export const ENCODER_CASES: readonly EncoderCase[] = [
  ...shifts,
  ...addSub,
  ...alu,
  ...special,
  ...loadStore,
  ...addressing,
  ...misc,
  ...multipleAndBranch,
  ...wide,
];
