// ARM semihosting over BKPT 0xAB (the "Semihosting for AArch32 and AArch64" specification):
// the calls a bare-metal test needs to print and exit, so one ELF runs the same on sramlab
// and on `qemu-system-arm -semihosting`. r0 holds the operation, r1 its argument.

import type { Bus } from './bus.ts';
import type { Cpu } from './cpu.ts';

export const SYS = {
  WRITEC: 0x03, WRITE0: 0x04, WRITE: 0x05, CLOCK: 0x10, TIME: 0x11, ERRNO: 0x13,
  EXIT: 0x18, EXIT_EXTENDED: 0x20,
} as const;
/** The reason code of a normal exit. */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

export interface SemihostingHost {
  output(text: string, stream: 'stdout' | 'stderr'): void;
  exit(status: number): void;
}

/** Handles one semihosting call; returns false for a BKPT that is not 0xAB. */
export function semihostingCall(cpu: Cpu, imm: number, host: SemihostingHost): boolean {
  if (imm !== 0xab) return false;
  const bus = cpu.bus;
  const op = cpu.r[0] >>> 0, arg = cpu.r[1] >>> 0;
  let ret = 0;
  switch (op) {
    case SYS.WRITEC:
      host.output(String.fromCharCode(bus.peek(arg, 1)[0]), 'stdout');
      break;
    case SYS.WRITE0:
      host.output(readCString(bus, arg), 'stdout');
      break;
    case SYS.WRITE: {
      const handle = bus.peek32(arg), ptr = bus.peek32(arg + 4), len = bus.peek32(arg + 8);
      const text = new TextDecoder().decode(bus.peek(ptr, Math.min(len, 1 << 20)));
      host.output(text, handle === 2 ? 'stderr' : 'stdout');
      ret = 0; // all bytes written
      break;
    }
    case SYS.CLOCK: // centiseconds of emulated time
      ret = Math.floor(cpu.cycles / (cpu.profile.clockHz / 100));
      break;
    case SYS.TIME:
      ret = Math.floor(cpu.cycles / cpu.profile.clockHz);
      break;
    case SYS.ERRNO:
      ret = 0;
      break;
    case SYS.EXIT: // AArch32 passes the reason code itself in r1
      host.exit(arg === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
      break;
    case SYS.EXIT_EXTENDED: {
      const reason = bus.peek32(arg), code = bus.peek32(arg + 4);
      host.exit(reason === ADP_STOPPED_APPLICATION_EXIT ? code | 0 : 1);
      break;
    }
    default:
      ret = -1; // unsupported operation
  }
  cpu.r[0] = ret;
  return true;
}

function readCString(bus: Bus, address: number): string {
  const bytes: number[] = [];
  for (let a = address; bytes.length < 1 << 20; a++) {
    const b = bus.peek(a, 1)[0];
    if (b === 0) break;
    bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
