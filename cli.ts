// The sramlab command line: one file per command in cli/; bin/sramlab.js runs main().
//
// One exit rule for every command, chosen by the type of what ended it, never by its wording:
//   0  every check held (for `exec`: the firmware's own exit status); help; and a closed pipe —
//      the reader of `sramlab … | head` has what it wanted, so sramlab stops its work at once,
//      quietly, as a command killed by SIGPIPE would, but within this rule;
//   1  a check failed, the firmware faulted, locked up or ran out of cycles (each command
//      returns it from its own verdict); or gdb killed the target (--gdb), in one line;
//   2  bad input, in exactly one line on stderr: a commander parse error, a UsageError, an
//      ImageError (an allocator or scenario image that cannot be used), an ElfError or a
//      GdbUsageError (a --gdb address that cannot be listened on) or an ExecutorChoiceError
//      (SRAMLAB_EXECUTOR naming no executor);
//   70 anything else: a bug in sramlab (one line; SRAMLAB_DEBUG=1 prints the stack).

import { Command, CommanderError } from 'commander';
import { checkCommand } from './cli/check.ts';
import { type Ctx, UsageError } from './cli/common.ts';
import { compareCommand } from './cli/compare.ts';
import { demoCommand } from './cli/demo.ts';
import { execCommand } from './cli/exec.ts';
import { exploreCommand } from './cli/explore.ts';
import { fuzzCommand } from './cli/fuzz.ts';
import { type Io, OutputClosed } from './cli/io.ts';
import { listCommand } from './cli/list.ts';
import { mapCommand } from './cli/map.ts';
import { memoryLdCommand } from './cli/memory-ld.ts';
import { mergeCommand } from './cli/merge.ts';
import { runCommand } from './cli/run.ts';
import { serveCommand } from './cli/serve.ts';
import { traceCommand } from './cli/trace.ts';
import { GdbUsageError } from './debug/gdb-server.ts';
import { GdbKilled } from './debug/gdb-stub.ts';
import { ElfError } from './emulator/elf.ts';
import { ExecutorChoiceError } from './emulator/executors.ts';
import { ImageError } from './runners/image.ts';

/** Status for a bug: EX_SOFTWARE, outside 0–2 so that a test can tell it from every verdict. */
export const INTERNAL_ERROR = 70;

/** A message as one line: commander's "(Did you mean …?)" and multi-line causes are folded in. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

function program(ctx: Ctx): Command {
  const root = new Command('sramlab')
    .description('A Cortex-M microcontroller emulated in TypeScript: run allocator firmware and check every load and store.')
    .version('0.1.0')
    .addHelpText(
      'after',
      `
Start here:
  $ sramlab demo                                   # a workload on an emulated Cortex-M0
  $ sramlab list                                   # profiles, allocators, scenarios
  $ sramlab run smoke --alloc galloc --mcu cortex-m0
  $ sramlab compare                                # everything, as a table
Each command has --help with examples.`,
    )
    // Help goes to stdout; commander's own error output is dropped: main() prints the one line.
    .configureOutput({ writeOut: (t) => ctx.io.out(t), writeErr: () => {}, outputError: () => {} })
    .exitOverride();
  for (const cmd of [
    demoCommand,
    listCommand,
    runCommand,
    mapCommand,
    traceCommand,
    compareCommand,
    fuzzCommand,
    exploreCommand,
    checkCommand,
    mergeCommand,
    execCommand,
    memoryLdCommand,
    serveCommand,
  ]) {
    root.addCommand(cmd(ctx).copyInheritedSettings(root));
  }
  return root;
}

/** The words after the command, as a commander parse error names them: "sramlab run" for `run --help`. */
function helpHint(argv: readonly string[], known: readonly string[]): string {
  const cmd = argv.find((a) => known.includes(a));
  return `sramlab ${cmd ? `${cmd} ` : ''}--help`;
}

/** Runs the CLI on argv (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const ctx: Ctx = { io, status: 0 };
  const root = program(ctx);
  const fail = (message: string, hint?: string) => {
    io.err(`sramlab: ${oneLine(message)}${hint ? ` (${hint} for usage)` : ''}\n`);
    return 2;
  };
  if (argv.length === 0) return fail(`give a command: ${root.commands.map((c) => c.name()).join(', ')}`, 'sramlab --help');
  try {
    await root.parseAsync([...argv], { from: 'user' });
    return ctx.status;
  } catch (e) {
    if (e instanceof OutputClosed) return 0;
    if (e instanceof CommanderError) {
      // Help (--help, `help <command>`) and --version: commander's own exit with status 0.
      if (e.exitCode === 0) return 0;
      return fail(
        e.message.replace(/^error: /, ''),
        helpHint(
          argv,
          root.commands.map((c) => c.name()),
        ),
      );
    }
    if (
      e instanceof UsageError ||
      e instanceof ImageError ||
      e instanceof ElfError ||
      e instanceof GdbUsageError ||
      e instanceof ExecutorChoiceError
    )
      return fail(e.message);
    if (e instanceof GdbKilled) {
      io.err('sramlab: killed from gdb: the run did not finish\n');
      return 1;
    }
    io.err(`sramlab: internal error: ${oneLine((e as Error).message ?? String(e))}\n`);
    if (process.env.SRAMLAB_DEBUG) io.err(`${(e as Error).stack}\n`);
    return INTERNAL_ERROR;
  }
}
