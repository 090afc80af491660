// --gdb [host:]port on run, check and exec: the command listens before anything runs (so a bad
// address is refused in one line, exit 2), then serves gdb on the machine it runs. The server
// and the stub are debug/'s; this file only decides when the command waits for gdb, and says so
// in one line on stderr each time it does.

import { type Command, Option } from 'commander';
import { type GdbServer, listenForGdb } from '../debug/gdb-server.ts';
import { type FinalStop, type GdbStub, stopForViolation } from '../debug/gdb-stub.ts';
import type { FaultKind } from '../emulator/fault.ts';
import type { Machine } from '../emulator/machine.ts';
import { UsageError } from './common.ts';
import type { Io } from './io.ts';

export interface GdbCliOptions {
  gdb?: string;
  gdbAllowRemote?: boolean;
  gdbOnFail?: boolean;
}

/**
 * Adds the debugger flags. startsStopped: whether plain --gdb waits before the run starts (run,
 * exec); without it (check, many scenarios) gdb is served only where a rule broke.
 */
export function addGdbOptions(cmd: Command, startsStopped: boolean): Command {
  cmd.addOption(
    new Option(
      '--gdb <[host:]port>',
      startsStopped
        ? 'serve gdb (remote protocol) on 127.0.0.1:port and wait for it before the run starts, so breakpoints can be set; ' +
            'it stops again where a rule broke or the firmware faulted (port 0: any free port, printed)'
        : 'serve gdb (remote protocol) on 127.0.0.1:port: the first scenario that breaks a rule stops there and waits for gdb ' +
            '(port 0: any free port, printed); to stop before a scenario starts, use its `run` replay command with --gdb',
    ),
  );
  if (startsStopped)
    cmd.option(
      '--gdb-on-fail',
      'with --gdb: do not wait at the start; run at full speed and wait for gdb only where a rule broke or the firmware faulted',
    );
  return cmd.option(
    '--gdb-allow-remote',
    'with --gdb: accept a host that is not loopback (whoever reaches the port can read and write the machine)',
  );
}

/** What a failed run stopped with, as gdb's stop signal wants it. */
export interface BrokenRule {
  rule: string;
  message: string;
}

/**
 * One command's debugger: listening from the start, serving one machine at a time, and gdb
 * once per command — at the start of the first run (plain --gdb on run and exec), or at the
 * first failure. Later machines (check's next scenarios) run with no debugger attached.
 */
export class GdbSession {
  private stub: GdbStub | null = null;
  /** Whether the attached machine's stub was started (gdb connected and continued it). */
  private started = false;
  /** gdb has had its session: nothing more waits for it. */
  private done = false;

  private constructor(
    private readonly server: GdbServer,
    private readonly io: Io,
    readonly onFailOnly: boolean,
  ) {}

  /** Listens when --gdb was given (null otherwise); bad input throws GdbUsageError (exit 2). */
  static open(opts: GdbCliOptions, io: Io, onFailOnly = !!opts.gdbOnFail): GdbSession | null {
    if (opts.gdb === undefined) {
      if (opts.gdbAllowRemote || opts.gdbOnFail)
        throw new UsageError(`${opts.gdbOnFail ? '--gdb-on-fail' : '--gdb-allow-remote'} needs --gdb [host:]port`);
      return null;
    }
    return new GdbSession(listenForGdb(opts.gdb, { allowRemote: opts.gdbAllowRemote }), io, onFailOnly);
  }

  private waiting(why?: string): void {
    this.io.err(`sramlab: ${why ? `${why}; ` : ''}waiting for gdb on ${this.server.address}\n`);
  }

  /** A machine about to run: with plain --gdb the first one waits here until gdb continues it. */
  attach(machine: Machine): void {
    if (this.done) return;
    this.stub = this.server.debug(machine);
    this.started = false;
    if (this.onFailOnly) return;
    this.waiting();
    this.started = true;
    this.stub.start();
  }

  /**
   * The run on the attached machine is over. A failure stops gdb there (waiting for it first if
   * it is not connected yet); a clean end tells a connected gdb that the program exited.
   * why: the failure in words, for the waiting line.
   */
  finish(stop: FinalStop | null, why?: string): void {
    const stub = this.stub;
    this.stub = null;
    if (!stub) return;
    if (stop === null || 'exited' in stop) {
      if (!this.started) {
        stub.detach();
        return;
      }
      this.done = true;
      stub.finish(stop ?? { exited: 0 });
      return;
    }
    if (!this.started) this.waiting(why);
    this.done = true;
    stub.finish(stop);
  }

  close(): void {
    this.stub?.detach();
    this.server.close();
  }
}

/** A broken rule as gdb's stop; a fault's kind (from the core) picks its signal. */
export function stopForRule(v: BrokenRule, machine: Machine): FinalStop {
  const fault: FaultKind | undefined = v.rule === 'faults' ? machine.cpu.faults.at(-1)?.kind : undefined;
  return stopForViolation({ rule: v.rule, message: v.message, ...(fault ? { fault } : {}) });
}
