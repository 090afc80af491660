// Where the CLI's text goes. Every command writes through an Io, so tests can run main()
// in-process, and a closed pipe (`sramlab … | head`) is one typed error, OutputClosed, that
// main() turns into a quiet exit instead of Node's unhandled-EPIPE stack trace.

import { readSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

export interface Io {
  /** Writes text to standard output; throws OutputClosed when the reader has gone. */
  out(text: string): void;
  /** Writes text to standard error; a closed stderr is ignored (there is nobody left to tell). */
  err(text: string): void;
  /**
   * Waits for one key press and returns it ("\r" for Enter); present only when someone is at a
   * terminal (stdin and stdout both TTYs), so that `run --step` can pause.
   */
  key?(): string;
}

/** The reader closed standard output (EPIPE): stop the work, say nothing, exit 0. */
export class OutputClosed extends Error {
  constructor() {
    super('standard output was closed by its reader');
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocking writes straight to the file descriptor: a synchronous EPIPE we can catch where it
 * happens (process.stdout reports it later, as an 'error' event nobody handles), and nothing
 * buffered in memory however much a command prints.
 */
function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A descriptor another process left non-blocking: wait a millisecond for the reader.
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') throw new OutputClosed();
      throw e;
    }
  }
}

/** The process's own stdout and stderr, and the keyboard when both ends are a terminal. */
export const processIo: Io = {
  out: (text) => writeAll(1, text),
  err: (text) => {
    try {
      writeAll(2, text);
    } catch (e) {
      if (!(e instanceof OutputClosed)) throw e;
    }
  },
  ...(isatty(0) && isatty(1) ? { key: readKey } : {}),
};

const typedAhead: string[] = [];

/**
 * One key from the terminal, read synchronously (the emulator runs in this thread): raw mode,
 * so Enter or q counts without a line; a descriptor left non-blocking is polled every 10 ms.
 */
function readKey(): string {
  // Keys typed ahead arrive together in one read: each is its own press.
  const next = typedAhead.shift();
  if (next !== undefined) return next;
  const stdin = process.stdin as unknown as { setRawMode(on: boolean): void; pause(): void };
  stdin.setRawMode(true);
  try {
    const buf = Buffer.alloc(16);
    for (;;) {
      try {
        const n = readSync(0, buf, 0, buf.length, null);
        if (n === 0) return 'q'; // end of input: as good as q
        const keys = [...buf.toString('utf8', 0, n)];
        typedAhead.push(...keys.slice(1));
        return keys[0]!;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(pause, 0, 0, 10);
      }
    }
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

/** A line on stdout. */
export const println = (io: Io, line = ''): void => io.out(`${line}\n`);
