// The scenarios users run, by name, and the function that runs one with every check on.

import { footprint, type Footprint } from '../firmware/footprint.ts';
import { AllocatorImage, type LoadOptions } from './image.ts';
import type { Summary } from './metrics.ts';
import { Session, ViolationError, type OpKind, type SessionViolation } from './session.ts';
import * as alignmentScenario from './alignment.ts';
import * as chunkBenchScenario from './chunk-bench.ts';
import * as fillAndDrainScenario from './fill-and-drain.ts';
import * as fragmentationScenario from './fragmentation.ts';
import * as heapExhaustionScenario from './heap-exhaustion.ts';
import * as isrReentrancyScenario from './isr-reentrancy.ts';
import * as randomActionsScenario from './random-actions.ts';
import * as smokeScenario from './smoke.ts';
import * as vecGrowthScenario from './vec-growth.ts';

export interface ScenarioParams {
  seed: number;
  ops: number;
  /** Heap bytes given to sl_init (default: a size that suits the profile). */
  heap?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** Slot size for slab (a fixed-size allocator), set before sl_init; default 64. */
  slabSlotSize?: number;
  /** Runs the workload; may return the largest allocatable block it measured at its end. */
  run(s: Session, p: ScenarioParams): number | void;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'smoke', description: smokeScenario.description, slabSlotSize: smokeScenario.slabSlotSize, run: (s) => smokeScenario.smoke(s) },
  { name: 'random-actions', description: randomActionsScenario.description, slabSlotSize: 256, run: (s, p) => randomActionsScenario.randomActions(s, p.seed, p.ops) },
  { name: 'heap-exhaustion', description: heapExhaustionScenario.description, slabSlotSize: 2048, run: (s, p) => heapExhaustionScenario.heapExhaustion(s, p.seed, p.ops) },
  { name: 'chunk-bench', description: chunkBenchScenario.description, slabSlotSize: 1024, run: (s, p) => chunkBenchScenario.chunkBench(s, p.seed, p.ops) },
  { name: 'vec-growth', description: vecGrowthScenario.description, run: (s) => vecGrowthScenario.vecGrowth(s) },
  { name: 'fragmentation', description: fragmentationScenario.description, run: (s) => fragmentationScenario.fragmentation(s) },
  { name: 'alignment', description: alignmentScenario.description, run: (s) => alignmentScenario.alignment(s) },
  { name: 'isr-reentrancy', description: isrReentrancyScenario.description, run: (s) => isrReentrancyScenario.isrReentrancy(s) },
  { name: 'fill-and-drain', description: fillAndDrainScenario.description, slabSlotSize: 256, run: (s) => fillAndDrainScenario.fillAndDrain(s) },
];

export function getScenario(name: string): Scenario {
  const sc = SCENARIOS.find((x) => x.name === name);
  if (!sc) throw new Error(`unknown scenario '${name}' (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return sc;
}

const SLAB_SLOT_SYMBOL = 'sl_slab_slot_size';

/** Default heap: 16 KiB, or the whole region where that is smaller. */
export const DEFAULT_HEAP = 16 * 1024;

export interface ScenarioResult {
  schema: 'sramlab.run/1';
  scenario: string;
  allocator: string;
  mcu: string;
  seed: number;
  heap: number;
  ok: boolean;
  violation: SessionViolation | null;
  operations: number;
  stats: Record<OpKind, { cycles: Summary; instructions: Summary }>;
  peakStackBytes: number;
  /** Largest allocatable block the scenario measured at the end of its workload (fragmentation), if it did. */
  largestBlockAfter: number | null;
  /** Bytes in live blocks over the heap size when an allocation first returned NULL (null: none did). */
  utilisationAtFirstFailure: number | null;
  /** Flash bytes of allocator code and RAM bytes of allocator state, from the image. */
  footprint: Footprint;
  /** A command that runs the same thing again. */
  replay: string;
}

export function runScenario(name: string, allocator: string, mcu: string, p: ScenarioParams, load: LoadOptions = {}): ScenarioResult {
  const scenario = getScenario(name);
  const image = AllocatorImage.load(allocator, mcu, load);
  const region = image.layout.heapRegion.end - image.layout.heapRegion.start;
  const heap = p.heap ?? Math.min(DEFAULT_HEAP, region);
  if (heap > region) throw new Error(`a ${heap}-byte heap does not fit ${allocator}-${mcu}'s heap region of ${region} bytes`);
  // A fixed-size allocator learns its slot size from a variable the host sets before sl_init.
  if (image.machine.symbol(SLAB_SLOT_SYMBOL) !== undefined) {
    image.write32(image.address(SLAB_SLOT_SYMBOL), scenario.slabSlotSize ?? 64);
  }
  const s = new Session(image);
  let violation: SessionViolation | null = null;
  let largestBlockAfter: number | null = null;
  try {
    s.init(heap);
    largestBlockAfter = scenario.run(s, { ...p, heap }) ?? null;
  } catch (e) {
    if (!(e instanceof ViolationError)) throw e;
    violation = e.violation;
  }
  return {
    schema: 'sramlab.run/1', scenario: name, allocator, mcu, seed: p.seed, heap,
    ok: violation === null, violation, operations: s.operations, stats: s.stats(), peakStackBytes: s.peakStackBytes, largestBlockAfter,
    utilisationAtFirstFailure: s.utilisationAtFirstFailure, footprint: footprint(image.machine.image!),
    replay: `sramlab run ${name} --alloc ${allocator} --mcu ${mcu} --seed ${p.seed} --ops ${p.ops} --heap ${heap}`,
  };
}
