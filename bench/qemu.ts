// Runs a firmware ELF on QEMU with semihosting: the oracle the cross-check tests compare
// sramlab with, and the reference the benchmark times sramlab against.
//
//   npx tsx bench/qemu.ts <cortex-m0|cortex-m3|cortex-m4> <elf> [--icount]
// prints the firmware's output and exits with its status.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type QemuMcu = 'cortex-m0' | 'cortex-m3' | 'cortex-m4';

/** QEMU boards whose memory map puts code at 0 and SRAM at 0x2000_0000, like sramlab's. */
const BOARDS: Record<QemuMcu, string[]> = {
  // nRF51: 256 KiB flash at 0, 16 KiB SRAM at 0x2000_0000.
  'cortex-m0': ['-M', 'microbit'],
  // MPS2 AN385: 4 MiB SSRAM at 0, 4 MiB at 0x2000_0000.
  'cortex-m3': ['-M', 'mps2-an385', '-cpu', 'cortex-m3'],
  // MPS2 AN386: the same memory map with a Cortex-M4 (QEMU's has the FPU; CPACR=0 leaves it off).
  'cortex-m4': ['-M', 'mps2-an386', '-cpu', 'cortex-m4'],
};

/** Whether a string names a core runQemu knows. */
export function isQemuMcu(s: string | undefined): s is QemuMcu {
  return s !== undefined && Object.hasOwn(BOARDS, s);
}

export interface QemuOptions {
  /** -icount shift=0: one instruction per virtual nanosecond, so timers are deterministic. */
  icount?: boolean;
  timeoutMs?: number;
}

export interface QemuRun {
  /** Wall time of the whole QEMU process, start-up included. */
  seconds: number;
  /** What the firmware wrote through semihosting. */
  output: string;
  /** QEMU's own messages. */
  stderr: string;
  /** The firmware's semihosting exit status; null if QEMU was killed (timeout). */
  exitCode: number | null;
}

/** The qemu-system-arm arguments for one run (semihosting on stdout, nothing else attached). */
export function qemuArgs(elf: string, mcu: QemuMcu, opts: QemuOptions = {}): string[] {
  return [
    ...BOARDS[mcu],
    '-display',
    'none',
    '-serial',
    'none',
    '-monitor',
    'none',
    ...(opts.icount ? ['-icount', 'shift=0'] : []),
    '-chardev',
    'stdio,id=semihost',
    '-semihosting-config',
    'enable=on,target=native,chardev=semihost',
    '-kernel',
    elf,
  ];
}

/** True when qemu-system-arm can be started. */
export function qemuAvailable(): boolean {
  const r = spawnSync('qemu-system-arm', ['--version'], { stdio: 'ignore' });
  return r.status === 0;
}

export function runQemu(elf: string, mcu: QemuMcu, opts: QemuOptions = {}): QemuRun {
  const start = process.hrtime.bigint();
  const r = spawnSync('qemu-system-arm', qemuArgs(elf, mcu, opts), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: opts.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error('qemu-system-arm is not installed (Debian: apt-get install qemu-system-arm)');
  }
  return { seconds, output: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.signal ? null : r.status };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [mcu, elf] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!isQemuMcu(mcu) || !elf) {
    console.error(`usage: tsx bench/qemu.ts <${Object.keys(BOARDS).join('|')}> <elf> [--icount]`);
    process.exit(2);
  }
  try {
    const r = runQemu(elf, mcu, { icount: process.argv.includes('--icount') });
    process.stdout.write(r.output);
    if (r.exitCode === null) console.error(`qemu: timed out after ${r.seconds.toFixed(1)} s`);
    process.exit(r.exitCode ?? 124);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(127);
  }
}
