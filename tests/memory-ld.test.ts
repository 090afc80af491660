// sramlab memory-ld (cli/memory-ld.ts): the memory.ld a user links sramlab's harness with. The
// sizes are checked against firmware/README.md's table, written by hand from the profiles'
// datasheet-like figures, not against the function that computes them.
import { describe, expect, it } from 'vitest';
import { type Ctx, UsageError } from '../cli/common.ts';
import { memoryLdCommand } from '../cli/memory-ld.ts';

async function memoryLd(...args: string[]): Promise<{ status: number; out: string }> {
  let out = '';
  const ctx: Ctx = {
    io: {
      out: (t: string) => {
        out += t;
      },
      err: () => {},
    } as Ctx['io'],
    status: -1,
  };
  await memoryLdCommand(ctx).exitOverride().parseAsync(args, { from: 'user' });
  return { status: ctx.status, out };
}

const num = (text: string, re: RegExp) => Number(re.exec(text)![1]);

describe('sramlab memory-ld', () => {
  // firmware/README.md: flash, SRAM, heap array per profile; the minimum stack is 2 KiB.
  const table = [
    { mcu: 'cortex-m0', flash: 256 << 10, sram: 32 << 10, heap: 24 << 10 },
    { mcu: 'cortex-m0plus', flash: 256 << 10, sram: 32 << 10, heap: 24 << 10 },
    { mcu: 'cortex-m3', flash: 256 << 10, sram: 64 << 10, heap: 48 << 10 },
    { mcu: 'cortex-m4', flash: 1 << 20, sram: 128 << 10, heap: 96 << 10 },
  ];
  for (const row of table) {
    it(`prints ${row.mcu}'s regions and heap, and the -D that matches the heap`, async () => {
      const { status, out } = await memoryLd('--mcu', row.mcu);
      expect(status).toBe(0);
      expect(num(out, /FLASH \(rx\)\s*: ORIGIN = 0x0+, LENGTH = (0x[0-9a-f]+)/)).toBe(row.flash);
      expect(num(out, /RAM\s+\(rwx\) : ORIGIN = 0x20000000, LENGTH = (0x[0-9a-f]+)/)).toBe(row.sram);
      expect(num(out, /__sl_heap_size = (0x[0-9a-f]+);/)).toBe(row.heap);
      expect(num(out, /__sl_stack_min = (0x[0-9a-f]+);/)).toBe(2048);
      expect(num(out, /-DSL_HEAP_REGION_SIZE=(\d+)u/)).toBe(row.heap);
    });
  }

  it('defaults to the Cortex-M0 and refuses an unknown MCU in one line', async () => {
    expect((await memoryLd()).out).toBe((await memoryLd('--mcu', 'cortex-m0')).out);
    await expect(memoryLd('--mcu', 'cortex-m7')).rejects.toThrow(UsageError);
    await expect(memoryLd('--mcu', 'cortex-m7')).rejects.toThrow(/^[^\n]*cortex-m7[^\n]*$/);
  });
});
