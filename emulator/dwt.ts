// The Data Watchpoint and Trace unit's cycle counter (ARMv7-M C1.8): DWT_CTRL.CYCCNTENA and
// DWT_CYCCNT, counting core cycles while DEMCR.TRCENA is set. Derived from the cycle counter
// when read, so it costs nothing while it runs. Comparators and the other counters are absent
// (DWT_CTRL.NUMCOMP reads as 0).

import type { Device } from './bus.ts';
import type { Cpu } from './cpu.ts';
import type { Scs } from './scs.ts';

const CTRL = 0x000,
  CYCCNT = 0x004;
const TRCENA = 1 << 24;

export class Dwt implements Device {
  readonly name = 'dwt' as const;
  private ctrl = 0;
  /** CYCCNT = base + (cycles − since) while running, else base. */
  private base = 0;
  private since = 0;
  private running = false;

  constructor(
    private readonly cpu: Cpu,
    private readonly scs: Scs,
  ) {}

  reset(): void {
    this.ctrl = this.base = this.since = 0;
    this.running = false;
  }

  private cyccnt(): number {
    return this.running ? (this.base + (this.cpu.cycles - this.since)) >>> 0 : this.base;
  }

  /** After CYCCNTENA or DEMCR.TRCENA changed: freeze the count so far and start or stop counting. */
  sync(): void {
    this.base = this.cyccnt();
    this.since = this.cpu.cycles;
    this.running = (this.ctrl & 1) === 1 && (this.scs.demcr & TRCENA) !== 0;
  }

  read(offset: number, size: number): number {
    const word = offset === CTRL ? this.ctrl : offset === CYCCNT ? this.cyccnt() : 0;
    const lane = offset & 3;
    return size === 4 ? word | 0 : (word >>> (8 * lane)) & (size === 1 ? 0xff : 0xffff);
  }

  write(offset: number, size: number, value: number): void {
    if (size !== 4) return; // the counter registers are word-accessible only
    if (offset === CTRL) {
      this.sync();
      this.ctrl = value & 1;
      this.sync();
    } else if (offset === CYCCNT) {
      this.base = value >>> 0;
      this.since = this.cpu.cycles;
    }
  }
}
