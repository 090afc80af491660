// Runs the CLI in-process through main(), capturing what it writes: a spawn of bin/sramlab.js
// costs half a second, so tests that only check exit codes and messages use this instead.
import type { Io } from '../../cli/io.ts';
import { main } from '../../cli.ts';

export async function sramlab(...argv: string[]) {
  let out = '',
    err = '';
  const io: Io = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  };
  const status = await main(argv, io);
  return { status, out, err };
}

/** The words of a printed command, as sh splits them (plain words and '…' quoting). */
export function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/(?:'((?:[^']|'\\'')*)'|(\S+))/g)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return out;
}

/**
 * sramlab(...) with environment variables set for the one call (COLUMNS, NO_COLOR, …; undefined
 * unsets), its output named as a spawn's: for tests written against the real binary whose
 * point is not the process itself. Calls in one file run one at a time, so setting
 * process.env around the call is safe.
 */
export async function sramlabWith(env: Record<string, string | undefined>, ...argv: string[]) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vars: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    const r = await sramlab(...argv);
    return { status: r.status, stdout: r.out, stderr: r.err };
  } finally {
    set(saved);
  }
}
