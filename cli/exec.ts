// sramlab exec: run a firmware image from reset with semihosting, as qemu-system-arm does.

import { Command } from 'commander';
import { stopForRun } from '../debug/gdb-stub.ts';
import { Machine, type RunResult } from '../emulator/machine.ts';
import { type Ctx, countIn, EXAMPLES, forceOption, formatFault, loadInto, mcuOption, paintErr, parseSize, profileFrom } from './common.ts';
import { addGdbOptions, type GdbCliOptions, GdbSession } from './gdb.ts';
import { type Io, OutputClosed } from './io.ts';

interface ExecOptions extends GdbCliOptions {
  mcu: string;
  maxCycles: number;
  json?: boolean;
  flash?: number;
  sram?: number;
  clock?: number;
  force?: boolean;
}

function exec(elfPath: string, opts: ExecOptions, io: Io): number {
  const m = new Machine(profileFrom(opts));
  loadInto(m, elfPath, opts.force);
  let output = '';
  m.semihosting = true;
  m.cpu.faultMode = 'vector';
  // A closed pipe halts the core at the next instruction: there is no one left to run it for.
  // Caught here rather than thrown through the CPU, which may treat a host error as the firmware's.
  let closed = false;
  m.onOutput = opts.json
    ? (t) => {
        output += t;
      }
    : (t, stream) => {
        if (closed) return;
        try {
          (stream === 'stderr' ? io.err : io.out)(t);
        } catch (e) {
          if (!(e instanceof OutputClosed)) throw e;
          closed = true;
          m.cpu.halt();
        }
      };
  m.reset();
  const gdb = GdbSession.open(opts, io);
  let r: RunResult;
  try {
    gdb?.attach(m);
    r = m.run({ maxCycles: opts.maxCycles });
    // The firmware's own end is an exit gdb is told of; anything else stops it there.
    const stop = stopForRun(r);
    gdb?.finish('exited' in stop ? null : stop, `the run ended: ${r.stop}`);
  } finally {
    gdb?.close();
  }
  if (closed) throw new OutputClosed();
  if (opts.json) {
    io.out(
      `${JSON.stringify(
        {
          elf: elfPath,
          mcu: m.profile.name,
          stop: r.stop,
          exitCode: r.exitCode ?? null,
          cycles: r.cycles,
          instructions: r.instructions,
          output,
          faults: r.faults,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    const line = stopLine(r, opts.maxCycles);
    if (line) io.err(`${paintErr.red(`sramlab: ${line}`)}\n`);
  }
  if (r.stop === 'exit') return r.exitCode ?? 0;
  return 1;
}

function stopLine(r: RunResult, budget: number): string | null {
  switch (r.stop) {
    case 'exit':
      return null;
    case 'budget':
      return `the firmware did not exit within ${budget} cycles (raise --max-cycles)`;
    case 'lockup':
      return `lockup: ${r.faults.map(formatFault).join('; ')}`;
    case 'fault':
      return formatFault(r.fault!);
    case 'sleep':
      return 'the core went to sleep (WFI/WFE) with nothing left that could wake it';
    case 'halt':
      return 'the firmware requested a system reset (AIRCR.SYSRESETREQ)';
    case 'returned':
      return 'the firmware returned from its reset handler';
  }
}

export function execCommand(ctx: Ctx): Command {
  const cmd = new Command('exec')
    .description('Run a firmware image from reset, with ARM semihosting for output and exit (like qemu-system-arm -semihosting).')
    .argument('<elf>', 'ELF image built for the MCU (vector table at address 0)')
    .addOption(mcuOption())
    .option('--max-cycles <n>', 'stop after this many cycles', countIn(1, Number.MAX_SAFE_INTEGER), 1_000_000_000)
    .option('--flash <size>', "override the profile's flash size", parseSize)
    .option('--sram <size>', "override the profile's SRAM size", parseSize)
    .option('--json', 'print a JSON summary (the firmware output goes into it)')
    .addOption(forceOption());
  return addGdbOptions(cmd, true)
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab exec hello.elf --mcu cortex-m0',
        'sramlab exec test.elf --mcu cortex-m0plus --max-cycles 50M --json',
        'sramlab exec fw.elf --gdb 3333    # waits at the reset handler: gdb-multiarch fw.elf -ex "target remote :3333"',
      ]) +
        "\nWith --gdb the core waits at its first instruction for gdb; a fault stops it in the handler with the fault's signal, and a\nrun that ends in a fault, lockup or its cycle budget stops there. A kill from gdb ends the command with status 1." +
        "\nExit status: the firmware's (SYS_EXIT / SYS_EXIT_EXTENDED), 1 when it faulted, locked up or ran out of cycles, 2 for bad input.\n",
    )
    .action((elf: string, opts: ExecOptions) => {
      ctx.status = exec(elf, opts, ctx.io);
    });
}
