// Refusing a heap that does not fit, before the run starts, naming the smallest one that does.
//
// "Fits" is found by probing the allocator itself rather than by a table per allocator: the
// smallest heap differs per allocator (galloc needs its 20-byte header, linked-list a two-word
// hole, emballoc a multiple of 4 of at least 8 bytes and faults on anything else), slab's
// depends on the slot size each scenario sets, and a user's own ELF (`sramlab check`) has no
// table at all. A heap fits when sl_init on it keeps every rule and then the smallest
// request, sl_alloc(1, 1), returns a block: a heap no allocation can ever come from (chunk's
// below one 256-byte chunk) is no more a heap than one sl_init refuses.
// A probe is one fresh image and two calls (a few milliseconds); the search for the smallest
// heap runs only when the requested one was refused.

import { type Session, ViolationError } from '../checks/session.ts';
import { UsageError } from './common.ts';

/** Runs a scenario (or fuzz's set-up) with this heap, handing its session to observe before sl_init. */
export type ScenarioStart = (heap: number, observe: (s: Session) => void) => unknown;

/** Thrown from the end of sl_init to stop the scenario there. */
class SetUpDone extends Error {}

interface Probe {
  /** Bytes of the image's heap region (from __heap_start to __heap_end). */
  region: number;
  /** Why the heap was refused; null when it fits. */
  refusal: string | null;
}

function probe(start: ScenarioStart, heap: number): Probe {
  let session: Session | undefined;
  let initReturned = false;
  try {
    start(heap, (s) => {
      session = s;
      s.onOperation((e) => {
        if (e.phase === 'end' && e.number === 0) {
          initReturned = true;
          throw new SetUpDone();
        }
      });
    });
  } catch (e) {
    if (!(e instanceof SetUpDone || e instanceof ViolationError)) throw e;
  }
  const s = session!;
  const region = s.image.layout.heapRegion.end - s.image.layout.heapRegion.start;
  if (!initReturned) return { region, refusal: `sl_init broke the ${s.violation?.rule ?? 'faults'} rule` };
  try {
    return { region, refusal: s.alloc(1, 1) === null ? 'sl_alloc(1, 1) returned NULL' : null };
  } catch (e) {
    if (e instanceof ViolationError) return { region, refusal: `sl_alloc(1, 1) broke the ${e.violation.rule} rule` };
    throw e;
  }
}

/**
 * The smallest heap the allocator accepts, or null when none up to the whole region does (the
 * allocator is broken at every size: the run itself will say how). Every size up to 128 bytes
 * is tried, since acceptance need not be monotonic (emballoc takes 8 but not 9); above that,
 * doubling finds a size that works and bisection (in steps of 8 bytes) the smallest below it.
 */
export function smallestHeap(start: ScenarioStart, region: number): number | null {
  const ok = (h: number) => probe(start, h).refusal === null;
  for (let h = 0; h <= Math.min(128, region); h++) if (ok(h)) return h;
  let lo = 128,
    hi = 256;
  while (hi < region && !ok(hi)) {
    lo = hi;
    hi *= 2;
  }
  if (hi >= region) {
    if (!ok(region)) return null;
    hi = region;
  }
  while (hi - lo > 8) {
    const mid = lo + Math.floor((hi - lo) / 16) * 8;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Refuses, as bad input, a heap the allocator cannot work in. label: what the message calls it. */
export function checkHeapFits(start: ScenarioStart, heap: number, label: string): void {
  const p = probe(start, heap);
  if (p.refusal === null) return;
  const least = smallestHeap(start, p.region);
  if (least === null) return; // no heap fits: not the heap's fault, let the run report it
  throw new UsageError(`--heap ${heap}: a heap that does not fit ${label} (${p.refusal}); the smallest heap it accepts is ${least} bytes`);
}
