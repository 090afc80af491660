// `sramlab exec` and bad input, as a user meets them: one line, the right exit status, no hang.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sramlabWith } from './support/cli-in-process.ts';

const FW = join(import.meta.dirname, 'firmware');

const sramlab = (...args: string[]) => sramlabWith({ NO_COLOR: '1' }, ...args);

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-cli-'));

describe('sramlab exec', () => {
  it('runs semihosting firmware and exits with its status', async () => {
    const r = await sramlab('exec', join(FW, 'exceptions.elf'), '--mcu', 'cortex-m0');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(FW, 'exceptions.expected'), 'utf8'));
  });

  it('--json puts the output and the stop reason in one document', async () => {
    const r = await sramlab('exec', join(FW, 'systick.elf'), '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stop).toBe('exit');
    expect(doc.exitCode).toBe(0);
    expect(doc.output).toBe(readFileSync(join(FW, 'systick.expected'), 'utf8'));
  });

  it('stops firmware that never exits at the cycle budget with one line and status 1', async () => {
    // Vector table: SP, reset → a `b .` loop at 0x08.
    const img = elfWith(new Uint8Array([0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x00, 0xfe, 0xe7]));
    const path = join(tmp, 'spin.elf');
    writeFileSync(path, img);
    const r = await sramlab('exec', path, '--max-cycles', '100k');
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/did not exit within 100000 cycles/);
  });

  it('refuses a file that is not an ELF in one line with status 2', async () => {
    const path = join(tmp, 'junk.elf');
    writeFileSync(path, 'not an elf at all');
    const r = await sramlab('exec', path);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/junk\.elf: .*ELF/);
  });

  it('refuses a missing file, an unknown MCU and an unknown flag with status 2', async () => {
    expect((await sramlab('exec', join(tmp, 'nope.elf'))).status).toBe(2);
    const mcu = await sramlab('exec', join(FW, 'systick.elf'), '--mcu', 'cortex-m7');
    expect(mcu.status).toBe(2);
    expect(mcu.stderr).toMatch(/unknown MCU 'cortex-m7'/);
    const flag = await sramlab('exec', join(FW, 'systick.elf'), '--frobnicate');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('reports lockup with the faulting instruction', async () => {
    // Reset handler: ldr r0, [r1] with r1 = 1 (unaligned) and a HardFault handler that does the same.
    const code = [0x00, 0x10, 0x00, 0x20, 0x11, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0x11, 0x00, 0x00, 0x00, 0x01, 0x21, 0x08, 0x68];
    const path = join(tmp, 'lockup.elf');
    writeFileSync(path, elfWith(new Uint8Array(code)));
    const r = await sramlab('exec', path);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/lockup/);
    expect(r.stderr).toMatch(/ldr r0, \[r1, #0\]/);
  });
});

describe('sramlab list and help', () => {
  it('lists the profiles as JSON', async () => {
    const r = await sramlab('list', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).profiles.map((p: { name: string }) => p.name)).toEqual([
      'cortex-m0',
      'cortex-m0plus',
      'cortex-m3',
      'cortex-m4',
    ]);
    // The two-core chips apart, each with the single-core profile whose images it runs.
    expect(JSON.parse(r.stdout).twoCore.map((d: { name: string; base: string }) => `${d.name}:${d.base}`)).toEqual([
      'rp2040:cortex-m0plus',
      'dual-cortex-m3:cortex-m3',
    ]);
  });

  it('has help with an example on exec', async () => {
    const r = await sramlab('exec', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
  });
});

/** A minimal ELF32 ARM executable with one PT_LOAD segment at address 0 holding `code`. */
function elfWith(code: Uint8Array): Uint8Array {
  const buf = new Uint8Array(52 + 32 + code.length);
  const dv = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 40, true); // EM_ARM
  dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x9, true); // entry
  dv.setUint32(28, 52, true); // phoff
  dv.setUint16(40, 52, true); // ehsize
  dv.setUint16(42, 32, true); // phentsize
  dv.setUint16(44, 1, true); // phnum
  dv.setUint16(46, 40, true); // shentsize
  const ph = 52;
  dv.setUint32(ph, 1, true); // PT_LOAD
  dv.setUint32(ph + 4, 84, true); // offset
  dv.setUint32(ph + 16, code.length, true);
  dv.setUint32(ph + 20, code.length, true);
  dv.setUint32(ph + 24, 5, true); // R+X
  buf.set(code, 84);
  return buf;
}
