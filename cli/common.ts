// What every command shares: bad-input errors, colour rules, option parsers, loading an ELF.

import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
// isatty, not process.stdout.isTTY: touching process.stdout would create the stream we do not use (cli/io.ts).
import { isatty } from 'node:tty';
import chalk, { chalkStderr } from 'chalk';
import { InvalidArgumentError, Option } from 'commander';
import { architectureMismatch } from '../emulator/arm-attributes.ts';
import { ElfError } from '../emulator/elf.ts';
import type { FaultReport } from '../emulator/fault.ts';
import type { Machine } from '../emulator/machine.ts';
import { getProfile, PROFILES, type ProfileOverrides } from '../emulator/profiles.ts';
import { ALLOCATORS, allocatorName, isElfPath, shellWord } from '../runners/image.ts';
import type { Io } from './io.ts';

/** Bad input: reported in one line, exit status 2. */
export class UsageError extends Error {}

/** What a command's action reports back to main(): where to write, and its exit status. */
export interface Ctx {
  io: Io;
  status: number;
}

/** Colours only on a terminal, never with NO_COLOR. */
export const useColor = isatty(1) && !process.env.NO_COLOR;
// The terminal decides, not chalk's guess from the environment (it turns colours off whenever
// CI is set, even on a terminal).
chalk.level = useColor ? (Math.max(chalk.level, 1) as 1 | 2 | 3) : 0;

/** The same rule for what goes to stderr, which may be a terminal when stdout is not (or the reverse). */
export const useColorOnStderr = isatty(2) && !process.env.NO_COLOR;
chalkStderr.level = useColorOnStderr ? (Math.max(chalkStderr.level, 1) as 1 | 2 | 3) : 0;
/** chalk for stderr: error lines and progress. */
export const paintErr = chalkStderr;

/**
 * Progress (a bar, a counter) only where someone watches it: stderr on a terminal, not with
 * --quiet, and not with --json, whose reader wants stdout and stderr free of chatter.
 */
export function showProgress(opts: { quiet?: boolean; json?: boolean }): boolean {
  return isatty(2) && !opts.quiet && !opts.json;
}

export const EXAMPLES = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

// ---- option parsers: each refuses, in one line, anything but the values the flag can mean ----

/** Counts (--ops, --workers, --rows, …) and sizes are integers the emulator can add exactly. */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** A whole count, with an optional K/M/G (×1000) suffix: 1000000, 1M, 1.5K. */
export function parseCount(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(value.replace(/_/g, ''));
  if (!m) throw new InvalidArgumentError(`'${value}' is not a count (try 1000000 or 1M)`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  // Decimal scaling is inexact in binary (1.1K = 1100.0000000000002): round, then ask whether
  // the decimal had more places than the suffix can carry.
  const n = Math.round(Number(m[1]) * scale);
  const places = m[1].split('.')[1]?.replace(/0+$/, '').length ?? 0;
  if (places > Math.log10(scale)) throw new InvalidArgumentError(`'${value}' is not a whole count`);
  if (n > MAX_EXACT) throw new InvalidArgumentError(`'${value}' is too large a count`);
  return n;
}

/** A count parser bounded to [min, max]; the message names the range. */
export const countIn =
  (min: number, max: number) =>
  (value: string): number => {
    const n = parseCount(value);
    if (n < min || n > max) throw new InvalidArgumentError(`'${value}' is out of range: ${min} to ${max.toLocaleString('en')}`);
    return n;
  };

/** Operations of a scenario: up to 10 million (each keeps its cycle counts for the statistics). */
export const MAX_OPS = 10_000_000;
export const parseOps = countIn(1, MAX_OPS);

/**
 * Seeds: what the PRNG consumes (runners/prng.ts takes `seed >>> 0`), an unsigned 32-bit
 * integer, in plain decimal — the form every replay command prints. Anything else would be
 * silently folded onto another seed (2^32 + 1 runs as 1) or not replayable at all (1e+23).
 */
export const MAX_SEED = 0xffff_ffff;
export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > MAX_SEED) {
    throw new InvalidArgumentError(`'${value}' is not a seed: a whole number from 0 to ${MAX_SEED}`);
  }
  return Number(value);
}

/** The longest search fuzz will start: a week. */
const MAX_SECONDS = 7 * 24 * 3600;

/** A duration in seconds: 30s, 2m, 500ms (a bare number is seconds). */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a duration (try 30s, 2m or 500ms)`);
  const s = Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (!(s > 0)) throw new InvalidArgumentError(`'${value}' is no time at all`);
  if (s > MAX_SECONDS) throw new InvalidArgumentError(`'${value}' is longer than a week`);
  return s;
}

/** The largest memory any profile or region can have: the 512 MiB code or SRAM region. */
const MAX_SIZE = 0x2000_0000;

/** Bytes: 32768, 32K, 32KiB, 1M. */
export function parseSize(value: string): number {
  const m = /^(\d+)([kKmM]?)(i?[bB])?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a size (try 32768, 32K or 32KiB)`);
  const n = Number(m[1]) * { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase() as '' | 'k' | 'm'];
  if (n > MAX_SIZE) throw new InvalidArgumentError(`'${value}' is larger than any memory of a Cortex-M (512 MiB)`);
  return n;
}

/** A non-empty string (a path, a name): an empty one would silently mean "none". */
export function parseNonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('it is empty');
  return value;
}

/** --force, on every command that loads an image: run it although its .ARM.attributes name an architecture the MCU lacks. */
export const forceOption = (): Option =>
  new Option(
    '--force',
    'run an image built for an architecture the MCU lacks (its .ARM.attributes say so), e.g. to see the UNDEFINED fault',
  );

export const mcuOption = (): Option =>
  new Option('--mcu <profile>', `MCU profile: ${Object.keys(PROFILES).join(', ')}`).default('cortex-m0');

export function profileFrom(opts: { mcu: string; flash?: number; sram?: number; clock?: number }) {
  const overrides: ProfileOverrides = { flashSize: opts.flash, sramSize: opts.sram, clockHz: opts.clock };
  try {
    return getProfile(opts.mcu, overrides);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function readElf(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read '${path}': ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  }
}

export function loadInto(m: Machine, path: string, force = false): void {
  let image: ReturnType<Machine['loadElf']>;
  try {
    image = m.loadElf(readElf(path));
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
  const mismatch = force ? undefined : architectureMismatch(image.attributes, m.profile);
  if (mismatch) throw new UsageError(`${path} ${mismatch}`);
}

export function formatFault(f: FaultReport): string {
  const where = [f.symbol, f.source].filter(Boolean).join(' ');
  const insn = f.disassembly ? ` (${f.disassembly})` : '';
  return `${f.kind} at pc 0x${f.pc.toString(16).padStart(8, '0')}${where ? ` [${where}]` : ''}${insn}: ${f.message}`;
}

/** A comma-separated list of known names; undefined means all of them. */
export function listOption(value: string | undefined, known: readonly string[], what: string): string[] {
  if (value === undefined) return [...known];
  const items = value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`an empty list of ${what}s (known: ${known.join(', ')})`);
  for (const x of items) if (!known.includes(x)) throw new UsageError(`unknown ${what} '${x}' (known: ${known.join(', ')})`);
  return items;
}

/** One known name. */
export function oneOf(value: string, known: readonly string[], what: string): string {
  if (!known.includes(value)) throw new UsageError(`unknown ${what} '${value}' (known: ${known.join(', ')})`);
  return value;
}

export const kib = (n: number): string => `${n / 1024} KiB`;

/**
 * Refuses, in one line (exit 2), a report path that cannot be written: empty, a folder, in a
 * folder that does not exist or that we may not write to (/proc). Commands call it before
 * their run, so a typo costs nothing; writeReportAtomically calls it again. The test is the
 * write itself: the temporary file the report will go through is created and removed.
 */
export function checkReportPath(path: string, flag: string): void {
  if (path.trim() === '') throw new UsageError(`${flag}: an empty path`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: no folder '${dir}'`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${flag} ${path}: is a folder`);
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, '', { flag: 'wx' });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`${flag} ${path}: cannot write in '${dir}' (${err.code ?? err.message})`);
  }
  rmSync(tmp, { force: true });
}

const tempPath = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);

/**
 * Every report file (JSON, JUnit, HTML) is written here: to a temporary name beside its final
 * one, then renamed over it. A rename within a folder is atomic, so a killed run leaves the
 * old report or the new one, never half of one.
 */
export function writeReportAtomically(path: string, text: string, flag = 'report'): void {
  checkReportPath(path, flag);
  const tmp = tempPath(path);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write '${path}': ${(e as Error).message}`);
  }
}

// ---- allocators: a built-in name or a path to the user's own image ---------------------------

/** What --help says an allocator may be. */
export const ALLOCATOR_HELP =
  `a built-in allocator (${ALLOCATORS.map((a) => a.name).join(', ')}) or the path to your own ` +
  "image built to the sramlab ABI (a value that contains '/' or ends in .elf is a path: ./fw.elf)";

/** One allocator as given: a known name, or a path to a file that exists (read fully only when it runs). */
export function allocatorArg(value: string): string {
  if (isElfPath(value)) {
    if (!existsSync(value)) throw new UsageError(`cannot read '${value}': no such file`);
    if (statSync(value).isDirectory()) throw new UsageError(`cannot read '${value}': is a folder`);
    return value;
  }
  if (!ALLOCATORS.some((a) => a.name === value)) {
    throw new UsageError(
      `unknown allocator '${value}' (known: ${ALLOCATORS.map((a) => a.name).join(', ')}; or a path to your image: ./fw.elf)`,
    );
  }
  return value;
}

/**
 * A comma-separated list of allocators (undefined: every built-in). Two entries that a table
 * would show under one name (a/fw.elf and b/fw.elf, or a file called galloc) are refused.
 */
export function allocatorListArg(value: string | undefined): string[] {
  if (value === undefined) return ALLOCATORS.map((a) => a.name);
  const items = value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`an empty list of allocators (known: ${ALLOCATORS.map((a) => a.name).join(', ')})`);
  const byName = new Map<string, string>();
  for (const x of items) {
    allocatorArg(x);
    const name = allocatorName(x),
      other = byName.get(name);
    if (other !== undefined && other !== x)
      throw new UsageError(`--alloc: '${other}' and '${x}' would both be called '${name}' in the results: rename one`);
    byName.set(name, x);
  }
  return [...new Set(items)];
}

// ---- replay commands as the user ran sramlab -------------------------------------------------

/**
 * The words that start sramlab the way the user started it, so a printed replay runs as
 * pasted. Decided from the program node was given (argv[1]) and npm's environment:
 *   - the installed command (argv[1] named `sramlab`, the link npm makes to bin/sramlab.js)
 *     started by npm — npx, npm exec, an npm script (npm sets npm_command) — `npx sramlab`;
 *   - the installed command otherwise: `sramlab` when its folder is on PATH, else its path;
 *   - the script itself (`node bin/sramlab.js`): `node <that path>`, relative to the working
 *     folder when inside it;
 *   - anything else (main() called by another program, e.g. a test): `sramlab`.
 */
export function invocation(argv1: string | undefined = process.argv[1], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (!argv1) return 'sramlab';
  const shown = (p: string) => shellWord(isAbsolute(p) && !relative(cwd, p).startsWith('..') ? relative(cwd, p) : p);
  const file = basename(argv1);
  if (file === 'sramlab') {
    if (env.npm_command) return 'npx sramlab';
    const onPath = (env.PATH ?? '').split(delimiter).some((d) => d && resolve(d) === dirname(resolve(argv1)));
    if (onPath) return 'sramlab';
    const p = shown(argv1);
    return p.includes('/') ? p : `./${p}`;
  }
  if (file === 'sramlab.js') return `node ${shown(argv1)}`;
  return 'sramlab';
}

/** A command sramlab printed as `sramlab …`, started the way this process was (see invocation). */
export function asInvoked(command: string): string {
  return command.replace(/^sramlab(?= )/, invocation());
}
