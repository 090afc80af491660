// What every command shares: bad-input errors, colour rules, option parsers, loading an ELF.

import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import chalk, { chalkStderr } from 'chalk';
import { InvalidArgumentError, Option } from 'commander';
import { ElfError } from '../emulator/elf.ts';
import type { FaultReport } from '../emulator/fault.ts';
import type { Machine } from '../emulator/machine.ts';
import { getProfile, PROFILES, type ProfileOverrides } from '../emulator/profiles.ts';

/** The exit status a command's action sets; cli.ts exits with it. */
export let exitStatus = 0;
export function setExitStatus(n: number): void { exitStatus = n; }

/** Bad input: reported in one line, exit status 2. */
export class UsageError extends Error {}

/** Colours only on a terminal, never with NO_COLOR. */
export const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
// The terminal decides, not chalk's guess from the environment (it turns colours off whenever
// CI is set, even on a terminal).
chalk.level = useColor ? Math.max(chalk.level, 1) as 1 | 2 | 3 : 0;

/** The same rule for what goes to stderr, which may be a terminal when stdout is not (or the reverse). */
export const useColorOnStderr = process.stderr.isTTY === true && !process.env.NO_COLOR;
chalkStderr.level = useColorOnStderr ? Math.max(chalkStderr.level, 1) as 1 | 2 | 3 : 0;
/** chalk for stderr: error lines and progress. */
export const paintErr = chalkStderr;

/**
 * Progress (a bar, a counter) only where someone watches it: stderr on a terminal, not with
 * --quiet, and not with --json, whose reader wants stdout and stderr free of chatter.
 */
export function showProgress(opts: { quiet?: boolean; json?: boolean }): boolean {
  return process.stderr.isTTY === true && !opts.quiet && !opts.json;
}

export const EXAMPLES = (lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

export function parseCount(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(value.replace(/_/g, ''));
  if (!m) throw new InvalidArgumentError(`'${value}' is not a count (try 1000000 or 1M)`);
  const scale = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(m[1]) * scale);
}

export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a duration (try 30s, 2m or 500ms)`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[(m[2] ?? 's') as 'ms' | 's' | 'm'];
}

export function parseSize(value: string): number {
  const m = /^(\d+)([kKmM]?)(i?[bB])?$/.exec(value);
  if (!m) throw new InvalidArgumentError(`'${value}' is not a size (try 32768, 32K or 32KiB)`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 * 1024 }[m[2].toLowerCase() as '' | 'k' | 'm'];
}

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

export function loadInto(m: Machine, path: string): void {
  try {
    m.loadElf(readElf(path));
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

export function formatFault(f: FaultReport): string {
  const where = [f.symbol, f.source].filter(Boolean).join(' ');
  const insn = f.disassembly ? ` (${f.disassembly})` : '';
  return `${f.kind} at pc 0x${f.pc.toString(16).padStart(8, '0')}${where ? ` [${where}]` : ''}${insn}: ${f.message}`;
}


export function listOption(value: string | undefined, known: readonly string[], what: string): string[] {
  if (!value) return [...known];
  const items = value.split(',').map((x) => x.trim()).filter(Boolean);
  for (const x of items) if (!known.includes(x)) throw new UsageError(`unknown ${what} '${x}' (known: ${known.join(', ')})`);
  return items;
}

export const kib = (n: number): string => `${n / 1024} KiB`;

/**
 * Refuses, in one line (exit 2), a report path whose folder does not exist. Commands call it
 * before their run, so a typo costs nothing; writeReportAtomically calls it again.
 */
export function checkReportPath(path: string, flag: string): void {
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: no folder '${dir}'`);
}

/**
 * Every report file (JSON, JUnit, HTML) is written here: to a temporary name beside its final
 * one, then renamed over it. A rename within a folder is atomic, so a killed run leaves the
 * old report or the new one, never half of one.
 */
export function writeReportAtomically(path: string, text: string, flag = 'report'): void {
  checkReportPath(path, flag);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`cannot write '${path}': ${(e as Error).message}`);
  }
}
