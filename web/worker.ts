// The playground's Web Worker: the page posts a request, the machine runs here (web/machine.ts),
// and the answer comes back as plain data, so the page keeps drawing and its stop button works
// while a long run goes on. An error comes back as the one line the page shows.

import { ElfError } from '../emulator/elf.ts';
import { ImageError } from '../runners/image.ts';
import { type Params, runPlain, runRecorded, type Source, traceOperation } from './machine.ts';

/** What the page asks for: a run with frames, one operation's instructions, or a plain run (check). */
export type WorkerRequest = { id: number; scenario: string; mcu: string; src: Source; params: Params } & (
  | { kind: 'run' }
  | { kind: 'trace'; op: number }
  | { kind: 'check' }
);

/** The answer to request id; an error as its one line, and whether the ELF itself was refused. */
export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string; badElf: boolean };

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(reply: WorkerReply): void;
};

scope.onmessage = ({ data: q }) => {
  try {
    const value =
      q.kind === 'run'
        ? runRecorded(q.scenario, q.mcu, q.src, q.params)
        : q.kind === 'trace'
          ? traceOperation(q.scenario, q.mcu, q.src, q.params, q.op)
          : runPlain(q.scenario, q.mcu, q.src, q.params);
    scope.postMessage({ id: q.id, ok: true, value });
  } catch (e) {
    // What the CLI says in one line for bad input; anything else is a bug, said as such.
    const known = e instanceof ImageError || e instanceof ElfError;
    scope.postMessage({
      id: q.id,
      ok: false,
      error: known ? e.message : `sramlab bug: ${(e as Error).message}`,
      badElf: e instanceof ElfError,
    });
  }
};
