// One fuzz case through the CLI itself, in this process: cli.ts's main(), the function
// bin/sramlab.js runs, on `exec` or `check` with the mutated ELF, its output captured. The
// outcome is what sramlab would exit with, or a crash: an internal error (exit 70, an exception
// that is not the project's refusal or fault), a refusal that is not exactly one line, or an
// exit status the command may not give.

import { writeFileSync } from 'node:fs';
import type { Io } from '../cli/io.ts';
import { INTERNAL_ERROR, main } from '../cli.ts';
import type { Entry } from './elf-mutate.ts';

export type Outcome =
  | 'ok' // exit 0
  | 'fault' // exit 1: a check failed, the firmware faulted or ran out of cycles
  | 'status' // exec: the firmware exited with its own status, neither 0 nor 1
  | 'refused' // exit 2: a one-line refusal
  | 'crash' // anything else
  | 'hang'; // no answer within the watchdog's time (decided by the caller)

export interface CaseResult {
  outcome: Outcome;
  status?: number;
  detail?: string;
}

// main() adds the stack of an internal error to stderr only with this set: the fuzzer wants it.
process.env.SRAMLAB_DEBUG = '1';

/** Runs `sramlab <entry> <path> <args…>` in this process; the ELF must already be at `path`. */
export async function runEntry(entry: Entry, path: string, args: string[]): Promise<CaseResult> {
  let stderr = '';
  const io: Io = {
    out: () => {},
    err: (t) => {
      stderr += t;
    },
  };
  let status: number;
  try {
    status = await main([entry, path, ...args], io);
  } catch (e) {
    // main() must never throw: that would be Node's stack trace and exit code.
    return { outcome: 'crash', detail: `main() threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
  }
  return classify(entry, status, stderr);
}

/** Writes the case's bytes to `path` and runs it. */
export async function runCase(entry: Entry, path: string, bytes: Uint8Array, args: string[]): Promise<CaseResult> {
  writeFileSync(path, bytes);
  return runEntry(entry, path, args);
}

/** The outcome of a command that returned `status` after writing `stderr`: the CLI's exit rule. */
export function classify(entry: Entry, status: number, stderr: string): CaseResult {
  // exec gives the firmware's own status, which may be 2 or 70 too: then sramlab said nothing.
  if (entry === 'exec' && stderr === '' && status !== 0 && status !== 1 && Number.isInteger(status)) return { outcome: 'status', status };
  if (status === INTERNAL_ERROR) return { outcome: 'crash', status, detail: stderr.trim() };
  if (status === 2) {
    const lines = stderr.split('\n').filter((l) => l !== '');
    if (lines.length !== 1)
      return { outcome: 'crash', status, detail: `a refusal must be one line on stderr, got ${JSON.stringify(stderr)}` };
    return { outcome: 'refused', status, detail: lines[0] };
  }
  if (status === 0) return { outcome: 'ok', status };
  if (status === 1) return { outcome: 'fault', status };
  if (entry === 'exec' && Number.isInteger(status)) return { outcome: 'status', status };
  return { outcome: 'crash', status, detail: `exit status ${status}: ${stderr.trim()}` };
}
