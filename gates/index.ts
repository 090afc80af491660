// The CI gates of `sramlab check`: budgets (the worst single operation's cycles, the peak
// allocator stack) and a baseline (a previous `check --json`) that the p99 and max cycles per
// operation kind, the peak stack and the footprint must not exceed by more than a tolerance.
// Plain functions over sramlab.run/1 results: what failed, with the figures and the operation,
// and notes for what could not be compared (a scenario new since the baseline is not a failure).

import type { OpKind, OpRecord } from '../checks/session.ts';
import type { ScenarioResult } from '../scenarios/index.ts';

export type GateRule = 'budget' | 'regression';

export interface GateFinding {
  rule: GateRule;
  /** The scenario whose figure broke the gate; null for the image's own (flash and RAM bytes). */
  scenario: string | null;
  /** What was measured, e.g. 'alloc max cycles', 'peak stack bytes', 'flash bytes'. */
  measure: string;
  value: number;
  /** The budget, or the baseline's figure plus the tolerance: the most that passes. */
  limit: number;
  /** regression only: the baseline's figure. */
  baseline?: number;
  /** The operation behind the figure, where one is (the slowest, the deepest). */
  operation?: OpRecord;
  message: string;
  /** The command that runs the scenario again. */
  replay?: string;
}

/** Something the gates did not compare, and why. */
export interface GateNote {
  scenario: string | null;
  message: string;
}

export interface Budgets {
  maxOpCycles?: number;
  maxStackBytes?: number;
}

const KINDS: readonly OpKind[] = ['alloc', 'dealloc', 'realloc'];

/** An operation as a report names it: its number and the call with its arguments. */
export function describeOp(op: OpRecord): string {
  const call =
    op.kind === 'realloc'
      ? `realloc(size ${op.size} → ${op.newSize}, align ${op.align})`
      : `${op.kind}(size ${op.size}, align ${op.align})`;
  return `operation ${op.operation}, ${call}`;
}

/** --max-op-cycles and --max-stack over each scenario's slowest and deepest operations. */
export function budgetFindings(results: readonly ScenarioResult[], b: Budgets): GateFinding[] {
  const out: GateFinding[] = [];
  for (const r of results) {
    if (b.maxOpCycles !== undefined) {
      for (const k of KINDS) {
        const op = r.stats[k].slowest;
        if (!op || op.cycles <= b.maxOpCycles) continue;
        out.push({
          rule: 'budget',
          scenario: r.scenario,
          measure: `${k} cycles`,
          value: op.cycles,
          limit: b.maxOpCycles,
          operation: op,
          replay: r.replay,
          message:
            `${r.scenario}: ${describeOp(op)} took ${op.cycles} cycles, above --max-op-cycles ${b.maxOpCycles}` +
            `${r.stats[k].cycles.count > 1 ? ` (the slowest of ${r.stats[k].cycles.count} ${k} calls)` : ''}`,
        });
      }
    }
    if (b.maxStackBytes !== undefined && r.peakStackBytes > b.maxStackBytes) {
      const op = deepest(r);
      out.push({
        rule: 'budget',
        scenario: r.scenario,
        measure: 'peak stack bytes',
        value: r.peakStackBytes,
        limit: b.maxStackBytes,
        replay: r.replay,
        ...(op ? { operation: op } : {}),
        message: `${r.scenario}: peak allocator stack ${r.peakStackBytes} bytes${op ? ` at ${describeOp(op)}` : ''}, above --max-stack ${b.maxStackBytes}`,
      });
    }
  }
  return out;
}

/** The operation that used the most stack in a run (the first, across kinds in operation order). */
function deepest(r: ScenarioResult): OpRecord | undefined {
  let best: OpRecord | undefined;
  for (const k of KINDS) {
    const op = r.stats[k].deepest;
    if (op && (!best || op.stackBytes > best.stackBytes || (op.stackBytes === best.stackBytes && op.operation < best.operation))) best = op;
  }
  return best;
}

/** The figures a baseline is compared on; the image's (flash, RAM) separately from the scenarios'. */
export interface ImageFigures {
  flashBytes: number;
  ramBytes: number;
}

/** Whether value exceeds base by more than tolerance (a fraction: 0.05 is 5 %); growth from 0 always does. */
export const regressed = (value: number, base: number, tolerance: number): boolean =>
  base === 0 ? value > 0 : value > base * (1 + tolerance);

const percent = (value: number, base: number) =>
  base === 0 ? 'from 0' : `${value >= base ? '+' : ''}${((100 * (value - base)) / base).toFixed(1)} %`;

/**
 * The baseline gate. Scenarios are matched by name; one only on either side is a note, and so
 * is one that broke a rule in either run (its figures stop where it broke) or that ran on a
 * different heap. Per scenario: p99 and max cycles of each kind both runs made, the peak
 * stack, and the heap bytes gone at sl_init; for the image: flash and RAM bytes.
 */
export function regressionFindings(
  current: readonly ScenarioResult[],
  baseline: readonly ScenarioResult[],
  tolerance: number,
  image?: { current: ImageFigures; baseline: ImageFigures },
): { findings: GateFinding[]; notes: GateNote[] } {
  const findings: GateFinding[] = [],
    notes: GateNote[] = [];
  const tol = `tolerance ${+(100 * tolerance).toFixed(3)} %`;
  const limitOf = (base: number) => base * (1 + tolerance);
  const check = (scenario: string | null, measure: string, value: number, base: number, extra: Partial<GateFinding> = {}) => {
    if (!regressed(value, base, tolerance)) return;
    findings.push({
      rule: 'regression',
      scenario,
      measure,
      value,
      baseline: base,
      limit: limitOf(base),
      ...extra,
      message:
        `${scenario ?? 'image'}: ${measure} ${value}, baseline ${base} (${percent(value, base)}, ${tol})` +
        `${extra.operation ? `; the slowest: ${describeOp(extra.operation)}` : ''}`,
    });
  };
  if (image) {
    check(null, 'flash bytes', image.current.flashBytes, image.baseline.flashBytes);
    check(null, 'RAM bytes', image.current.ramBytes, image.baseline.ramBytes);
  }
  const before = new Map(baseline.map((r) => [r.scenario, r]));
  const now = new Set(current.map((r) => r.scenario));
  for (const r of current) {
    const b = before.get(r.scenario);
    if (!b) {
      notes.push({ scenario: r.scenario, message: `${r.scenario}: not in the baseline (new), not compared` });
      continue;
    }
    const broke = (x: ScenarioResult, who: string) => (x.ok ? null : `${who} run broke the ${x.violation?.rule ?? 'unknown'} rule`);
    const why =
      broke(b, "the baseline's") ??
      broke(r, 'this') ??
      (b.heap !== r.heap ? `the baseline ran on a ${b.heap}-byte heap, this run on ${r.heap}` : null);
    if (why) {
      notes.push({ scenario: r.scenario, message: `${r.scenario}: not compared: ${why}` });
      continue;
    }
    for (const k of KINDS) {
      const c = r.stats[k].cycles,
        bc = b.stats[k].cycles;
      if (c.count === 0 || bc.count === 0) continue;
      check(r.scenario, `${k} p99 cycles`, c.p99, bc.p99, { replay: r.replay });
      check(r.scenario, `${k} max cycles`, c.max, bc.max, {
        replay: r.replay,
        ...(r.stats[k].slowest ? { operation: r.stats[k].slowest! } : {}),
      });
    }
    check(r.scenario, 'peak stack bytes', r.peakStackBytes, b.peakStackBytes, { replay: r.replay });
    const gone = r.footprint.heapBytesGoneAtInit,
      bGone = b.footprint.heapBytesGoneAtInit;
    if (gone !== null && bGone !== null) check(r.scenario, 'heap bytes gone at sl_init', gone, bGone, { replay: r.replay });
  }
  for (const b of baseline) {
    if (!now.has(b.scenario)) notes.push({ scenario: b.scenario, message: `${b.scenario}: in the baseline but not run now, not compared` });
  }
  return { findings, notes };
}

/** A bad baseline file or tolerance: one line of bad input (the CLI turns it into exit 2). */
export class GateInputError extends Error {}

/** What a baseline document gives the gates: a previous `sramlab check --json`. */
export interface Baseline {
  mcu: string;
  seed: number;
  ops: number;
  image: ImageFigures;
  results: ScenarioResult[];
}

/** Reads a sramlab.check/1 document, refusing anything else in one line naming the file. */
export function parseBaseline(text: string, path: string): Baseline {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new GateInputError(`--baseline ${path}: not JSON (give the output of a previous \`sramlab check --json\`)`);
  }
  const d = doc as Record<string, unknown> | null;
  const schema = d && typeof d === 'object' ? d.schema : undefined;
  if (schema !== 'sramlab.check/1') {
    throw new GateInputError(
      `--baseline ${path}: ${typeof schema === 'string' ? `a ${schema} document` : 'no sramlab schema'}, not the sramlab.check/1 of a previous \`sramlab check --json\``,
    );
  }
  const c = d as unknown as {
    profile?: { name?: unknown };
    seed?: unknown;
    ops?: unknown;
    image?: { footprint?: Partial<ImageFigures> };
    scenarios?: { result?: ScenarioResult }[];
  };
  const fp = c.image?.footprint;
  const results = Array.isArray(c.scenarios) ? c.scenarios.map((s) => s?.result) : undefined;
  if (
    typeof c.profile?.name !== 'string' ||
    typeof c.seed !== 'number' ||
    typeof c.ops !== 'number' ||
    typeof fp?.flashBytes !== 'number' ||
    typeof fp?.ramBytes !== 'number' ||
    !results ||
    !results.every((r) => r && typeof r.scenario === 'string' && r.stats && typeof r.peakStackBytes === 'number')
  ) {
    throw new GateInputError(
      `--baseline ${path}: a sramlab.check/1 document with fields missing (profile, seed, ops, image.footprint or scenarios)`,
    );
  }
  return {
    mcu: c.profile.name,
    seed: c.seed,
    ops: c.ops,
    image: { flashBytes: fp.flashBytes, ramBytes: fp.ramBytes },
    results: results as ScenarioResult[],
  };
}

/** A baseline made with other inputs measures something else: refused rather than compared. */
export function checkComparable(b: Baseline, run: { mcu: string; seed: number; ops: number }, path: string): void {
  const mine = `--mcu ${run.mcu} --seed ${run.seed} --ops ${run.ops}`,
    theirs = `--mcu ${b.mcu} --seed ${b.seed} --ops ${b.ops}`;
  if (mine !== theirs)
    throw new GateInputError(`--baseline ${path}: made with ${theirs}, this run is ${mine}: the figures are not comparable`);
}

/** --tolerance: a percentage, '5' or '5%' (0 to 1000); returned as a fraction. */
export function parseTolerance(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value.trim());
  if (!m || Number(m[1]) > 1000) throw new GateInputError(`--tolerance '${value}': a percentage from 0 to 1000, e.g. 5 or 2.5%`);
  return Number(m[1]) / 100;
}

/** The default tolerance of the baseline gate: 5 %. */
export const DEFAULT_TOLERANCE = 0.05;

/**
 * The gates as JUnit test cases, like the scenarios' own: one per gate and scenario (and one
 * for the image's footprint with a baseline), failing with every finding of it.
 */
export function gateCases(
  scenarios: readonly string[],
  findings: readonly GateFinding[],
  on: { budget: boolean; regression: boolean },
): { rule: GateRule; name: string; findings: GateFinding[] }[] {
  const cases: { rule: GateRule; name: string; findings: GateFinding[] }[] = [];
  for (const rule of ['budget', 'regression'] as const) {
    if (!on[rule]) continue;
    const names: (string | null)[] = rule === 'regression' ? [null, ...scenarios] : [...scenarios];
    for (const n of names)
      cases.push({ rule, name: n ?? 'image footprint', findings: findings.filter((f) => f.rule === rule && f.scenario === n) });
  }
  return cases;
}
