// sramlab map: an image's memory map drawn in the terminal — flash and SRAM as two columns,
// every band with its addresses and size — or the band list as JSON.

import chalk, { type ChalkInstance } from 'chalk';
import { Command, Option } from 'commander';
import { checkSegmentsFit, ElfError, type ElfImage, parseElf } from '../emulator/elf.ts';
import { FLASH_BASE, SRAM_BASE } from '../emulator/memory-map.ts';
import { ImageError, imagePath, isElfPath } from '../runners/image.ts';
import { type BandKind, imageMap, renderImageMap, type Scale } from '../views/image-map.ts';
import { terminalColumns } from '../views/text-width.ts';
import {
  ALLOCATOR_HELP,
  allocatorArg,
  type Ctx,
  countIn,
  EXAMPLES,
  mcuOption,
  parseNonEmpty,
  parseSize,
  profileFrom,
  readElf,
  UsageError,
  useColor,
} from './common.ts';
import type { Io } from './io.ts';

interface MapOptions {
  alloc?: string;
  elf?: string;
  mcu: string;
  flash?: number;
  sram?: number;
  scale: Scale;
  rows?: number;
  json?: boolean;
}

/** Colours by who owns the bytes: the allocator stands out, the rest recedes. */
const COLOUR: Record<BandKind, ChalkInstance> = {
  'alloc-code': chalk.magenta,
  'alloc-state': chalk.magenta,
  vectors: chalk.blue,
  code: chalk.blue,
  rodata: chalk.blue,
  'data-image': chalk.cyan,
  data: chalk.cyan,
  bss: chalk.cyan,
  heap: chalk.green,
  stack: chalk.yellow,
  unused: chalk.dim,
};

function map(opts: MapOptions, io: Io): number {
  if ((opts.alloc === undefined) === (opts.elf === undefined)) throw new UsageError('give one of --alloc <allocator> or --elf <file>');
  const profile = profileFrom(opts);
  // --alloc takes a path as every command does (isElfPath); --elf is the older spelling of it.
  const given = opts.elf ?? (isElfPath(opts.alloc!) ? allocatorArg(opts.alloc!) : undefined);
  const { path, label } =
    given !== undefined
      ? { path: given, label: given }
      : { path: imageOf(allocatorArg(opts.alloc!), profile.name), label: `${opts.alloc}-${profile.name}` };
  const image = parseChecked(path, profile.flashSize, profile.sramSize);
  const m = imageMap(image, profile, label);
  if (opts.json) {
    io.out(`${JSON.stringify(m, null, 2)}\n`);
    return 0;
  }
  const rows = opts.rows === undefined ? undefined : { flash: opts.rows, sram: opts.rows };
  const lines = renderImageMap(m, {
    scale: opts.scale,
    rows,
    paint: useColor ? (k, t) => COLOUR[k](t) : undefined,
    width: terminalColumns(),
  });
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

function imageOf(allocator: string, mcu: string): string {
  try {
    return imagePath(allocator, mcu);
  } catch (e) {
    if (e instanceof ImageError) throw new UsageError(e.message);
    throw e;
  }
}

/** Parses the ELF and refuses one whose segments do not fit this MCU's flash and SRAM. */
function parseChecked(path: string, flashSize: number, sramSize: number): ElfImage {
  try {
    const image = parseElf(readElf(path));
    checkSegmentsFit(image, [
      { name: 'flash', base: FLASH_BASE, size: flashSize },
      { name: 'sram', base: SRAM_BASE, size: sramSize },
    ]);
    return image;
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

/** More rows than any terminal shows; the drawing is built in memory. */
const MAX_ROWS = 10_000;

export function mapCommand(ctx: Ctx): Command {
  return new Command('map')
    .description("Draw an image's memory map: vector table, code, data, allocator state, heap, stack — with addresses and sizes.")
    .option('--alloc <allocator>', ALLOCATOR_HELP, parseNonEmpty)
    .option('--elf <file>', 'any ELF for the MCU, by its path (the same as --alloc <path>)', parseNonEmpty)
    .addOption(mcuOption())
    .addOption(
      new Option('--scale <scale>', 'linear: rows ∝ bytes; log: rows ∝ log2(bytes) (every band gets at least one row)')
        .choices(['linear', 'log'])
        .default('linear'),
    )
    .option('--rows <n>', 'rows of fill per memory (default 12 for flash, 16 for SRAM)', countIn(1, MAX_ROWS))
    .option('--flash <size>', "override the profile's flash size", parseSize)
    .option('--sram <size>', "override the profile's SRAM size", parseSize)
    .option('--json', 'print the band list as JSON (schema sramlab.map/1)')
    .addHelpText(
      'after',
      `${EXAMPLES([
        'sramlab map --alloc galloc --mcu cortex-m0',
        'sramlab map --alloc emballoc --mcu cortex-m4 --scale log',
        'sramlab map --alloc ./my-alloc.elf --mcu cortex-m3 --json',
      ])}\nHigh addresses are on top, so the stack grows downward toward the heap. Colours only on a terminal, never with NO_COLOR.\n`,
    )
    .action((opts: MapOptions) => {
      ctx.status = map(opts, ctx.io);
    });
}
