// The test firmware on QEMU, the oracle its .expected files were captured from
// (tests/firmware/build.sh and tests/firmware-v7m/build.sh --expected): QEMU still prints each
// .expected output and exits 0, so the firmware and the expectations are sound. That sramlab
// prints the same is checked in `npm test` (tests/qemu-crosscheck*.test.ts).
// Cortex-M0 images run on -M microbit, Cortex-M3 on mps2-an385, Cortex-M4 (soft-float) on
// mps2-an386. Outside CI a machine without QEMU skips; in CI the runs fail without it.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type QemuMcu, qemuAvailable, runQemu } from '../../bench/qemu.ts';

const IMAGES: { dir: string; image: string; mcu: QemuMcu }[] = [
  ...['exceptions', 'systick', 'faults'].map((name) => ({ dir: 'firmware', image: name, mcu: 'cortex-m0' as const })),
  ...(['m3', 'm4'] as const).flatMap((core) =>
    ['usagefaults', 'busfaults', 'priorities'].map((name) => ({
      dir: 'firmware-v7m',
      image: `${name}-${core}`,
      mcu: core === 'm3' ? ('cortex-m3' as const) : ('cortex-m4' as const),
    })),
  ),
];

const haveQemu = qemuAvailable();
const skipQemu = !haveQemu && !process.env.CI;
const file = (dir: string, name: string): string => fileURLToPath(new URL(`../${dir}/${name}`, import.meta.url));

describe('test firmware on QEMU (the oracle)', () => {
  it('has qemu-system-arm where CI runs', () => {
    if (process.env.CI) expect(haveQemu, 'qemu-system-arm must be on PATH in CI').toBe(true);
  });

  for (const { dir, image, mcu } of IMAGES) {
    it.skipIf(skipQemu)(
      `${dir}/${image}.elf prints ${image}.expected and exits 0 (${mcu})`,
      () => {
        const r = runQemu(file(dir, `${image}.elf`), mcu, { icount: true, timeoutMs: 60_000 });
        expect(r.exitCode, `QEMU: ${r.stderr}`).toBe(0);
        expect(r.output).toBe(readFileSync(file(dir, `${image}.expected`), 'utf8'));
      },
      70_000,
    );
  }
});
