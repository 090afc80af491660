// The scenarios users run, by name, and the function that runs one with every check on.

import { AllocatorImage, type LoadOptions } from './image.ts';
import type { Summary } from './metrics.ts';
import { Session, ViolationError, type OpKind, type SessionViolation } from './session.ts';
import * as smokeScenario from './smoke.ts';

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
  run(s: Session, p: ScenarioParams): void;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'smoke', description: smokeScenario.description, slabSlotSize: smokeScenario.slabSlotSize, run: (s) => smokeScenario.smoke(s) },
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
  try {
    s.init(heap);
    scenario.run(s, { ...p, heap });
  } catch (e) {
    if (!(e instanceof ViolationError)) throw e;
    violation = e.violation;
  }
  return {
    schema: 'sramlab.run/1', scenario: name, allocator, mcu, seed: p.seed, heap,
    ok: violation === null, violation, operations: s.operations, stats: s.stats(), peakStackBytes: s.peakStackBytes,
    replay: `sramlab run ${name} --alloc ${allocator} --mcu ${mcu} --seed ${p.seed} --ops ${p.ops} --heap ${heap}`,
  };
}
