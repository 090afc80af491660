// Op → handler, for the decoder's dispatch tables.

import { Op } from '../isa/encodings.ts';
import * as v6m from './v6m.ts';
import type { Handler } from './v6m.ts';
import { V7M_HANDLERS_16, V7M_HANDLERS_32 } from './v7m/index.ts';


/** Handlers of 16-bit encodings, indexed by Op. */
export const HANDLERS_16: (Handler | undefined)[] = [];
/** Handlers of 32-bit encodings, indexed by Op. */
export const HANDLERS_32: (Handler | undefined)[] = [];

const h16: [Op, Handler][] = [
  [Op.LSLS_imm, v6m.LSLS_imm], [Op.LSRS_imm, v6m.LSRS_imm], [Op.ASRS_imm, v6m.ASRS_imm],
  [Op.ADDS_reg, v6m.ADDS_reg], [Op.SUBS_reg, v6m.SUBS_reg], [Op.ADDS_imm3, v6m.ADDS_imm3], [Op.SUBS_imm3, v6m.SUBS_imm3],
  [Op.MOVS_imm, v6m.MOVS_imm], [Op.CMP_imm, v6m.CMP_imm], [Op.ADDS_imm8, v6m.ADDS_imm8], [Op.SUBS_imm8, v6m.SUBS_imm8],
  [Op.ANDS, v6m.ANDS], [Op.EORS, v6m.EORS], [Op.LSLS_reg, v6m.LSLS_reg], [Op.LSRS_reg, v6m.LSRS_reg],
  [Op.ASRS_reg, v6m.ASRS_reg], [Op.ADCS, v6m.ADCS], [Op.SBCS, v6m.SBCS], [Op.RORS, v6m.RORS], [Op.TST, v6m.TST],
  [Op.RSBS, v6m.RSBS], [Op.CMP_reg, v6m.CMP_reg], [Op.CMN, v6m.CMN], [Op.ORRS, v6m.ORRS], [Op.MULS, v6m.MULS],
  [Op.BICS, v6m.BICS], [Op.MVNS, v6m.MVNS],
  [Op.ADD_hi, v6m.ADD_hi], [Op.CMP_hi, v6m.CMP_hi], [Op.MOV_hi, v6m.MOV_hi], [Op.BX, v6m.BX], [Op.BLX, v6m.BLX],
  [Op.LDR_lit, v6m.LDR_lit], [Op.STR_reg, v6m.STR_reg], [Op.STRH_reg, v6m.STRH_reg], [Op.STRB_reg, v6m.STRB_reg],
  [Op.LDRSB_reg, v6m.LDRSB_reg], [Op.LDR_reg, v6m.LDR_reg], [Op.LDRH_reg, v6m.LDRH_reg], [Op.LDRB_reg, v6m.LDRB_reg],
  [Op.LDRSH_reg, v6m.LDRSH_reg], [Op.STR_imm, v6m.STR_imm], [Op.LDR_imm, v6m.LDR_imm], [Op.STRB_imm, v6m.STRB_imm],
  [Op.LDRB_imm, v6m.LDRB_imm], [Op.STRH_imm, v6m.STRH_imm], [Op.LDRH_imm, v6m.LDRH_imm], [Op.STR_sp, v6m.STR_sp],
  [Op.LDR_sp, v6m.LDR_sp], [Op.ADR, v6m.ADR], [Op.ADD_sp_imm8, v6m.ADD_sp_imm8], [Op.ADD_sp_imm7, v6m.ADD_sp_imm7],
  [Op.SUB_sp_imm7, v6m.SUB_sp_imm7], [Op.SXTH, v6m.SXTH], [Op.SXTB, v6m.SXTB], [Op.UXTH, v6m.UXTH], [Op.UXTB, v6m.UXTB],
  [Op.PUSH, v6m.PUSH], [Op.POP, v6m.POP], [Op.CPS, v6m.CPS], [Op.REV, v6m.REV], [Op.REV16, v6m.REV16],
  [Op.REVSH, v6m.REVSH], [Op.BKPT, v6m.BKPT], [Op.HINT, v6m.HINT], [Op.STM, v6m.STM], [Op.LDM, v6m.LDM],
  [Op.B_cond, v6m.B_cond], [Op.UDF, v6m.UDF], [Op.SVC, v6m.SVC], [Op.B, v6m.B],
];
const h32: [Op, Handler][] = [
  [Op.BL, v6m.BL], [Op.MSR, v6m.MSR], [Op.MRS, v6m.MRS],
  [Op.DSB, v6m.BARRIER], [Op.DMB, v6m.BARRIER], [Op.ISB, v6m.BARRIER], [Op.UDF_W, v6m.UDF_W],
];
for (const [op, h] of [...h16, ...V7M_HANDLERS_16]) HANDLERS_16[op] = h;
for (const [op, h] of [...h32, ...V7M_HANDLERS_32]) HANDLERS_32[op] = h;
