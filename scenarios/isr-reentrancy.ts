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

export const description =
  'IRQ 0 allocates while thread-mode sl_alloc is halfway through: spin locks deadlock, lock-free and interrupt-masking allocators pass';

const IRQ = 0;
const ISR_SIZE = 32,
  ISR_ALIGN = 4;
/** The thread-mode call the IRQ interrupts. */
const THREAD_SIZE = 64,
  THREAD_ALIGN = 8;

/**
 * Cycles of the thread-mode sl_alloc(64, 8), measured on a copy of SRAM; 0 when that call breaks
 * a rule: the real call then breaks it too, where the session reports it properly.
 */
function measure(s: Session): number {
  try {
    return s.probe(() => s.image.alloc(THREAD_SIZE, THREAD_ALIGN)).cycles;
  } catch (e) {
    if (e instanceof AllocatorCallError || e instanceof Violation) return 0;
    throw e;
  }
}

export function isrReentrancy(s: Session): void {
  const img = s.image,
    m = img.machine;
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
    s.alloc(THREAD_SIZE, THREAD_ALIGN, () => {
      // The call ran out of budget: say where each of them was.
      if (!rec.frame || rec.returned) return null;
      const resumeAt = img.read32(rec.frame + 24);
      return (
        `deadlock: IRQ ${IRQ}'s sl_alloc spins at ${where(m.cpu.pc)} and never returns; ` +
        `the thread-mode sl_alloc it interrupted at ${where(resumeAt)} cannot run again until it does`
      );
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

/**
 * The deadlock in a few lines for the terminal (null for any other violation): what this run
 * saw — the call that holds the lock and where it was interrupted, the PC that spins — then why
 * it can never end and what an allocator does instead. The facts come from the violation.
 */
export function explainDeadlock(v: {
  rule: string;
  message: string;
  operation: number;
  pc?: number;
  symbol?: string;
  source?: string;
}): string[] | null {
  // The message isrReentrancy gives a deadlock (above).
  const m =
    /^deadlock: IRQ (\d+)'s sl_alloc spins at (.+?) and never returns; the thread-mode sl_alloc it interrupted at (.+?) cannot run/.exec(
      v.message,
    );
  if (v.rule !== 'liveness' || !m) return null;
  const [, irq, spin, resumeAt] = m;
  const isrCall = `sl_alloc(${ISR_SIZE}, ${ISR_ALIGN})`,
    threadCall = `sl_alloc(${THREAD_SIZE}, ${THREAD_ALIGN})`;
  const spinAt = v.pc !== undefined ? [hex(v.pc), v.symbol, v.source].filter(Boolean).join(' ') : spin;
  return [
    'Why this is a deadlock:',
    `  Who holds the lock: operation ${v.operation}, the thread-mode ${threadCall}. It took the allocator's lock, and IRQ ${irq} interrupted it at ${resumeAt}.`,
    `  Who spins: IRQ ${irq}'s handler calls ${isrCall}, which waits for that lock at ${spinAt}.`,
    `  Why it never ends: the handler runs at a higher priority than thread mode, so the interrupted call cannot run again — and release the lock — until the handler returns; the handler returns only once the lock is free.`,
    `  What works instead: an allocator that masks interrupts (PRIMASK) around its critical section keeps the IRQ pending until the call is done; a lock-free one (slab here) never waits on the call it interrupted: it claims a slot with one atomic step (LDREX/STREX on ARMv7-M; ARMv6-M has no such instructions, so there the step itself runs with interrupts masked).`,
  ];
}
