// The ARMv7-M and ARMv7E-M rows of the encoding table (ARMv7-M ARM, DDI 0403E, §A5),
// in the same form as encodings.ts. Ops are numbered from OpV7.FIRST so they never collide
// with the ARMv6-M ones.

import type { Encoding } from './encodings.ts';

export enum OpV7 {
  FIRST = 128,
}

export const V7M_ENCODINGS: readonly Encoding[] = [];
