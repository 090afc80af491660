// isr-reentrancy: an interrupt that allocates while thread mode is inside the allocator. The
// host raises IRQ 0 halfway through a thread-mode sl_alloc (its length measured on a copy of SRAM
// first), and the IRQ's handler is sl_alloc itself (emulator/host-irq.ts): nothing needs to be
// linked into the image for it, so every image built to the ABI gets the scenario. The IRQ is
// taken with the core's real exception entry: while the allocator masks interrupts it waits, and
// it is taken when they are unmasked. An allocator behind a spin lock deadlocks (the ISR spins on
// a flag the thread set, and the thread never runs again); a lock-free one or one that masks
// interrupts serves both. Both blocks are checked like any other, and at the end every block (the
// ISR's too) is freed, for the leak rule (applied by runScenario).

import { hex } from '../emulator/elf.ts';
import { HostIrq } from '../emulator/host-irq.ts';
import { Violation } from './checkers.ts';
import { AllocatorCallError } from './image.ts';
import type { Session } from './session.ts';

export const description = 'IRQ 0 allocates while thread-mode sl_alloc is halfway through: spin locks deadlock, lock-free and interrupt-masking allocators pass';

const IRQ = 0;
const ISR_SIZE = 32, ISR_ALIGN = 4;

/**
 * Cycles of the thread-mode sl_alloc(64, 8), measured on a copy of SRAM; 0 when that call breaks
 * a rule: the real call then breaks it too, where the session reports it properly.
 */
function measure(s: Session): number {
  try {
    return s.probe(() => s.image.alloc(64, 8)).cycles;
  } catch (e) {
    if (e instanceof AllocatorCallError || e instanceof Violation) return 0;
    throw e;
  }
}

export function isrReentrancy(s: Session): void {
  const img = s.image, m = img.machine;
  // A populated heap, so the thread-mode search has work to do.
  for (let k = 0; k < 6; k++) s.alloc(40 + 8 * k, 4);

  const into = Math.max(1, Math.floor(measure(s) / 2));
  const at = m.cpu.cycles + into;
  const irq = new HostIrq(m);
  const rec = irq.raise({ irq: IRQ, atCycle: at, address: img.address('sl_alloc'), args: [ISR_SIZE, ISR_ALIGN] });
  const where = (pc: number) => {
    const d = m.describe(pc);
    return `${hex(pc)}${d.symbol ? ` (${d.symbol})` : ''}`;
  };
  let stillPending = false;
  try {
    s.alloc(64, 8, () => {
      // The call ran out of budget: say where each of them was.
      if (!rec.frame || rec.returned) return null;
      const resumeAt = img.read32(rec.frame + 24);
      return `deadlock: IRQ ${IRQ}'s sl_alloc spins at ${where(m.cpu.pc)} and never returns; ` +
        `the thread-mode sl_alloc it interrupted at ${where(resumeAt)} cannot run again until it does`;
    });
    stillPending = irq.pending;
  } finally {
    irq.cancel();
  }

  if (!rec.returned) {
    s.fail({
      rule: 'liveness',
      message: stillPending
        ? `IRQ ${IRQ} was pended ${into} cycles into sl_alloc and was still pending when sl_alloc returned: it returned with interrupts masked (PRIMASK ${m.cpu.primask}, BASEPRI ${hex(m.cpu.basepri)})`
        : `IRQ ${IRQ} was to be pended ${into} cycles into sl_alloc, and its handler never ran`,
    });
  }
  // Checked like any block: inside the heap, aligned, and clear of every live one (the thread's too).
  if (rec.result !== 0) s.adopt(rec.result!, ISR_SIZE, ISR_ALIGN, 'alloc');
  s.freeAll();
}
