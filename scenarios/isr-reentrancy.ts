// isr-reentrancy: an interrupt that allocates while thread mode is inside the allocator. The
// host times IRQ 0 to land halfway through a thread-mode sl_alloc (measured on a copy of SRAM
// first), with the harness's SL_IRQ0_Handler set to run sl_alloc too. An allocator behind a spin
// lock deadlocks (the ISR spins on the lock the thread holds, and the thread never runs again);
// a lock-free one serves both. Both blocks are checked like any other, and at the end every block
// (the ISR's too) is freed, for the leak rule (applied by runScenario).

import { hex } from '../emulator/elf.ts';
import type { Session } from './session.ts';

export const description = 'IRQ 0 allocates while thread-mode sl_alloc is halfway through: spin locks deadlock, lock-free allocators pass';

const ISER = 0x100;
const REQUEST = 'sl_isr_request';
const OP_ALLOC = 1;

export function isrReentrancy(s: Session): void {
  const img = s.image, m = img.machine;
  // A populated heap, so the thread-mode search has work to do.
  for (let k = 0; k < 6; k++) s.alloc(40 + 8 * k, 4);

  const probe = s.probe(() => img.alloc(64, 8));

  const req = img.address(REQUEST);
  for (const [i, v] of [OP_ALLOC, 32, 4, 0, 0, 0, 0].entries()) img.write32(req + 4 * i, v);
  m.scs.write(ISER, 4, 1); // enable IRQ 0 (priority 0)
  m.cpu.scheduleInterrupt(m.cpu.cycles + Math.max(1, Math.floor(probe.cycles / 2)), 0);

  const threadBlock = s.alloc(64, 8, () => {
    // The call ran out of budget: say where everyone was.
    const inIsr = m.cpu.active[16] === 1;
    const where = m.describe(m.cpu.pc);
    return inIsr
      ? `deadlock: IRQ 0's sl_alloc spins at ${hex(m.cpu.pc)}${where.symbol ? ` (${where.symbol})` : ''} on a lock that the interrupted thread-mode sl_alloc holds`
      : null;
  });
  m.cpu.scheduleInterrupt(Infinity, 0);
  m.scs.write(0x180, 4, 1); // ICER: disable IRQ 0 again

  if (img.read32(req + 24) !== 1) {
    s.fail({ rule: 'liveness', message: 'IRQ 0 was pended during sl_alloc but its handler never finished' });
  }
  const isrPtr = img.read32(req + 20);
  if (isrPtr !== 0) s.adopt(isrPtr, 32, 4, 'alloc');
  if (threadBlock && isrPtr !== 0 && isrPtr < threadBlock.ptr + 64 && threadBlock.ptr < isrPtr + 32) {
    s.fail({ rule: 'blocks', message: `the ISR's block ${hex(isrPtr)} overlaps the thread's block ${hex(threadBlock.ptr)}` });
  }
  s.freeAll();
}
