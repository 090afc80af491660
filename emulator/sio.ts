// The RP2040's single-cycle IO block (SIO), the part a two-core allocator needs: CPUID, the 32
// hardware spinlocks and the two inter-core FIFOs. ARMv6-M has no exclusive accesses, so the
// chip gives its two Cortex-M0+ cores these instead. One Sio holds the shared state; each core
// maps its own SioView (the same registers, seen from that core) at SIO_BASE.
//
// The register facts, from the RP2040 datasheet (chapter 2.3.1, "SIO"), restated:
// - CPUID (offset 0x000) reads 0 on core 0 and 1 on core 1.
// - SPINLOCK0…31 (0x100–0x17c, one word each): a read of a free lock takes it and returns a
//   non-zero value (this model returns 1 << n, the lock's bit in SPINLOCK_ST); a read of a taken lock
//   returns 0 and changes nothing. Any write releases the lock, whatever the value and whichever
//   core writes. SPINLOCK_ST (0x05c) reads the 32 lock states as a bitmap, one bit per lock.
// - The FIFOs: one 32-bit FIFO 8 words deep each way (core 0 → core 1 and core 1 → core 0).
//   FIFO_WR (0x054) pushes onto this core's TX FIFO; FIFO_RD (0x058) pops this core's RX FIFO.
//   FIFO_ST (0x050): bit 0 VLD (the RX FIFO holds data), bit 1 RDY (the TX FIFO has room), bit 2
//   WOF (sticky: a write to a full TX FIFO, which was dropped), bit 3 ROE (sticky: a read of an
//   empty RX FIFO, which returned 0 here and popped nothing). Writing 1 to WOF or ROE clears it.
// Other SIO registers (GPIO, the divider, the interpolators) are not modelled: an access to
// them faults as an unmapped access would, so firmware that needs them says so at once.

import type { Device } from './bus.ts';
import { MemFault } from './fault.ts';

export const SIO_BASE = 0xd000_0000;
export const SIO_SIZE = 0x1000;

export const SIO = {
  CPUID: 0x000,
  FIFO_ST: 0x050,
  FIFO_WR: 0x054,
  FIFO_RD: 0x058,
  SPINLOCK_ST: 0x05c,
  SPINLOCK0: 0x100,
  SPINLOCK31: 0x17c,
} as const;

export const FIFO_DEPTH = 8;
const VLD = 1,
  RDY = 2,
  WOF = 4,
  ROE = 8;

/** The state both cores share: lock bits, the two FIFOs (index = the receiving core), the sticky flags per core. */
export class Sio {
  /** Bit n set: spinlock n is taken. */
  locks = 0;
  /** fifo[c]: the words waiting for core c (written by the other core). */
  readonly fifo: [number[], number[]] = [[], []];
  /** Sticky WOF/ROE bits of each core's FIFO_ST. */
  readonly sticky: [number, number] = [0, 0];

  view(core: 0 | 1): SioView {
    return new SioView(this, core);
  }

  /** The state as plain data (snapshots and state hashing). */
  save(): SioState {
    return { locks: this.locks, fifo: [this.fifo[0].slice(), this.fifo[1].slice()], sticky: [this.sticky[0], this.sticky[1]] };
  }

  restore(s: SioState): void {
    this.locks = s.locks;
    this.fifo[0].length = 0;
    this.fifo[0].push(...s.fifo[0]);
    this.fifo[1].length = 0;
    this.fifo[1].push(...s.fifo[1]);
    this.sticky[0] = s.sticky[0];
    this.sticky[1] = s.sticky[1];
  }
}

export interface SioState {
  readonly locks: number;
  readonly fifo: readonly [readonly number[], readonly number[]];
  readonly sticky: readonly [number, number];
}

/** The SIO as one core sees it: a Device for that core's bus. */
export class SioView implements Device {
  readonly name = 'sio' as const;
  constructor(
    readonly sio: Sio,
    readonly core: 0 | 1,
  ) {}

  read(offset: number, size: number): number {
    this.wordOnly(offset, size, 'load');
    const s = this.sio,
      other = (1 - this.core) as 0 | 1;
    if (offset >= SIO.SPINLOCK0 && offset <= SIO.SPINLOCK31) {
      const bit = 1 << ((offset - SIO.SPINLOCK0) >>> 2);
      if (s.locks & bit) return 0;
      s.locks |= bit;
      return bit | 0;
    }
    switch (offset) {
      case SIO.CPUID:
        return this.core;
      case SIO.SPINLOCK_ST:
        return s.locks | 0;
      case SIO.FIFO_ST:
        return (s.fifo[this.core].length ? VLD : 0) | (s.fifo[other].length < FIFO_DEPTH ? RDY : 0) | s.sticky[this.core];
      case SIO.FIFO_RD: {
        const rx = s.fifo[this.core];
        if (rx.length === 0) {
          s.sticky[this.core] |= ROE;
          return 0;
        }
        return rx.shift()! | 0;
      }
      case SIO.FIFO_WR:
        return 0;
    }
    throw new MemFault('unmapped', 0xd000_0000 + offset, size, 'load');
  }

  write(offset: number, size: number, value: number): void {
    this.wordOnly(offset, size, 'store');
    const s = this.sio,
      other = (1 - this.core) as 0 | 1;
    if (offset >= SIO.SPINLOCK0 && offset <= SIO.SPINLOCK31) {
      s.locks &= ~(1 << ((offset - SIO.SPINLOCK0) >>> 2));
      return;
    }
    switch (offset) {
      case SIO.FIFO_ST:
        s.sticky[this.core] &= ~(value & (WOF | ROE));
        return;
      case SIO.FIFO_WR:
        if (s.fifo[other].length >= FIFO_DEPTH) s.sticky[this.core] |= WOF;
        else s.fifo[other].push(value | 0);
        return;
      case SIO.CPUID:
      case SIO.FIFO_RD:
      case SIO.SPINLOCK_ST:
        return; // read-only: the write is ignored
    }
    throw new MemFault('unmapped', 0xd000_0000 + offset, size, 'store');
  }

  /** Word accesses only in this model (what the SDK makes); a byte or halfword access faults. */
  private wordOnly(offset: number, size: number, kind: 'load' | 'store'): void {
    if (size !== 4) throw new MemFault('unmapped', 0xd000_0000 + offset, size, kind);
  }
}
