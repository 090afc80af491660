// Where the CLI's text goes. Every command writes through an Io, so tests can run main()
// in-process, and a closed pipe (`sramlab … | head`) is one typed error, OutputClosed, that
// main() turns into a quiet exit instead of Node's unhandled-EPIPE stack trace.

import { writeSync } from 'node:fs';

export interface Io {
  /** Writes text to standard output; throws OutputClosed when the reader has gone. */
  out(text: string): void;
  /** Writes text to standard error; a closed stderr is ignored (there is nobody left to tell). */
  err(text: string): void;
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
      if (code === 'EAGAIN') { Atomics.wait(pause, 0, 0, 1); continue; }
      if (code === 'EPIPE') throw new OutputClosed();
      throw e;
    }
  }
}

/** The process's own stdout and stderr. */
export const processIo: Io = {
  out: (text) => writeAll(1, text),
  err: (text) => {
    try {
      writeAll(2, text);
    } catch (e) {
      if (!(e instanceof OutputClosed)) throw e;
    }
  },
};

/** A line on stdout. */
export const println = (io: Io, line = ''): void => io.out(line + '\n');
