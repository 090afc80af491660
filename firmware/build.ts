// Builds every allocator × MCU profile into firmware/images/<allocator>-<profile>.elf, and
// each allocator once more for every ARMv6-M profile with its lock forced to LDREX/STREX
// (lock.h's SL_LOCK_FORCE_EXCLUSIVE) into firmware/images/cas/: the wrong build the no-cas
// scenario must see caught; and each allocator for the rp2040 (as cortex-m0plus) with
// firmware/lock-sio.h standing in for lock.h into firmware/images/sio/: the SIO-spinlock build
// the two-core explorer runs (docs/two-cores.md).
//
//   npx tsx firmware/build.ts [allocator...]   build (all allocators, or the ones named)
//   npx tsx firmware/build.ts --verify         rebuild into a temporary folder and compare
//                                              byte for byte with the committed images:
//                                              exit 1 on any difference, 2 without a compiler
//
// Each image is four compiler runs: startup.c and harness.c, the allocator's C compiled on
// its own to sl_allocator.o (link.ld places its sections by that name), and the link with a
// memory.ld written from emulator/profiles.ts. The output does not depend on where the
// repository is checked out: the compiler runs in the repository root on relative paths and
// maps that root to "." in debug info, and the linker adds no build id.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PROFILES, type Profile } from '../emulator/profiles.ts';
import { type AllocatorSource, discoverAllocators, IMAGES_DIR, imageName, REPO_ROOT } from './allocators.ts';
import { footprint } from './footprint.ts';

// ---- the flags, written down once (firmware/README.md "Build flags" repeats them) ----

export const CC = 'arm-none-eabi-gcc';

/** Per profile: the core, and soft float on the M4 (sramlab models no FPU). */
export const CPU_FLAGS: Readonly<Record<string, readonly string[]>> = {
  'cortex-m0': ['-mcpu=cortex-m0'],
  'cortex-m0plus': ['-mcpu=cortex-m0plus'],
  'cortex-m3': ['-mcpu=cortex-m3'],
  'cortex-m4': ['-mcpu=cortex-m4', '-mfloat-abi=soft'],
};

export const CFLAGS: readonly string[] = [
  '-mthumb',
  '-O2',
  '-g',
  '-std=c11',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-ffreestanding',
  '-nostdlib',
  '-fno-builtin',
  '-ffunction-sections',
  '-fno-common',
  // GCC turns copy and zero loops into memcpy/memset calls even when freestanding; there is
  // no C library to provide them.
  '-fno-tree-loop-distribute-patterns',
  '-Ifirmware',
];

/** Paths in debug info relative to the checkout (gas needs its own spelling of the option). */
export const prefixMapFlags = (repo: string): string[] => [`-ffile-prefix-map=${repo}=.`, `-Wa,--debug-prefix-map=${repo}=.`];

/** The ABI entry points: the link fails, naming the symbol, when an allocator lacks one. */
export const ENTRY_POINTS = ['sl_init', 'sl_alloc', 'sl_dealloc', 'sl_realloc'] as const;

export const LDFLAGS: readonly string[] = [
  '-nostdlib',
  '-Wl,--build-id=none',
  // With -ffunction-sections: functions nothing reaches are dropped (images stay minimal);
  // --require-defined also keeps the entry points, which nothing in the image calls.
  '-Wl,--gc-sections',
  ...ENTRY_POINTS.map((s) => `-Wl,--require-defined=${s}`),
];

// ---- the memory map per profile ----

export const STACK_MIN = 2048;
const PAGE = 4096;

/** The heap array: three quarters of SRAM in whole 4 KiB pages (24 KiB on the 32 KiB M0s). */
export function heapSize(profile: Profile): number {
  return Math.floor((profile.sramSize * 3) / 4 / PAGE) * PAGE;
}

/** memory.ld for a profile, INCLUDEd by firmware/link.ld. */
export function memoryLd(profile: Profile): string {
  const hex = (n: number) => `0x${n.toString(16)}`;
  return [
    `/* ${profile.name}: written by firmware/build.ts from emulator/profiles.ts */`,
    'MEMORY',
    '{',
    `  FLASH (rx)  : ORIGIN = 0x00000000, LENGTH = ${hex(profile.flashSize)}`,
    `  RAM   (rwx) : ORIGIN = 0x20000000, LENGTH = ${hex(profile.sramSize)}`,
    '}',
    `__sl_heap_size = ${hex(heapSize(profile))};`,
    `__sl_stack_min = ${hex(STACK_MIN)};`,
    '',
  ].join('\n');
}

// ---- building ----

const run = promisify(execFile);

class BuildError extends Error {}

async function gcc(args: string[], what: string): Promise<void> {
  try {
    await run(CC, args, { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BuildError(`${what} failed:\n${(err.stderr || err.message).trimEnd()}`);
  }
}

/** Builds one image into outFile, using work (an empty folder) for objects and memory.ld. */
async function buildImage(alloc: AllocatorSource, profile: Profile, outFile: string, work: string): Promise<void> {
  const cpu = CPU_FLAGS[profile.name];
  if (!cpu) throw new BuildError(`no compiler flags for profile ${profile.name}: add it to CPU_FLAGS in firmware/build.ts`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'memory.ld'), memoryLd(profile));
  const flags = [...cpu, ...CFLAGS, ...prefixMapFlags(REPO_ROOT), `-DSL_HEAP_REGION_SIZE=${heapSize(profile)}u`];
  const defines = Object.entries(alloc.defines).map(([k, v]) => `-D${k}=${v}`);
  for (const h of (alloc as Variant).include ?? []) defines.push('-include', h);
  const what = `${alloc.name} for ${profile.name}`;
  const obj = (n: string) => join(work, n);
  await Promise.all([
    gcc([...flags, '-c', 'firmware/startup.c', '-o', obj('startup.o')], `compiling firmware/startup.c (${what})`),
    gcc([...flags, '-c', 'firmware/harness.c', '-o', obj('harness.o')], `compiling firmware/harness.c (${what})`),
    gcc([...flags, ...defines, '-c', alloc.source, '-o', obj('sl_allocator.o')], `compiling ${alloc.source} (${what})`),
  ]);
  await gcc(
    [
      ...cpu,
      '-mthumb',
      ...LDFLAGS,
      `-L${work}`,
      '-T',
      'firmware/link.ld',
      obj('startup.o'),
      obj('harness.o'),
      obj('sl_allocator.o'),
      '-lgcc',
      '-o',
      outFile,
    ],
    `linking ${what}`,
  );
}

/** Runs jobs with at most `width` at a time; rejects with the first failure after all settle. */
async function pool<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      try {
        results[i] = await jobs[i]!();
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}

export interface BuiltImage {
  allocator: string;
  profile: string;
  file: string;
}

/** Builds the given allocators for every profile (or the ones given) into outDir. */
export async function buildAll(
  allocators: AllocatorSource[],
  outDir: string,
  profiles: readonly Profile[] = Object.values(PROFILES),
): Promise<BuiltImage[]> {
  mkdirSync(outDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sramlab-build-'));
  try {
    const jobs = allocators.flatMap((a) =>
      profiles.map((p) => async (): Promise<BuiltImage> => {
        const file = join(outDir, imageName(a.name, p.name));
        await buildImage(a, p, file, join(work, `${a.name}-${p.name}`));
        return { allocator: a.name, profile: p.name, file };
      }),
    );
    return await pool(jobs, Math.max(1, Math.floor(availableParallelism() / 3)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- the CAS builds for ARMv6-M (the no-cas scenario's images) ----

/** firmware/images/cas/<allocator>-<profile>.elf (scenarios/no-cas.ts names the same folder). */
export const CAS_IMAGES_DIR = join(IMAGES_DIR, 'cas');

/** The profiles without exclusives, where a CAS build is the mistake to catch. */
export const CAS_PROFILES: readonly Profile[] = Object.values(PROFILES).filter((p) => p.arch === 'v6m');

/** The same allocator with its spin lock and atomics forced to LDREX/STREX (firmware/lock.h). */
export const casVariant = (a: AllocatorSource): AllocatorSource => ({ ...a, defines: { ...a.defines, SL_LOCK_FORCE_EXCLUSIVE: '1' } });

// ---- the SIO-spinlock builds for the rp2040 (the two-core explorer's) ----

/** A variant may force-include headers ahead of the allocator's source. */
type Variant = AllocatorSource & { include?: string[] };

/** firmware/images/sio/<allocator>-cortex-m0plus.elf (explore/two-core.ts names the same folder). */
export const SIO_IMAGES_DIR = join(IMAGES_DIR, 'sio');

/** The rp2040's cores are Cortex-M0+: the images are built for that profile. */
export const SIO_PROFILES: readonly Profile[] = [PROFILES['cortex-m0plus']!];

/** The same allocator with firmware/lock-sio.h in place of lock.h: its lock is an SIO hardware spinlock. */
export const sioVariant = (a: AllocatorSource): Variant => ({
  ...a,
  defines: { ...a.defines, SL_LOCK_SIO_REPLACES_LOCK_H: '1' },
  include: ['firmware/lock-sio.h'],
});

// ---- verifying committed images ----

/**
 * Compares freshly built images with the ones committed in committedDir, byte for byte: one
 * line per missing or differing image, and (stale: true, for a full build) per committed .elf
 * that nothing builds any more. Empty when everything matches.
 */
export function compareWithCommitted(images: BuiltImage[], committedDir: string, stale: boolean, rebuild = 'npm run firmware'): string[] {
  const differ: string[] = [];
  for (const img of images) {
    const committed = join(committedDir, basename(img.file));
    const rel = relative(REPO_ROOT, committed);
    if (!existsSync(committed)) differ.push(`${rel}: missing (run ${rebuild})`);
    else if (!readFileSync(committed).equals(readFileSync(img.file))) differ.push(`${rel}: differs from a rebuild of its sources`);
  }
  if (stale && existsSync(committedDir)) {
    const expected = new Set(images.map((i) => basename(i.file)));
    for (const f of readdirSync(committedDir)
      .filter((f) => f.endsWith('.elf'))
      .sort()) {
      if (!expected.has(f)) differ.push(`${relative(REPO_ROOT, join(committedDir, f))}: no allocator or profile builds it (stale)`);
    }
  }
  return differ;
}

export function compilerMissing(): boolean {
  const r = spawnSync(CC, ['--version'], { stdio: 'ignore' });
  return r.error !== undefined || r.status !== 0;
}

// ---- command line ----

function summary(images: BuiltImage[]): string {
  const rows = images.map((img) => {
    const bytes = readFileSync(img.file);
    const f = footprint(bytes);
    return [img.allocator, img.profile, String(f.flashBytes), String(f.ramBytes), String(bytes.length)];
  });
  const head = ['allocator', 'profile', 'flash B', 'RAM B', 'ELF B'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const verify = argv.includes('--verify');
  const names = argv.filter((a) => a !== '--verify');
  const unknownFlag = names.find((a) => a.startsWith('-'));
  if (unknownFlag) {
    console.error(`unknown option ${unknownFlag} (usage: firmware/build.ts [--verify] [allocator...])`);
    return 1;
  }
  if (compilerMissing()) {
    console.error(`${CC} not found: install Debian's gcc-arm-none-eabi to build the firmware images`);
    return 2;
  }
  const all = discoverAllocators();
  for (const n of names) {
    if (!all.some((a) => a.name === n)) {
      console.error(`unknown allocator '${n}' (known: ${all.map((a) => a.name).join(', ') || 'none'})`);
      return 1;
    }
  }
  const chosen = names.length ? all.filter((a) => names.includes(a.name)) : all;

  if (!verify) {
    const images = await buildAll(chosen, IMAGES_DIR);
    const cas = await buildAll(chosen.map(casVariant), CAS_IMAGES_DIR, CAS_PROFILES);
    const sio = await buildAll(chosen.map(sioVariant), SIO_IMAGES_DIR, SIO_PROFILES);
    console.log(summary(images));
    console.log(`${images.length} images in ${relative(process.cwd(), IMAGES_DIR) || '.'}/ (flash and RAM: allocator code and state only)`);
    console.log(`${cas.length} CAS builds for ARMv6-M in ${relative(process.cwd(), CAS_IMAGES_DIR)}/ (the no-cas scenario's)`);
    console.log(
      `${sio.length} SIO-spinlock builds for the rp2040 in ${relative(process.cwd(), SIO_IMAGES_DIR)}/ (the two-core explorer's)`,
    );
    return 0;
  }

  const out = mkdtempSync(join(tmpdir(), 'sramlab-verify-'));
  try {
    const images = await buildAll(chosen, out);
    const cas = await buildAll(chosen.map(casVariant), join(out, 'cas'), CAS_PROFILES);
    const sio = await buildAll(chosen.map(sioVariant), join(out, 'sio'), SIO_PROFILES);
    const differ = [
      ...compareWithCommitted(images, IMAGES_DIR, !names.length),
      ...compareWithCommitted(cas, CAS_IMAGES_DIR, !names.length),
      ...compareWithCommitted(sio, SIO_IMAGES_DIR, !names.length),
    ];
    for (const d of differ) console.error(d);
    if (differ.length) return 1;
    console.log(
      `${images.length + cas.length + sio.length} images match their sources (${cas.length} of them CAS builds for ARMv6-M, ${sio.length} SIO-spinlock builds for the rp2040)`,
    );
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof BuildError || e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
