// MCU profiles: which architecture a core implements and the size of its memories.
// Sizes follow a typical part of each class; every number can be overridden per run.

export type Arch = 'v6m' | 'v7m' | 'v7em';

/**
 * What a core has, as the emulator asks it: code tests these flags, never the architecture
 * name, so a new core (a Cortex-M23 is ARMv6-M plus exclusives and divide; a Cortex-M33 is
 * ARMv7E-M's set) is one more row of PROFILES.
 */
export interface Features {
  /** The 32-bit ARMv7-M encodings, IT blocks and the Q flag. */
  hasThumb2: boolean;
  /** LDREX/STREX and friends, CLREX (ARMv7-M A3.4). */
  hasExclusives: boolean;
  /** SDIV/UDIV. */
  hasDivide: boolean;
  /** The DSP extension (ARMv7E-M): SIMD, saturating and long multiplies, the GE flags. */
  hasDsp: boolean;
  /**
   * Every halfword and word access must be aligned, whatever CCR says (ARMv6-M A3.2); without
   * it, LDR/STR/LDRH/STRH may be unaligned unless CCR.UNALIGN_TRP is set.
   */
  unalignedTraps: boolean;
  /**
   * MemManage, BusFault and UsageFault with CFSR/HFSR, BASEPRI and FAULTMASK, AIRCR.PRIGROUP,
   * byte access to the SCB, the DWT (ARMv7-M; the ARMv8-M Main Extension). Without it every
   * fault is HardFault.
   */
  hasConfigurableFaults: boolean;
}

/** The features each architecture defines (profiles copy them; a core may differ). */
export const ARCH_FEATURES: Readonly<Record<Arch, Features>> = {
  v6m: { hasThumb2: false, hasExclusives: false, hasDivide: false, hasDsp: false, unalignedTraps: true, hasConfigurableFaults: false },
  v7m: { hasThumb2: true, hasExclusives: true, hasDivide: true, hasDsp: false, unalignedTraps: false, hasConfigurableFaults: true },
  v7em: { hasThumb2: true, hasExclusives: true, hasDivide: true, hasDsp: true, unalignedTraps: false, hasConfigurableFaults: true },
};

export interface Profile extends Features {
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
    name: 'cortex-m0', arch: 'v6m', ...ARCH_FEATURES.v6m, summary: 'ARMv6-M, no CAS, no divide (like an STM32F091)',
    flashSize: 256 * KiB, sramSize: 32 * KiB, clockHz: 48_000_000, priorityBits: 2,
    cpuid: 0x410cc200, hasVtor: false,
  },
  'cortex-m0plus': {
    name: 'cortex-m0plus', arch: 'v6m', ...ARCH_FEATURES.v6m, summary: 'ARMv6-M, no CAS, 2-stage pipeline (like a SAMD21)',
    flashSize: 256 * KiB, sramSize: 32 * KiB, clockHz: 48_000_000, priorityBits: 2,
    cpuid: 0x410cc601, hasVtor: true,
  },
  'cortex-m3': {
    name: 'cortex-m3', arch: 'v7m', ...ARCH_FEATURES.v7m, summary: 'ARMv7-M, LDREX/STREX (CAS), hardware divide (like an LM3S6965)',
    flashSize: 256 * KiB, sramSize: 64 * KiB, clockHz: 50_000_000, priorityBits: 3,
    cpuid: 0x412fc231, hasVtor: true,
  },
  'cortex-m4': {
    name: 'cortex-m4', arch: 'v7em', ...ARCH_FEATURES.v7em, summary: 'ARMv7E-M integer + DSP, no FPU (like an STM32F407 without FP)',
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
