// The sramlab command line: one file per command in cli/. Exit codes: 0 all good (or the
// firmware's own exit status for `exec`), 1 a check failed or the firmware did not finish,
// 2 bad input (flags, ELF, MCU, allocator).

import { Command, CommanderError } from 'commander';
import { exitStatus, UsageError } from './cli/common.ts';
import { checkCommand } from './cli/check.ts';
import { compareCommand } from './cli/compare.ts';
import { demoCommand } from './cli/demo.ts';
import { execCommand } from './cli/exec.ts';
import { fuzzCommand } from './cli/fuzz.ts';
import { listCommand } from './cli/list.ts';
import { mapCommand } from './cli/map.ts';
import { runCommand } from './cli/run.ts';
import { traceCommand } from './cli/trace.ts';

async function main(argv: string[]): Promise<number> {
  const program = new Command('sramlab')
    .description('A Cortex-M microcontroller emulated in TypeScript: run allocator firmware and check every load and store.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Start here:
  $ sramlab demo                                   # a workload on an emulated Cortex-M0
  $ sramlab list                                   # profiles, allocators, scenarios
  $ sramlab run smoke --alloc galloc --mcu cortex-m0
  $ sramlab compare                                # everything, as a table
Each command has --help with examples.`)
    .exitOverride();
  for (const cmd of [demoCommand(), listCommand(), runCommand(), mapCommand(), traceCommand(), compareCommand(), fuzzCommand(), checkCommand(), execCommand()]) {
    program.addCommand(cmd.copyInheritedSettings(program));
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed the one-line error otherwise.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    }
    throw e;
  }
  return exitStatus;
}

try {
  process.exitCode = await main(process.argv);
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`sramlab: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`sramlab: internal error: ${(e as Error).message ?? String(e)}\n`);
    if (process.env.SRAMLAB_DEBUG) console.error(e);
    process.exitCode = 70;
  }
}
