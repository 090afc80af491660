// A two-core machine: two Machines (each its own Cpu, NVIC, SysTick, SCB and, on the RP2040, its
// own view of the SIO) sharing one flash array, one SRAM array and one dirty-page map. Which core
// runs when is the caller's business (explore/two-core.ts interleaves them); this file only
// builds the pair, wires what the chip shares (the SIO, or the global exclusive monitor) and
// saves and restores both cores together.
//
// The two-core profiles live here, not in PROFILES: every single-core command iterates PROFILES,
// and a two-core chip means nothing to them.

import { installGlobalMonitor } from './global-monitor.ts';
import { Machine } from './machine.ts';
import { getProfile, type Profile } from './profiles.ts';
import { SIO_BASE, SIO_SIZE, Sio, type SioState } from './sio.ts';
import { type MachineSnapshot, restoreSnapshot, SNAPSHOT_FIELDS, takeSnapshot } from './snapshot.ts';

export interface DualProfile {
  /** CLI and report name: --mcu rp2040. */
  name: string;
  summary: string;
  cores: 2;
  /** The single-core profile whose committed images (firmware/images) run on this chip. */
  base: string;
  /** Each core, as a single-core profile (named as its core type: the cycle model and architecture checks go by it). */
  core: Profile;
  /** The RP2040's SIO (hardware spinlocks, FIFOs, CPUID) at 0xd0000000 on both cores. */
  sio: boolean;
  /** A global exclusive monitor between the cores (only meaningful with LDREX/STREX). */
  globalMonitor: boolean;
}

const KiB = 1024;

export const DUAL_PROFILES: Readonly<Record<string, DualProfile>> = {
  rp2040: {
    name: 'rp2040',
    summary: 'two Cortex-M0+ (ARMv6-M, no CAS) sharing SRAM, with the SIO hardware spinlocks and FIFOs (like a Raspberry Pi Pico)',
    cores: 2,
    base: 'cortex-m0plus',
    // Flash stays at 0 as on every sramlab profile (the real chip boots from ROM there and runs
    // flash at 0x10000000): images built to the ABI run unchanged.
    core: {
      ...getProfile('cortex-m0plus'),
      summary: 'one core of an RP2040',
      flashSize: 2048 * KiB,
      sramSize: 264 * KiB,
      clockHz: 125_000_000,
    },
    sio: true,
    globalMonitor: false,
  },
  'dual-cortex-m3': {
    name: 'dual-cortex-m3',
    summary: 'two Cortex-M3 (ARMv7-M, LDREX/STREX) sharing SRAM, with a global exclusive monitor',
    cores: 2,
    base: 'cortex-m3',
    core: { ...getProfile('cortex-m3'), summary: 'one core of a dual Cortex-M3' },
    sio: false,
    globalMonitor: true,
  },
};

/** Looks a two-core profile up by name; throws an Error naming the known ones. */
export function getDualProfile(name: string): DualProfile {
  const p = DUAL_PROFILES[name];
  if (!p) throw new Error(`unknown two-core MCU '${name}' (known: ${Object.keys(DUAL_PROFILES).join(', ')})`);
  return p;
}

export interface DualOptions {
  /** Wire the global exclusive monitor (default: the profile's). Off, each core has only its local monitor. */
  globalMonitor?: boolean;
}

/** The second core of a chip whose first core is `core0` (already loaded: they share its memory). */
export class DualMachine {
  readonly cores: readonly [Machine, Machine];
  readonly sio: Sio | null;
  readonly globalMonitor: boolean;

  constructor(
    readonly profile: DualProfile,
    core0: Machine,
    opts: DualOptions = {},
  ) {
    const core1 = new Machine(core0.profile, core0);
    core1.image = core0.image;
    core1.symbols = core0.symbols;
    this.cores = [core0, core1];
    this.sio = profile.sio ? new Sio() : null;
    if (this.sio) {
      core0.bus.mapDevice(SIO_BASE, SIO_SIZE, this.sio.view(0));
      core1.bus.mapDevice(SIO_BASE, SIO_SIZE, this.sio.view(1));
    }
    this.globalMonitor = opts.globalMonitor ?? profile.globalMonitor;
    if (this.globalMonitor) installGlobalMonitor(core0, core1);
  }

  /**
   * Both cores and the SIO. Core 0 is saved by takeSnapshot, SRAM with it (the pages it marks
   * are the shared ones); core 1 by the same field lists (SNAPSHOT_FIELDS, which the snapshot
   * test keeps complete) without a second copy of the shared SRAM.
   */
  snapshot(): DualSnapshot {
    return { core0: takeSnapshot(this.cores[0]), core1: saveParts(this.cores[1]), sio: this.sio?.save() ?? null };
  }

  restore(s: DualSnapshot): void {
    restoreSnapshot(this.cores[0], s.core0);
    restoreParts(this.cores[1], s.core1);
    if (this.sio && s.sio) this.sio.restore(s.sio);
  }
}

export interface DualSnapshot {
  readonly core0: MachineSnapshot;
  readonly core1: PartsState;
  readonly sio: SioState | null;
}

type Fields = { readonly saved: readonly string[]; readonly savedArrays: readonly string[] };
type Saved = { values: unknown[]; arrays: { set(a: ArrayLike<number>): void; slice(): unknown }[] };
interface PartsState {
  readonly parts: Saved[];
  readonly faults: readonly unknown[];
}

/** Every part of a machine with the fields a snapshot saves, in a fixed order. */
function parts(m: Machine): [object, Fields][] {
  const out: [object, Fields][] = [
    [m.cpu, SNAPSHOT_FIELDS.cpu],
    [m.cpu.systick, SNAPSHOT_FIELDS.systick],
    [m.scs, SNAPSHOT_FIELDS.scs],
    [m.bus, SNAPSHOT_FIELDS.bus],
    [m, SNAPSHOT_FIELDS.machine],
  ];
  if (m.dwt) out.push([m.dwt, SNAPSHOT_FIELDS.dwt]);
  return out;
}

function saveParts(m: Machine): PartsState {
  return {
    parts: parts(m).map(([o, f]) => {
      const x = o as Record<string, unknown>;
      return {
        values: f.saved.map((k) => x[k]),
        arrays: f.savedArrays.map((k) => (x[k] as Saved['arrays'][number]).slice() as Saved['arrays'][number]),
      };
    }),
    faults: m.cpu.faults.slice(),
  };
}

function restoreParts(m: Machine, s: PartsState): void {
  const ps = parts(m);
  for (let i = 0; i < ps.length; i++) {
    const [o, f] = ps[i]!;
    const x = o as Record<string, unknown>,
      p = s.parts[i]!;
    for (let j = 0; j < f.saved.length; j++) x[f.saved[j]!] = p.values[j];
    for (let j = 0; j < f.savedArrays.length; j++) {
      (x[f.savedArrays[j]!] as Saved['arrays'][number]).set(p.arrays[j] as unknown as ArrayLike<number>);
    }
  }
  const faults = m.cpu.faults as unknown[];
  faults.length = 0;
  faults.push(...s.faults);
}
