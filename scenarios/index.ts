// The scenarios users run, by name, and the function that runs one with every check on.

import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { checkNoLeak, type LeakBaseline, largestAtStart, leakBaseline } from '../checks/leak.ts';
import { type OpKind, type OpStats, type Rule, Session, type SessionViolation, ViolationError } from '../checks/session.ts';
import type { FaultKind } from '../emulator/fault.ts';
import { type PreemptPoint, pointText } from '../explore/report.ts';
import { REPO_ROOT } from '../firmware/allocators.ts';
import { type Footprint, footprint } from '../firmware/footprint.ts';
import { AllocatorImage, allocatorName, ImageError, isElfPath, type LoadOptions, shellWord } from '../runners/image.ts';
import * as alignmentScenario from './alignment.ts';
import * as chunkBenchScenario from './chunk-bench.ts';
import * as contractEdgesScenario from './contract-edges.ts';
import * as fillAndDrainScenario from './fill-and-drain.ts';
import * as fragmentationScenario from './fragmentation.ts';
import * as heapExhaustionScenario from './heap-exhaustion.ts';
import * as isrReentrancyScenario from './isr-reentrancy.ts';
import * as noCasScenario from './no-cas.ts';
import * as randomActionsScenario from './random-actions.ts';
import * as smokeScenario from './smoke.ts';
import * as stackCollisionScenario from './stack-collision.ts';
import * as vecGrowthScenario from './vec-growth.ts';
import * as zeroSizeScenario from './zero-size.ts';

export interface ScenarioParams {
  seed: number;
  ops: number;
  /** Heap bytes given to sl_init (default: a size that suits the profile). */
  heap?: number;
  /** isr-reentrancy: run just this preemption point (a replay) instead of exploring them all. */
  preemptAt?: PreemptPoint;
}

export interface Scenario {
  name: string;
  description: string;
  /** Slot size for slab (a fixed-size allocator), set before sl_init; default 64. */
  slabSlotSize?: number;
  /**
   * Runs the workload; may return the largest allocatable block it measured at its end. The
   * leak rule runs after it (base: SRAM right after sl_init, for a scenario that also applies
   * the rule on its own along the way).
   */
  run(s: Session, p: ScenarioParams, base: LeakBaseline): number | undefined;
  /**
   * Where the leak rule does not run on this scenario, and why (`sramlab list` shows it);
   * absent: it runs at the end of every run. runScenario skips it exactly on the runs that exist
   * to see another rule fire (an expectation): such a run, when ok, stops mid-call at that rule,
   * with blocks that can no longer be freed.
   */
  leak?: LeakExemption;
  /**
   * The rule this scenario exists to see fire (stack-collision: 'stack'). Such a run is ok when
   * a violation of exactly that rule (and fault kind) stopped it, "caught"; it fails when another
   * rule broke first or nothing did.
   */
  expect?: Rule | Expectation;
  /**
   * An image the scenario runs instead of a built-in allocator's committed one on some
   * profiles, and what must catch it there (no-cas: the CAS build on ARMv6-M); undefined runs
   * the committed image. Not consulted for an ELF the caller gives.
   */
  variant?(allocator: string, mcu: string): { elf: string; expect: Rule | Expectation } | undefined;
}

/** 'never': no run of the scenario gets the leak rule; 'partly': some do, and the reason says which do not. */
export interface LeakExemption {
  applies: 'never' | 'partly';
  reason: string;
}

/** What must catch a scenario: a rule, and for the faults rule optionally the fault's kind. */
export interface Expectation {
  rule: Rule;
  fault?: FaultKind;
}

/** The violation an expecting scenario was run to see, with the fault's kind for the faults rule. */
export type CaughtViolation = SessionViolation & { fault?: FaultKind };

// `void f(s)`: that scenario measures no largest block, so its run returns undefined.
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'smoke',
    description: smokeScenario.description,
    slabSlotSize: smokeScenario.slabSlotSize,
    run: (s) => void smokeScenario.smoke(s),
  },
  {
    name: 'random-actions',
    description: randomActionsScenario.description,
    slabSlotSize: 256,
    run: (s, p) => randomActionsScenario.randomActions(s, p.seed, p.ops),
  },
  {
    name: 'heap-exhaustion',
    description: heapExhaustionScenario.description,
    slabSlotSize: 2048,
    run: (s, p) => void heapExhaustionScenario.heapExhaustion(s, p.seed, p.ops),
  },
  {
    name: 'chunk-bench',
    description: chunkBenchScenario.description,
    slabSlotSize: 1024,
    run: (s, p) => void chunkBenchScenario.chunkBench(s, p.seed, p.ops),
  },
  { name: 'vec-growth', description: vecGrowthScenario.description, run: (s) => void vecGrowthScenario.vecGrowth(s) },
  { name: 'fragmentation', description: fragmentationScenario.description, run: (s) => fragmentationScenario.fragmentation(s) },
  { name: 'alignment', description: alignmentScenario.description, run: (s) => void alignmentScenario.alignment(s) },
  {
    name: 'zero-size',
    description: zeroSizeScenario.description,
    slabSlotSize: zeroSizeScenario.slabSlotSize,
    run: (s) => void zeroSizeScenario.zeroSize(s),
  },
  {
    name: 'contract-edges',
    description: contractEdgesScenario.description,
    slabSlotSize: 256,
    run: (s) => void contractEdgesScenario.contractEdges(s),
  },
  {
    name: 'isr-reentrancy',
    description: isrReentrancyScenario.description,
    run: (s, p, base) => void isrReentrancyScenario.isrReentrancy(s, base, p.preemptAt),
  },
  {
    name: 'fill-and-drain',
    description: fillAndDrainScenario.description,
    slabSlotSize: 256,
    run: (s, _p, base) => void fillAndDrainScenario.fillAndDrain(s, base),
  },
  {
    name: 'stack-collision',
    description: stackCollisionScenario.description,
    expect: 'stack',
    leak: stackCollisionScenario.leak,
    run: (s) => void stackCollisionScenario.stackCollision(s),
  },
  {
    name: 'no-cas',
    description: noCasScenario.description,
    slabSlotSize: noCasScenario.slabSlotSize,
    variant: noCasScenario.casVariant,
    leak: noCasScenario.leak,
    run: (s) => void noCasScenario.noCas(s),
  },
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
  /** Per kind: summaries, and the slowest and the deepest-stack operation (OpStats). */
  stats: Record<OpKind, OpStats>;
  peakStackBytes: number;
  /** Largest allocatable block the scenario measured at the end of its workload (fragmentation), if it did. */
  largestBlockAfter: number | null;
  /** Bytes in live blocks over the heap size when an allocation first returned NULL (null: none did). */
  utilisationAtFirstFailure: number | null;
  /**
   * Flash bytes of allocator code and RAM bytes of allocator state, from the image; and what
   * the allocator keeps inside the heap, measured (see HeapFootprint).
   */
  footprint: Footprint & HeapFootprint;
  /** A command that runs the same thing again. */
  replay: string;
  /** The ELF that ran, when it was not a built-in allocator's committed image (a scenario's variant, or the caller's). */
  elf?: string;
  /** For a scenario that exists to see a rule fire: that rule (and fault kind). ok means it fired. */
  expected?: Rule;
  expectedFault?: FaultKind;
  /** That expected violation, when it happened (violation is then null). */
  caught?: CaughtViolation;
  /** isr-reentrancy: the preemption points explored, and the command that runs the first failing one alone. */
  preemption?: PreemptionSummary;
}

/** What an isr-reentrancy run explored (explore/preempt.ts; docs/explore.md). */
export interface PreemptionSummary {
  points: number;
  distinct: number;
  deferred: number;
  /** "safe at all 1,234 preemption points explored (567 distinct states)", or where it first failed. */
  verdict: string;
  /** The first failing point ("7:41"), and the command that runs it alone. */
  firstFailing: string | null;
  replay: string | null;
  /** The point this run replayed alone (--preempt-at). */
  at?: string;
}

/**
 * Allocator state kept inside the heap, which the image's sections do not show (a control block
 * at the start of the heap array costs no .bss). Measured right after sl_init, on the copy of
 * SRAM the leak rule keeps; null when the run broke another rule before the leak rule had
 * measured it: the allocator is not probed after that.
 */
export interface HeapFootprint {
  /** The largest block (4-byte aligned) sl_alloc serves right after sl_init. */
  largestBlockAfterInit: number | null;
  /** heap − largestBlockAfterInit: bytes gone before the first allocation (control blocks, a header, alignment). */
  heapBytesGoneAtInit: number | null;
}

/** runScenario's load options: elf runs that ELF file (a test's, a user's) in place of the allocator's image. */
export interface RunLoadOptions extends LoadOptions {
  elf?: string;
  /** Called with the session before sl_init, so a view or a trace can watch it. */
  observe?: (s: Session) => void;
}

export function runScenario(name: string, allocator: string, mcu: string, p: ScenarioParams, load: RunLoadOptions = {}): ScenarioResult {
  const { elf: given, observe, ...opts } = load;
  if (given !== undefined) {
    if (!existsSync(given)) throw new ImageError(`no such ELF: ${given}`);
    return runScenarioOnImage(
      name,
      {
        allocator,
        mcu,
        elf: given,
        makeImage: () => AllocatorImage.fromElf(readFileSync(given), mcu, opts, `${allocator}-${mcu}`),
        replay: (q) => `sramlab check ${given} --mcu ${mcu} --scenario ${name} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}`,
      },
      p,
      observe,
    );
  }
  if (isElfPath(allocator)) {
    // A user's image given where an allocator name goes: named by its file, replayed by its path.
    if (getScenario(name).variant)
      throw new ImageError(`scenario '${name}' runs the project's own builds of its allocators, not a given image such as ${allocator}`);
    return runScenarioOnImage(
      name,
      {
        allocator: allocatorName(allocator),
        mcu,
        elf: allocator,
        makeImage: () => AllocatorImage.load(allocator, mcu, opts),
        replay: (q) =>
          `sramlab run ${name} --alloc ${shellWord(allocator)} --mcu ${mcu} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}${opts.force ? ' --force' : ''}`,
      },
      p,
      observe,
    );
  }
  const variant = getScenario(name).variant?.(allocator, mcu);
  return runScenarioOnImage(
    name,
    {
      allocator,
      mcu,
      makeImage: () =>
        variant
          ? AllocatorImage.fromElf(readFileSync(variant.elf), mcu, opts, `${allocator}-${mcu} (${name} variant)`)
          : AllocatorImage.load(allocator, mcu, opts),
      replay: (q) => `sramlab run ${name} --alloc ${allocator} --mcu ${mcu} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}`,
      ...(variant ? { elf: relative(REPO_ROOT, variant.elf), expect: variant.expect } : {}),
    },
    p,
    observe,
  );
}

/** Any image a scenario can run on: a built-in allocator's, or a user's own ELF (sramlab check). */
export interface ImageTarget {
  /** What the result calls the allocator: its name, or the ELF's path. */
  allocator: string;
  mcu: string;
  /** A freshly brought-up image; called once per run. */
  makeImage: () => AllocatorImage;
  /** The command that runs the same thing again. */
  replay: (p: ScenarioParams & { heap: number }) => string;
  /** The ELF file behind makeImage, when it is not a built-in allocator's committed image (reported as is). */
  elf?: string;
  /** What must catch this run, in place of the scenario's own expectation (a variant image's). */
  expect?: Rule | Expectation;
}

export function runScenarioOnImage(name: string, target: ImageTarget, p: ScenarioParams, observe?: (s: Session) => void): ScenarioResult {
  const { allocator, mcu } = target;
  const scenario = getScenario(name);
  const expectation = expectationOf(target.expect ?? scenario.expect);
  const image = target.makeImage();
  const region = image.layout.heapRegion.end - image.layout.heapRegion.start;
  const heap = p.heap ?? Math.min(DEFAULT_HEAP, region);
  if (heap > region) throw new ImageError(`a ${heap}-byte heap does not fit ${image.label}'s heap region of ${region} bytes`);
  // A fixed-size allocator learns its slot size from a variable the host sets before sl_init.
  if (image.machine.symbol(SLAB_SLOT_SYMBOL) !== undefined) {
    image.write32(image.address(SLAB_SLOT_SYMBOL), scenario.slabSlotSize ?? 64);
  }
  const s = new Session(image);
  observe?.(s);
  let violation: SessionViolation | null = null;
  let largestBlockAfter: number | null = null;
  let base: LeakBaseline | undefined;
  try {
    s.init(heap);
    base = leakBaseline(s);
    largestBlockAfter = scenario.run(s, { ...p, heap }, base) ?? null;
    // A run that exists to see another rule fire has, when ok, stopped before this (Scenario.leak).
    if (!expectation) checkNoLeak(s, base);
  } catch (e) {
    if (!(e instanceof ViolationError)) throw e;
    violation = e.violation;
  }
  const verdict = expectation && judge(expectation, violation, image, s);
  // Usually the leak rule measured it already; after another broken rule the allocator is not probed.
  const largestAfterInit = base?.largest ?? (violation === null && base ? measureQuietly(() => largestAtStart(s, base!)) : null);
  const replay = target.replay({ ...p, heap }) + (p.preemptAt ? ` --preempt-at ${pointText(p.preemptAt)}` : '');
  const coverage = isrReentrancyScenario.preemptionCoverage(s);
  return {
    schema: 'sramlab.run/1',
    scenario: name,
    allocator,
    mcu,
    seed: p.seed,
    heap,
    ok: verdict ? verdict.ok : violation === null,
    violation: verdict ? verdict.violation : violation,
    operations: s.operations,
    stats: s.stats(),
    peakStackBytes: s.peakStackBytes,
    largestBlockAfter,
    utilisationAtFirstFailure: s.utilisationAtFirstFailure,
    footprint: {
      ...footprint(image.machine.image!),
      largestBlockAfterInit: largestAfterInit,
      heapBytesGoneAtInit: largestAfterInit === null ? null : heap - largestAfterInit,
    },
    replay,
    ...(target.elf !== undefined ? { elf: target.elf } : {}),
    ...(expectation ? { expected: expectation.rule } : {}),
    ...(expectation?.fault ? { expectedFault: expectation.fault } : {}),
    ...(verdict?.caught ? { caught: verdict.caught } : {}),
    ...(coverage ? { preemption: preemptionSummary(coverage, name, target, { ...p, heap }) } : {}),
  };
}

/** The coverage as a result reports it; the first failing point's replay is always `sramlab run`, which takes --preempt-at. */
function preemptionSummary(
  c: isrReentrancyScenario.PreemptionCoverage,
  name: string,
  target: ImageTarget,
  p: ScenarioParams & { heap: number },
): PreemptionSummary {
  const first = c.first ? pointText(c.first) : null;
  const base = target.replay(p);
  const run = base.startsWith('sramlab run ')
    ? base
    : `sramlab run ${name} --alloc ${shellWord(target.elf ?? target.allocator)} --mcu ${target.mcu} --seed ${p.seed} --ops ${p.ops} --heap ${p.heap}`;
  return {
    points: c.points,
    distinct: c.distinct,
    deferred: c.deferred,
    verdict: c.verdict,
    firstFailing: first,
    replay: first ? `${run} --preempt-at ${first}` : null,
    ...(c.at ? { at: pointText(c.at) } : {}),
  };
}

/** A measurement the run does not depend on: a rule it breaks means no figure, not a failed run. */
function measureQuietly(f: () => number): number | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof ViolationError) return null;
    throw e;
  }
}

function expectationOf(e: Rule | Expectation | undefined): Expectation | undefined {
  return typeof e === 'string' ? { rule: e } : e;
}

/**
 * An expecting scenario's verdict: caught (ok; the violation moves to `caught`), caught by the
 * wrong rule or fault (that violation stands, its message saying what was expected), or not
 * caught at all (a violation of the expected rule whose message says nothing noticed).
 */
function judge(
  x: Expectation,
  v: SessionViolation | null,
  image: AllocatorImage,
  s: Session,
): { ok: boolean; violation: SessionViolation | null; caught?: CaughtViolation } {
  const what = `the ${x.rule} rule${x.fault ? ` with a '${x.fault}' fault` : ''}`;
  if (!v) {
    return {
      ok: false,
      violation: {
        rule: x.rule,
        operation: s.operations,
        message: `expected ${what} to catch this run, and nothing did (${s.operations} operations, peak allocator stack ${s.peakStackBytes} bytes)`,
      },
    };
  }
  // A session stops at its first fault, so the core's last fault is the one behind v.
  const fault = v.rule === 'faults' ? image.machine.cpu.faults.at(-1)?.kind : undefined;
  if (v.rule === x.rule && (!x.fault || fault === x.fault)) {
    return { ok: true, violation: null, caught: { ...v, ...(fault ? { fault } : {}) } };
  }
  const got = `the ${v.rule} rule${fault ? ` with a '${fault}' fault` : ''}`;
  return { ok: false, violation: { ...v, message: `expected ${what} to catch this run, but ${got} did first: ${v.message}` } };
}
