// The interface both engines (the TypeScript CPU and the Unicorn reference) present to the
// conformance harness and the benchmark: load memory, set and read the architectural state,
// step instructions. The machine-level API (host calls, exceptions, checkers) lives on Machine.

import type { FaultReport } from './fault.ts';
import type { Profile } from './profiles.ts';

/** Architectural state that both engines can set and read. */
export interface CpuState {
  /** r0–r12, sp (r13, the current stack pointer), lr (r14), pc (r15 = address of the next instruction). */
  r: number[];
  /** N, Z, C, V as 0/1. */
  n: number;
  z: number;
  c: number;
  v: number;
  /** Q flag (ARMv7E-M), GE[3:0] (ARMv7E-M DSP); 0 elsewhere. */
  q: number;
  ge: number;
  primask: number;
  control: number;
}

export type StepStop =
  | 'ok' // the instruction(s) ran
  | 'undefined' // UNDEFINED instruction for this profile
  | 'fault' // memory fault (unaligned, unmapped, write to flash, fetch from XN)
  | 'svc' // SVC executed (an exception would be taken)
  | 'bkpt'; // BKPT executed (a single WFI/WFE step retires as 'ok')

export interface StepResult {
  stop: StepStop;
  fault?: FaultReport;
}

export interface Engine {
  readonly name: string;
  readonly profile: Profile;
  writeMemory(address: number, bytes: Uint8Array): void;
  readMemory(address: number, length: number): Uint8Array;
  getState(): CpuState;
  setState(s: CpuState): void;
  /** Executes exactly one instruction at state.pc (no exception is taken; a would-be exception is reported). */
  step(): StepResult;
  close(): void;
  /**
   * The TypeScript engine only: drop ITSTATE, as if the IT block ended here. The conformance
   * harness uses it to show what a reference that loses ITSTATE would have computed.
   */
  clearITState?(): void;
}
