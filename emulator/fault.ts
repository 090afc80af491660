// What went wrong, in a form reports and tests can read. Faults are rare, so they are plain
// objects built on the slow path; the hot path only throws MemFault.

export type FaultKind =
  | 'unaligned' // halfword/word access not aligned (always on ARMv6-M)
  | 'unmapped' // no memory or device at the address (bus fault)
  | 'flash-write' // store to flash
  | 'exec-never' // instruction fetch from an execute-never or unmapped region
  | 'undefined' // UNDEFINED (or UNPREDICTABLE) encoding for this profile
  | 'no-cas' // an exclusive-access (CAS) instruction on ARMv6-M
  | 'nocp' // a coprocessor or floating-point instruction with no coprocessor
  | 'divbyzero' // SDIV/UDIV by zero with CCR.DIV_0_TRP set
  | 'invstate' // execution with EPSR.T = 0
  | 'bad-exc-return' // invalid EXC_RETURN value or return state
  | 'svc-escalated' // SVC executed where it cannot be taken
  | 'bkpt' // BKPT with no debugger attached
  | 'semihosting' // a semihosting call (BKPT 0xAB) whose argument points outside flash and SRAM
  | 'lockup'; // a fault while in HardFault

export type AccessKind = 'fetch' | 'load' | 'store';

export interface FaultReport {
  kind: FaultKind;
  /** One line a person can read. */
  message: string;
  /** Address of the instruction that faulted. */
  pc: number;
  /** Raw instruction halfword(s), when one was fetched. */
  instruction?: number;
  disassembly?: string;
  address?: number;
  size?: number;
  access?: AccessKind;
  region?: string;
  /** Symbol of the PC ("sl_alloc+0x1c"), filled in when the image has symbols. */
  symbol?: string;
  /** Source line of the PC ("alloc.c:42"), when the image has line info. */
  source?: string;
  /** The exception the fault was taken as, when it was taken ('HardFault', 'UsageFault', …). */
  exception?: string;
}

/** Thrown by the bus on a bad data or fetch access; caught by the CPU and turned into a fault. */
export class MemFault {
  constructor(
    readonly kind: 'unaligned' | 'unmapped' | 'flash-write' | 'exec-never',
    readonly address: number,
    readonly size: number,
    readonly access: AccessKind,
  ) {}
}

/**
 * Thrown by instruction handlers for a fault that is not a memory access: an UNDEFINED
 * encoding, an exclusive on ARMv6-M, no coprocessor, divide by zero, EPSR.T = 0, or a BKPT
 * no debugger serves. The CPU turns it into a fault report, as it does a MemFault.
 */
export class InstructionFault {
  constructor(
    readonly kind: Extract<FaultKind, 'undefined' | 'no-cas' | 'nocp' | 'divbyzero' | 'invstate' | 'bkpt'>,
    readonly detail = '',
  ) {}
}
