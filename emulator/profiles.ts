// MCU profiles: which architecture a core implements and the size of its memories.
// Sizes follow a typical part of each class; every number can be overridden per run.

export type Arch = 'v6m' | 'v7m' | 'v7em';

export interface Profile {
  /** CLI and report name, e.g. "cortex-m0". */
  name: string;
  arch: Arch;
  /** What the name stands for, shown by `sramlab list`. */
  summary: string;
  flashSize: number;
  sramSize: number;
  clockHz: number;
  /** Implemented NVIC priority bits (2 on ARMv6-M). */
  priorityBits: number;
  /** Reset value of SCB.CPUID. */
  cpuid: number;
  /** VTOR exists (optional on the M0+, absent on the M0). */
  hasVtor: boolean;
}

const KiB = 1024;

export const PROFILES: Readonly<Record<string, Profile>> = {
  'cortex-m0': {
    name: 'cortex-m0', arch: 'v6m', summary: 'ARMv6-M, no CAS, no divide (like an STM32F091)',
    flashSize: 256 * KiB, sramSize: 32 * KiB, clockHz: 48_000_000, priorityBits: 2,
    cpuid: 0x410cc200, hasVtor: false,
  },
  'cortex-m0plus': {
    name: 'cortex-m0plus', arch: 'v6m', summary: 'ARMv6-M, no CAS, 2-stage pipeline (like a SAMD21)',
    flashSize: 256 * KiB, sramSize: 32 * KiB, clockHz: 48_000_000, priorityBits: 2,
    cpuid: 0x410cc601, hasVtor: true,
  },
  'cortex-m3': {
    name: 'cortex-m3', arch: 'v7m', summary: 'ARMv7-M, LDREX/STREX (CAS), hardware divide (like an LM3S6965)',
    flashSize: 256 * KiB, sramSize: 64 * KiB, clockHz: 50_000_000, priorityBits: 3,
    cpuid: 0x412fc231, hasVtor: true,
  },
  'cortex-m4': {
    name: 'cortex-m4', arch: 'v7em', summary: 'ARMv7E-M integer + DSP, no FPU (like an STM32F407 without FP)',
    flashSize: 1024 * KiB, sramSize: 128 * KiB, clockHz: 168_000_000, priorityBits: 4,
    cpuid: 0x410fc241, hasVtor: true,
  },
};

export interface ProfileOverrides {
  flashSize?: number;
  sramSize?: number;
  clockHz?: number;
}

/** Looks a profile up by name; throws an Error naming the known ones. */
export function getProfile(name: string, overrides: ProfileOverrides = {}): Profile {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown MCU '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const out: Profile = { ...p, ...definedOnly(overrides) };
  if (out.flashSize <= 0 || out.flashSize > 0x2000_0000 || out.flashSize % 4) {
    throw new Error(`flash size ${out.flashSize} does not fit the code region (a multiple of 4, at most 512 MiB)`);
  }
  if (out.sramSize <= 0 || out.sramSize > 0x2000_0000 || out.sramSize % 4) {
    throw new Error(`SRAM size ${out.sramSize} does not fit the SRAM region (a multiple of 4, at most 512 MiB)`);
  }
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
