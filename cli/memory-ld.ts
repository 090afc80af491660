// sramlab memory-ld: the memory.ld that firmware/link.ld INCLUDEs, for one MCU profile. A user
// who links an allocator with the project's harness (firmware/README.md, "Building your own
// image") writes it with this instead of copying numbers; firmware/build.ts writes the same text.

import { Command } from 'commander';
import { heapSize, memoryLd } from '../firmware/build.ts';
import { type Ctx, EXAMPLES, mcuOption, profileFrom } from './common.ts';
import type { Io } from './io.ts';

/** memory.ld for a profile, headed by the -D the harness's objects must be compiled with. */
export function memoryLdText(mcu: string): string {
  const profile = profileFrom({ mcu });
  return `/* Compile firmware/harness.c with -DSL_HEAP_REGION_SIZE=${heapSize(profile)}u (__sl_heap_size). */\n${memoryLd(profile)}`;
}

function print(opts: { mcu: string }, io: Io): number {
  io.out(memoryLdText(opts.mcu));
  return 0;
}

export function memoryLdCommand(ctx: Ctx): Command {
  return new Command('memory-ld')
    .description(
      "Print the memory.ld that firmware/link.ld includes (flash, SRAM, heap array and minimum stack of an MCU profile), to link your allocator with sramlab's harness.",
    )
    .addOption(mcuOption())
    .addHelpText(
      'after',
      EXAMPLES(['sramlab memory-ld --mcu cortex-m0 > build/memory.ld', 'sramlab memory-ld --mcu cortex-m3']) +
        '\nExit status: 0, or 2 for an unknown MCU.\n',
    )
    .action((opts: { mcu: string }) => {
      ctx.status = print(opts, ctx.io);
    });
}
