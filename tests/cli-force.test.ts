// --force on every command that loads a user's image: an ELF whose .ARM.attributes say ARMv7-M is
// refused on a Cortex-M0 in one line (exit 2), and with --force it runs, to meet the UNDEFINED fault
// its first Thumb-2 instruction raises on ARMv6-M. The reference is the image's own disassembly:
// arm-none-eabi-objdump shows sl_init's bic.w at sl_init+8, the first 32-bit instruction.
import { describe, expect, it } from 'vitest';
import { sramlab } from './support/cli-in-process.ts';

const V7M_IMAGE = './examples/c-allocator/bump-cortex-m3.elf';
const REFUSAL =
  /^sramlab: .*bump-cortex-m3\.elf is built for ARMv7-M .*cortex-m0 is ARMv6-M: rebuild with -mcpu=cortex-m0 or pass --force\n$/;

describe('--force for a user image built for another architecture', () => {
  it('trace refuses it in one line, and with --force traces to the UNDEFINED fault in sl_init', async () => {
    const refused = await sramlab('trace', 'smoke', '--alloc', V7M_IMAGE, '--mcu', 'cortex-m0', '--first', '1');
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(REFUSAL);
    expect(refused.out).toBe('');
    const forced = await sramlab('trace', 'smoke', '--alloc', V7M_IMAGE, '--mcu', 'cortex-m0', '--first', '1', '--force');
    expect(forced.status).toBe(1);
    expect(forced.out).toMatch(
      /rule faults broken at operation 0: .*UNDEFINED instruction 0xf0210103 .*\(bic\.w r1, r1, #0x3 .*UNDEFINED on ARMv6-M\)/,
    );
  });

  it('compare refuses it in one line, and with --force reports the fault in every scenario, replayable with --force', async () => {
    const refused = await sramlab('compare', '--alloc', V7M_IMAGE, '--mcu', 'cortex-m0', '--scenario', 'smoke', '--workers', '1');
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(REFUSAL);
    const forced = await sramlab(
      'compare',
      '--alloc',
      V7M_IMAGE,
      '--mcu',
      'cortex-m0',
      '--scenario',
      'smoke,alignment',
      '--force',
      '--json',
      '--workers',
      '1',
    );
    expect(forced.status).toBe(1);
    const report = JSON.parse(forced.out) as { results: { ok: boolean; violation: { rule: string; pc: number } | null; replay: string }[] };
    expect(report.results).toHaveLength(2);
    for (const r of report.results) {
      expect(r.ok).toBe(false);
      expect(r.violation?.rule).toBe('faults');
      expect(r.violation?.pc).toBe(0x8);
      expect(r.replay).toMatch(/ --force$/);
    }
  });
});
