// no-cas: a CAS build on a Cortex-M0 must be caught (README.md "The checks", rule 5).
//
// ARMv6-M has no LDREX/STREX, so no compare-and-swap. The seed crates' spin locks build for
// thumbv6m only through portable-atomic's single-core fallback (interrupts masked around a
// plain load and store, what firmware/lock.h does there); a build that misses it — the
// thumbv7m lock flashed onto an M0 — has exclusives in it, and the first time the lock is taken
// the core takes a HardFault. sramlab must say so in words: the faults rule, a fault of kind
// 'no-cas' whose message says this MCU has no CAS, naming the instruction, its address and its
// symbol.
//
// firmware/build.ts builds every allocator once more for each ARMv6-M profile with lock.h's
// SL_LOCK_FORCE_EXCLUSIVE, into firmware/images/cas/<allocator>-<profile>.elf. On those profiles
// this scenario runs smoke on that image and expects exactly that fault: a run is ok, "caught",
// when the faults rule stops it with a no-cas fault, and fails otherwise. slab has no lock, but
// its per-bit fetch_or/fetch_and are exclusives too, so it is caught the same way. On ARMv7-M
// profiles the exclusives exist and the committed image already uses them: there the scenario
// runs smoke on it and expects every check to hold.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../checks/session.ts';
import { getProfile } from '../emulator/profiles.ts';
import { IMAGES_DIR, imageName } from '../firmware/allocators.ts';
import { ImageError, imagePath } from '../runners/image.ts';
import { smoke } from './smoke.ts';

export const description =
  'smoke on the allocator built with a LDREX/STREX lock: on ARMv6-M the fault must say the MCU has no CAS; on ARMv7-M it is smoke, every check on';

export { slabSlotSize } from './smoke.ts';

/** The leak rule runs where the scenario is smoke with every check on (ARMv7-M), not where the fault must stop it. */
export const leak = {
  applies: 'partly',
  reason: 'not on ARMv6-M, where an ok run ends at the no-cas fault in the first call that takes the lock, before any block can be freed',
} as const;

/** firmware/build.ts's CAS_IMAGES_DIR (not imported: the build script is no runtime dependency). */
export const CAS_IMAGES_DIR = join(IMAGES_DIR, 'cas');

/** The CAS build of an allocator and what must catch it, on a profile without exclusives; undefined elsewhere. */
export function casVariant(allocator: string, mcu: string): { elf: string; expect: { rule: 'faults'; fault: 'no-cas' } } | undefined {
  const v6m = getProfile(mcu).arch === 'v6m';
  imagePath(allocator, mcu); // an unknown allocator is refused as for any scenario
  if (!v6m) return undefined;
  const elf = join(CAS_IMAGES_DIR, imageName(allocator, mcu));
  if (!existsSync(elf)) throw new ImageError(`no CAS image cas/${imageName(allocator, mcu)}: run npm run firmware`);
  return { elf, expect: { rule: 'faults', fault: 'no-cas' } };
}

export function noCas(s: Session): void {
  smoke(s);
}
