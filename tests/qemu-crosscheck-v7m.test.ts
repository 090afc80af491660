// The ARMv7-M test firmware on QEMU and on sramlab: Cortex-M3 images against
// qemu-system-arm -M mps2-an385 and Cortex-M4 images (soft-float) against -M mps2-an386.
// QEMU is the oracle: each tests/firmware-v7m/<name>-<core>.expected was captured from it
// (tests/firmware-v7m/build.sh --expected), and only behaviour where QEMU agrees with the
// ARMv7-M ARM is in the firmware (the cases left out are listed, with the reason, at the
// top of each program). Here sramlab prints the same and exits with the same status; that
// QEMU still prints the .expected output is checked by tests/long/qemu-oracle.test.ts.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { QemuMcu } from '../bench/qemu.ts';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const PROGRAMS = ['usagefaults', 'busfaults', 'priorities'] as const;
const CORES = [
  { core: 'm3', mcu: 'cortex-m3' },
  { core: 'm4', mcu: 'cortex-m4' },
] as const satisfies readonly { core: string; mcu: QemuMcu }[];

const firmware = (file: string): string => fileURLToPath(new URL(`./firmware-v7m/${file}`, import.meta.url));
const expected = (image: string): string => readFileSync(firmware(`${image}.expected`), 'utf8');

/** Generous: the longest program (priorities, with its SysTick waits) runs a few million cycles. */
const MAX_CYCLES = 200_000_000;

describe('ARMv7-M test firmware on sramlab', () => {
  for (const { core, mcu } of CORES) {
    for (const name of PROGRAMS) {
      const image = `${name}-${core}`;
      it(`${image}.elf prints ${image}.expected and exits 0 (${mcu})`, () => {
        const m = new Machine(getProfile(mcu));
        m.loadElf(new Uint8Array(readFileSync(firmware(`${image}.elf`))));
        m.reset();
        m.semihosting = true;
        m.cpu.faultMode = 'vector'; // the programs handle their faults, as on silicon
        let output = '';
        m.onOutput = (text) => {
          output += text;
        };
        const r = m.run({ maxCycles: MAX_CYCLES });
        // Output first: on a mismatch the diff says more than the stop reason.
        expect(output).toBe(expected(image));
        expect(r.stop, JSON.stringify(r.fault)).toBe('exit');
        expect(r.exitCode).toBe(0);
      }, 60_000);
    }
  }
});
