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
