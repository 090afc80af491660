// Builds the deliberately broken allocators of this folder (tests/checks-fire.test.ts runs
// them) into tests/broken-allocators/images/<name>-<profile>.elf, with firmware/build.ts's own
// machinery: the same flags, harness, linker script and memory map as a real allocator image,
// so what the checks catch here they would catch in a user's ELF.
//
//   npx tsx tests/broken-allocators/build.ts [name...]   build (all, or the ones named)
//   npx tsx tests/broken-allocators/build.ts --verify    rebuild into a temporary folder and
//                                                        compare with the committed images:
//                                                        exit 1 on a difference, 2 without a compiler
//
// One folder per allocator, laid out like allocators/<name>/: <name>.c and a README.md whose
// one line says what is broken. Images are built for one ARMv6-M and one ARMv7-M profile,
// which is all the tests need (unaligned-access faults on the first only).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getProfile } from '../../emulator/profiles.ts';
import { type AllocatorSource, discoverAllocators } from '../../firmware/allocators.ts';
import { buildAll, CC, compareWithCommitted, compilerMissing } from '../../firmware/build.ts';

export const BROKEN_DIR = import.meta.dirname;
export const BROKEN_IMAGES_DIR = join(BROKEN_DIR, 'images');
export const BROKEN_PROFILES = ['cortex-m0', 'cortex-m3'] as const;

/** The broken allocators (tests/broken-allocators/<name>/<name>.c). */
export function brokenAllocators(): AllocatorSource[] {
  return discoverAllocators(BROKEN_DIR);
}

async function main(argv: string[]): Promise<number> {
  const verify = argv.includes('--verify');
  const names = argv.filter((a) => a !== '--verify');
  const unknownFlag = names.find((a) => a.startsWith('-'));
  if (unknownFlag) {
    console.error(`unknown option ${unknownFlag} (usage: tests/broken-allocators/build.ts [--verify] [name...])`);
    return 1;
  }
  if (compilerMissing()) {
    console.error(`${CC} not found: install Debian's gcc-arm-none-eabi to build the broken allocators`);
    return 2;
  }
  const all = brokenAllocators();
  for (const n of names) {
    if (!all.some((a) => a.name === n)) {
      console.error(`unknown broken allocator '${n}' (known: ${all.map((a) => a.name).join(', ')})`);
      return 1;
    }
  }
  const chosen = names.length ? all.filter((a) => names.includes(a.name)) : all;
  const profiles = BROKEN_PROFILES.map((p) => getProfile(p));

  if (!verify) {
    const images = await buildAll(chosen, BROKEN_IMAGES_DIR, profiles);
    console.log(`${images.length} images in ${relative(process.cwd(), BROKEN_IMAGES_DIR)}/`);
    return 0;
  }
  const out = mkdtempSync(join(tmpdir(), 'sramlab-broken-'));
  try {
    const images = await buildAll(chosen, out, profiles);
    const differ = compareWithCommitted(images, BROKEN_IMAGES_DIR, !names.length, 'npx tsx tests/broken-allocators/build.ts');
    for (const d of differ) console.error(d);
    if (differ.length) return 1;
    console.log(`${images.length} broken-allocator images match their sources`);
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
