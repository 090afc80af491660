// ARM semihosting over BKPT 0xAB (the "Semihosting for AArch32 and AArch64" specification):
// the calls a bare-metal test needs to print and exit, so one ELF runs the same on sramlab
// and on `qemu-system-arm -semihosting`. r0 holds the operation, r1 its argument.

import type { Bus } from './bus.ts';
import type { Cpu } from './cpu.ts';
import { SRAM_BASE } from './memory-map.ts';

const SYS = {
  WRITEC: 0x03,
  WRITE0: 0x04,
  WRITE: 0x05,
  CLOCK: 0x10,
  TIME: 0x11,
  ERRNO: 0x13,
  EXIT: 0x18,
  EXIT_EXTENDED: 0x20,
} as const;
/** The reason code of a normal exit. */
const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

export interface SemihostingHost {
  output(text: string, stream: 'stdout' | 'stderr'): void;
  exit(status: number): void;
}

/** Names of the operations, for fault reports. */
const OP_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(SYS).map(([k, v]) => [v, `SYS_${k}`]));
/** Longest string or buffer one call prints (a runaway length is cut here, not refused). */
const MAX_TEXT = 1 << 20;

/**
 * An argument of the call that points outside flash and SRAM. The firmware broke the calling
 * convention, so it is reported as a fault of the BKPT, never as an error of the host.
 */
class BadArgument {
  constructor(
    readonly address: number,
    readonly size: number,
    readonly what: string,
  ) {}
}

/** Handles one semihosting call; returns false for a BKPT that is not 0xAB. */
export function semihostingCall(cpu: Cpu, imm: number, host: SemihostingHost): boolean {
  if (imm !== 0xab) return false;
  const op = cpu.r[0] >>> 0,
    arg = cpu.r[1] >>> 0;
  try {
    cpu.r[0] = perform(cpu, op, arg, host);
  } catch (e) {
    if (!(e instanceof BadArgument)) throw e;
    const name = OP_NAMES[op] ?? `operation 0x${op.toString(16)}`;
    const region = cpu.bus.regionOf(e.address);
    cpu.faults.push(cpu.report('semihosting', `${name}: ${e.what}`, cpu.pc, { address: e.address, size: e.size, access: 'load', region }));
    cpu.halt('fault');
  }
  return true;
}

function perform(cpu: Cpu, op: number, arg: number, host: SemihostingHost): number {
  const bus = cpu.bus;
  switch (op) {
    case SYS.WRITEC:
      host.output(String.fromCharCode(guest(bus, arg, 1, 'the character')[0]), 'stdout');
      return 0;
    case SYS.WRITE0:
      host.output(readCString(bus, arg), 'stdout');
      return 0;
    case SYS.WRITE: {
      const block = guestWords(bus, arg, 3, 'the argument block {handle, buffer, length}');
      const [handle, ptr, len] = block;
      const text = new TextDecoder().decode(guest(bus, ptr, Math.min(len, MAX_TEXT), `the ${len}-byte buffer`));
      host.output(text, handle === 2 ? 'stderr' : 'stdout');
      return 0; // all bytes written
    }
    case SYS.CLOCK: // centiseconds of emulated time
      return Math.floor(cpu.cycles / (cpu.profile.clockHz / 100));
    case SYS.TIME:
      return Math.floor(cpu.cycles / cpu.profile.clockHz);
    case SYS.ERRNO:
      return 0;
    case SYS.EXIT: // AArch32 passes the reason code itself in r1
      host.exit(arg === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
      return 0;
    case SYS.EXIT_EXTENDED: {
      const [reason, code] = guestWords(bus, arg, 2, 'the argument block {reason, status}');
      host.exit(reason === ADP_STOPPED_APPLICATION_EXIT ? code | 0 : 1);
      return 0;
    }
    default:
      return -1; // unsupported operation
  }
}

/** length bytes of guest memory at address, all inside flash or inside SRAM. */
function guest(bus: Bus, address: number, length: number, what: string): Uint8Array {
  if (!inMemory(bus, address, length)) {
    throw new BadArgument(address, length, `${what} at 0x${hex(address)} (${bus.regionOf(address)}) is not in flash or SRAM`);
  }
  return bus.peek(address, length);
}

function guestWords(bus: Bus, address: number, count: number, what: string): number[] {
  const b = guest(bus, address, 4 * count, what);
  return Array.from({ length: count }, (_, i) => (b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) | (b[4 * i + 3] << 24)) >>> 0);
}

function inMemory(bus: Bus, address: number, length: number): boolean {
  const a = address >>> 0;
  if (a + length <= bus.flashSize) return true;
  const o = a - SRAM_BASE;
  return o >= 0 && o + length <= bus.sramSize;
}

/** A NUL-terminated string, all of it (and its NUL) inside flash or inside SRAM. */
function readCString(bus: Bus, address: number): string {
  const bytes: number[] = [];
  for (let a = address >>> 0; bytes.length < MAX_TEXT; a++) {
    if (!inMemory(bus, a, 1)) {
      const where =
        a === address >>> 0
          ? `the string at 0x${hex(a)} (${bus.regionOf(a)}) is not in flash or SRAM`
          : `the string at 0x${hex(address)} has no NUL before the end of ${bus.regionOf(a - 1)} at 0x${hex(a)}`;
      throw new BadArgument(a, 1, where);
    }
    const b = bus.peek(a, 1)[0];
    if (b === 0) break;
    bytes.push(b);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

const hex = (a: number): string => (a >>> 0).toString(16).padStart(8, '0');
