// Flag arithmetic shared by the instruction handlers (ARMv6-M A2.2.1, A7.3).

import type { Cpu } from '../cpu.ts';

export function setNZ(cpu: Cpu, res: number): void {
  cpu.fN = res >>> 31;
  cpu.fZ = res === 0 ? 1 : 0;
}

/** AddWithCarry(x, y, carry): sets N, Z, C, V and returns the int32 result. Subtraction is x + ~y + 1. */
export function addWithCarry(cpu: Cpu, x: number, y: number, carry: number): number {
  const unsigned = (x >>> 0) + (y >>> 0) + carry;
  const res = unsigned | 0;
  cpu.fN = res >>> 31;
  cpu.fZ = res === 0 ? 1 : 0;
  cpu.fC = unsigned > 0xffffffff ? 1 : 0;
  // Signed overflow: both operands have one sign and the result the other.
  cpu.fV = ((x ^ res) & (y ^ res)) >>> 31;
  return res;
}

export function popcount8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}
