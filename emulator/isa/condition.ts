// ConditionPassed (ARMv6-M A6.3.1, ARMv7-M A7.3.1): shared by B<cond>, IT blocks and the core.
// It reads the four flags only, so it needs nothing from the CPU module.

export interface NZCV {
  fN: number;
  fZ: number;
  fC: number;
  fV: number;
}

/** ConditionPassed for condition field cond. */
export function conditionPassed(f: NZCV, cond: number): boolean {
  let r: boolean;
  switch (cond >>> 1) {
    case 0:
      r = f.fZ === 1;
      break;
    case 1:
      r = f.fC === 1;
      break;
    case 2:
      r = f.fN === 1;
      break;
    case 3:
      r = f.fV === 1;
      break;
    case 4:
      r = f.fC === 1 && f.fZ === 0;
      break;
    case 5:
      r = f.fN === f.fV;
      break;
    case 6:
      r = f.fN === f.fV && f.fZ === 0;
      break;
    default:
      return true;
  }
  return (cond & 1) === 1 ? !r : r;
}
