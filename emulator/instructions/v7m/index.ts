// OpV7 → handler, for the ARMv7-M and ARMv7E-M rows of isa/encodings-v7m.ts.

import { OpV7 } from '../../isa/encodings-v7m.ts';
import type { Handler } from '../v6m.ts';
import * as br from './branch.ts';
import * as dp from './data-processing.ts';
import * as dsp from './dsp.ts';
import * as ls from './load-store.ts';
import * as mul from './multiply.ts';
import * as sys from './system.ts';

export const V7M_HANDLERS_16: [number, Handler][] = [
  [OpV7.CBZ, br.CBZ], [OpV7.IT, br.IT], [OpV7.CPS_v7, sys.CPS_v7],
];

export const V7M_HANDLERS_32: [number, Handler][] = [
  // data processing (modified immediate)
  [OpV7.AND_imm, dp.AND_imm], [OpV7.TST_imm, dp.TST_imm], [OpV7.BIC_imm, dp.BIC_imm], [OpV7.ORR_imm, dp.ORR_imm],
  [OpV7.MOV_imm, dp.MOV_imm], [OpV7.ORN_imm, dp.ORN_imm], [OpV7.MVN_imm, dp.MVN_imm], [OpV7.EOR_imm, dp.EOR_imm],
  [OpV7.TEQ_imm, dp.TEQ_imm], [OpV7.ADD_imm, dp.ADD_imm], [OpV7.ADD_sp_imm, dp.ADD_sp_imm], [OpV7.CMN_imm, dp.CMN_imm],
  [OpV7.ADC_imm, dp.ADC_imm], [OpV7.SBC_imm, dp.SBC_imm], [OpV7.SUB_imm, dp.SUB_imm], [OpV7.SUB_sp_imm, dp.SUB_sp_imm],
  [OpV7.CMP_imm, dp.CMP_imm], [OpV7.RSB_imm, dp.RSB_imm],
  // plain binary immediate
  [OpV7.ADDW, dp.ADDW], [OpV7.ADDW_sp, dp.ADDW_sp], [OpV7.ADR_add, dp.ADR_add], [OpV7.SUBW, dp.SUBW],
  [OpV7.SUBW_sp, dp.SUBW_sp], [OpV7.ADR_sub, dp.ADR_sub], [OpV7.MOVW, dp.MOVW], [OpV7.MOVT, dp.MOVT],
  [OpV7.SSAT, dp.SSAT], [OpV7.SSAT16, dp.SSAT16], [OpV7.USAT, dp.USAT], [OpV7.USAT16, dp.USAT16],
  [OpV7.SBFX, dp.SBFX], [OpV7.UBFX, dp.UBFX], [OpV7.BFI, dp.BFI], [OpV7.BFC, dp.BFC],
  // shifted register
  [OpV7.AND_reg, dp.AND_reg], [OpV7.TST_reg, dp.TST_reg], [OpV7.BIC_reg, dp.BIC_reg], [OpV7.ORR_reg, dp.ORR_reg],
  [OpV7.MOV_reg, dp.MOV_reg], [OpV7.ORN_reg, dp.ORN_reg], [OpV7.MVN_reg, dp.MVN_reg], [OpV7.EOR_reg, dp.EOR_reg],
  [OpV7.TEQ_reg, dp.TEQ_reg], [OpV7.PKH, dp.PKH], [OpV7.ADD_reg, dp.ADD_reg], [OpV7.ADD_sp_reg, dp.ADD_sp_reg],
  [OpV7.CMN_reg, dp.CMN_reg], [OpV7.ADC_reg, dp.ADC_reg], [OpV7.SBC_reg, dp.SBC_reg], [OpV7.SUB_reg, dp.SUB_reg],
  [OpV7.SUB_sp_reg, dp.SUB_sp_reg], [OpV7.CMP_reg, dp.CMP_reg], [OpV7.RSB_reg, dp.RSB_reg],
  // register: shifts, extends, parallel, miscellaneous
  [OpV7.SHIFT_reg, dp.SHIFT_reg],
  [OpV7.SXTAH, dp.SXTAH], [OpV7.SXTH, dp.SXTH], [OpV7.UXTAH, dp.UXTAH], [OpV7.UXTH, dp.UXTH],
  [OpV7.SXTAB16, dp.SXTAB16], [OpV7.SXTB16, dp.SXTB16], [OpV7.UXTAB16, dp.UXTAB16], [OpV7.UXTB16, dp.UXTB16],
  [OpV7.SXTAB, dp.SXTAB], [OpV7.SXTB, dp.SXTB], [OpV7.UXTAB, dp.UXTAB], [OpV7.UXTB, dp.UXTB],
  [OpV7.PAR_S, dsp.PAR_S], [OpV7.PAR_Q, dsp.PAR_Q], [OpV7.PAR_SH, dsp.PAR_SH],
  [OpV7.PAR_U, dsp.PAR_U], [OpV7.PAR_UQ, dsp.PAR_UQ], [OpV7.PAR_UH, dsp.PAR_UH],
  [OpV7.QADD, dsp.QADD], [OpV7.QDADD, dsp.QDADD], [OpV7.QSUB, dsp.QSUB], [OpV7.QDSUB, dsp.QDSUB],
  [OpV7.REV, dp.REV_W], [OpV7.REV16, dp.REV16_W], [OpV7.RBIT, dp.RBIT], [OpV7.REVSH, dp.REVSH_W],
  [OpV7.SEL, dsp.SEL], [OpV7.CLZ, dp.CLZ],
  // multiply, divide
  [OpV7.MUL, mul.MUL], [OpV7.MLA, mul.MLA], [OpV7.MLS, mul.MLS],
  [OpV7.SMULxy, mul.SMULxy], [OpV7.SMLAxy, mul.SMLAxy], [OpV7.SMUAD, mul.SMUAD], [OpV7.SMLAD, mul.SMLAD],
  [OpV7.SMULWy, mul.SMULWy], [OpV7.SMLAWy, mul.SMLAWy], [OpV7.SMUSD, mul.SMUSD], [OpV7.SMLSD, mul.SMLSD],
  [OpV7.SMMUL, mul.SMMUL], [OpV7.SMMLA, mul.SMMLA], [OpV7.SMMLS, mul.SMMLS], [OpV7.USAD8, mul.USAD8],
  [OpV7.USADA8, mul.USADA8],
  [OpV7.SMULL, mul.SMULL], [OpV7.UMULL, mul.UMULL], [OpV7.SMLAL, mul.SMLAL], [OpV7.UMLAL, mul.UMLAL],
  [OpV7.UMAAL, mul.UMAAL], [OpV7.SMLALxy, mul.SMLALxy], [OpV7.SMLALD, mul.SMLALD], [OpV7.SMLSLD, mul.SMLSLD],
  [OpV7.SDIV, mul.SDIV], [OpV7.UDIV, mul.UDIV],
  // loads and stores
  [OpV7.STM_W, ls.STM_W], [OpV7.STMDB, ls.STMDB], [OpV7.LDM_W, ls.LDM_W], [OpV7.LDMDB, ls.LDMDB],
  [OpV7.LDREX, ls.LDREX], [OpV7.STREX, ls.STREX], [OpV7.LDREXB, ls.LDREXB], [OpV7.LDREXH, ls.LDREXH],
  [OpV7.STREXB, ls.STREXB], [OpV7.STREXH, ls.STREXH],
  [OpV7.LDRD_imm, ls.LDRD_imm], [OpV7.STRD_imm, ls.STRD_imm], [OpV7.LDRD_lit, ls.LDRD_lit],
  [OpV7.TBB, ls.TBB], [OpV7.TBH, ls.TBH],
  [OpV7.LDR_imm12, ls.LDR_imm12], [OpV7.LDR_imm8, ls.LDR_imm8], [OpV7.LDR_reg, ls.LDR_reg], [OpV7.LDR_lit, ls.LDR_lit],
  [OpV7.LDRB_imm12, ls.LDRB_imm12], [OpV7.LDRB_imm8, ls.LDRB_imm8], [OpV7.LDRB_reg, ls.LDRB_reg], [OpV7.LDRB_lit, ls.LDRB_lit],
  [OpV7.LDRSB_imm12, ls.LDRSB_imm12], [OpV7.LDRSB_imm8, ls.LDRSB_imm8], [OpV7.LDRSB_reg, ls.LDRSB_reg], [OpV7.LDRSB_lit, ls.LDRSB_lit],
  [OpV7.LDRH_imm12, ls.LDRH_imm12], [OpV7.LDRH_imm8, ls.LDRH_imm8], [OpV7.LDRH_reg, ls.LDRH_reg], [OpV7.LDRH_lit, ls.LDRH_lit],
  [OpV7.LDRSH_imm12, ls.LDRSH_imm12], [OpV7.LDRSH_imm8, ls.LDRSH_imm8], [OpV7.LDRSH_reg, ls.LDRSH_reg], [OpV7.LDRSH_lit, ls.LDRSH_lit],
  [OpV7.STR_imm12, ls.STR_imm12], [OpV7.STR_imm8, ls.STR_imm8], [OpV7.STR_reg, ls.STR_reg],
  [OpV7.STRB_imm12, ls.STRB_imm12], [OpV7.STRB_imm8, ls.STRB_imm8], [OpV7.STRB_reg, ls.STRB_reg],
  [OpV7.STRH_imm12, ls.STRH_imm12], [OpV7.STRH_imm8, ls.STRH_imm8], [OpV7.STRH_reg, ls.STRH_reg],
  [OpV7.MEM_HINT, ls.MEM_HINT],
  // branches and system
  [OpV7.B_T3, br.B_T3], [OpV7.B_T4, br.B_T4],
  [OpV7.MSR_v7, sys.MSR_v7], [OpV7.MRS_v7, sys.MRS_v7], [OpV7.HINT_W, sys.HINT_W], [OpV7.CLREX, sys.CLREX],
  [OpV7.COPROC, sys.COPROC],
];

// Every op of the table has a handler (checked once at load: a missing one is a bug here).
{
  const have = new Set([...V7M_HANDLERS_16, ...V7M_HANDLERS_32].map(([op]) => op));
  for (let op = OpV7.FIRST; op < OpV7.COUNT; op++) {
    if (!have.has(op)) throw new Error(`no handler for ARMv7-M op ${OpV7[op]}`);
  }
}
