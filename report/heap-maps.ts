// The heap maps an HTML report shows: one scenario run again per allocator, on one profile,
// with a HeapTracker watching, and the heap captured at the moment that tells the most.
//
// That moment is when the scenario measured its largest allocatable block while blocks were
// still live (fragmentation's "every other block freed", random-actions' end of workload):
// the heap that the fragmentation figure was measured on. A run that broke a rule at an
// address is shown where it broke instead; a run that did neither, after its workload.

import type { Session } from '../checks/session.ts';
import type { LoadOptions } from '../runners/image.ts';
import { runScenario, type ScenarioParams } from '../scenarios/index.ts';
import { type HeapMap, HeapTracker, heapMap } from '../views/heap-map.ts';

export interface HeapMapView {
  allocator: string;
  mcu: string;
  scenario: string;
  /** null when there was no heap to map (sl_init itself broke a rule). */
  map: HeapMap | null;
  /** What moment the map shows, in words, for its caption. */
  moment: string;
}

/** The scenario whose heap shape the report draws: it exists to show fragmentation. */
export const HEAP_MAP_SCENARIO = 'fragmentation';

/** Where the run stood, as the observer saw it. */
interface Watched {
  session?: Session;
  tracker?: HeapTracker;
  /** The map when the scenario first measured its largest block with blocks live. */
  measured?: HeapMap;
  measuredLive?: number;
}

/**
 * Installs the tracker on the session runScenario makes (before its sl_init, so init's
 * metadata shows) and takes a map when the scenario probes its largest block with blocks live.
 * largestBlock is wrapped on this one instance because the probe is the only moment a
 * scenario says "now the heap shape matters", and Session has no event for it.
 */
function watch(w: Watched): (s: Session) => void {
  return (s) => {
    const tracker = new HeapTracker(s);
    Object.assign(w, { session: s, tracker });
    const probe = s.largestBlock.bind(s);
    s.largestBlock = (align?: number) => {
      if (w.measured === undefined && s.live.size > 0) {
        w.measured = heapMap(s, tracker);
        w.measuredLive = s.live.size;
      }
      return probe(align);
    };
  };
}

/** One allocator's heap map for a scenario on a profile. */
export function heapMapView(scenario: string, allocator: string, mcu: string, params: ScenarioParams, load: LoadOptions = {}): HeapMapView {
  const w: Watched = {};
  const result = runScenario(scenario, allocator, mcu, params, { ...load, observe: watch(w) });
  const base = { allocator, mcu, scenario };
  const s = w.session,
    tracker = w.tracker;
  if (!s || !tracker || !s.image.heap) return { ...base, map: null, moment: 'no heap: sl_init did not complete' };
  const v = result.violation;
  if (v && v.address !== undefined) {
    return { ...base, map: heapMap(s, tracker), moment: `at operation ${v.operation}, where rule ${v.rule} broke` };
  }
  if (w.measured) {
    return {
      ...base,
      map: w.measured,
      moment: `after operation ${w.measured.operation}, when the scenario measured its largest block with ${w.measuredLive} blocks live`,
    };
  }
  const end = v ? `at operation ${v.operation}, where rule ${v.rule} broke` : `after the workload (operation ${s.operations})`;
  return { ...base, map: heapMap(s, tracker), moment: end };
}

/** Every allocator's heap map for the report, on one profile, run in this thread (a few ms each). */
export function heapMapViews(
  allocators: readonly string[],
  mcu: string,
  params: ScenarioParams,
  scenario = HEAP_MAP_SCENARIO,
  load: LoadOptions = {},
): HeapMapView[] {
  return allocators.map((a) => heapMapView(scenario, a, mcu, params, load));
}
