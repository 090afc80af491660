// The Cortex-M system address map (ARMv6-M / ARMv7-M ARM, "System address map").
// Only the parts sramlab models are named; every other address is unmapped.

export const FLASH_BASE = 0x0000_0000;
export const SRAM_BASE = 0x2000_0000;
/** System Control Space: SysTick, NVIC, SCB. */
export const SCS_BASE = 0xe000_e000;
export const SCS_SIZE = 0x1000;
/** Data Watchpoint and Trace unit (CYCCNT), ARMv7-M only. */
export const DWT_BASE = 0xe000_1000;

/** Region names used in reports. */
export type RegionName = 'flash' | 'sram' | 'scs' | 'dwt' | 'sio' | 'unmapped';

/** Execute Never: the architecture forbids instruction fetch at and above 0x4000_0000 except 0x6000_0000–0x9fff_ffff. */
export function isExecuteNever(addr: number): boolean {
  const a = addr >>> 0;
  return (a >= 0x4000_0000 && a < 0x6000_0000) || a >= 0xa000_0000;
}
