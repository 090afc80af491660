// OpV7 → handler, for the ARMv7-M rows.

import type { Handler } from '../v6m.ts';

export const V7M_HANDLERS_16: [number, Handler][] = [];
export const V7M_HANDLERS_32: [number, Handler][] = [];
