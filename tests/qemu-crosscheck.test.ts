// The Cortex-M0 test firmware on sramlab: it prints what QEMU printed and exits with the same
// status. QEMU is the oracle: each tests/firmware/<name>.expected was captured from it
// (tests/firmware/build.sh --expected), and only behaviour where QEMU agrees with the ARMv6-M
// ARM is in the firmware. That QEMU still prints the .expected output is checked by
// tests/long/qemu-oracle.test.ts (`npm run test:long`).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Machine } from '../emulator/machine.ts';
import { getProfile } from '../emulator/profiles.ts';

const PROGRAMS = ['exceptions', 'systick', 'faults'] as const;
const firmware = (file: string): string => fileURLToPath(new URL(`./firmware/${file}`, import.meta.url));
const expected = (name: string): string => readFileSync(firmware(`${name}.expected`), 'utf8');

/** Generous: the longest program (systick) runs a few million cycles. */
const MAX_CYCLES = 200_000_000;

describe('test firmware on sramlab', () => {
  for (const name of PROGRAMS) {
    it(`${name}.elf prints ${name}.expected and exits 0`, () => {
      const m = new Machine(getProfile('cortex-m0'));
      m.loadElf(new Uint8Array(readFileSync(firmware(`${name}.elf`))));
      m.reset();
      m.semihosting = true;
      m.cpu.faultMode = 'vector'; // faults.elf handles its HardFaults, as on silicon
      let output = '';
      m.onOutput = (text) => {
        output += text;
      };
      const r = m.run({ maxCycles: MAX_CYCLES });
      // Output first: on a mismatch the diff says more than the stop reason.
      expect(output).toBe(expected(name));
      expect(r.stop, JSON.stringify(r.fault)).toBe('exit');
      expect(r.exitCode).toBe(0);
    }, 60_000);
  }
});
