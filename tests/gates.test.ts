// The CI gates (gates/): the pure functions on hand-made sramlab.run/1 results whose verdicts
// are worked out by hand here, then `sramlab check` with each flag on the C example's image
// (examples/c-allocator/bump-cortex-m0.elf), once passing and once failing, in-process
// through main() (tests/check.test.ts spawns the binary).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpKind, OpRecord } from '../checks/session.ts';
import { main } from '../cli.ts';
import {
  budgetFindings,
  checkComparable,
  GateInputError,
  gateCases,
  parseBaseline,
  parseTolerance,
  regressed,
  regressionFindings,
} from '../gates/index.ts';
import type { ScenarioResult } from '../scenarios/index.ts';

type Figures = { count: number; p99: number; max: number };
const summary = (f: Figures) => ({ count: f.count, min: 0, median: 0, p99: f.p99, max: f.max, mean: 0 });
const NONE: Figures = { count: 0, p99: 0, max: 0 };

/** A run result with just the figures the gates read; the rest as a real one has it. */
function result(
  scenario: string,
  o: {
    ok?: boolean;
    heap?: number;
    peak?: number;
    gone?: number | null;
    alloc?: Figures;
    dealloc?: Figures;
    realloc?: Figures;
    slowest?: Partial<Record<OpKind, OpRecord>>;
    deepest?: Partial<Record<OpKind, OpRecord>>;
  } = {},
): ScenarioResult {
  const kind = (k: OpKind) => ({
    cycles: summary(o[k] ?? NONE),
    instructions: summary(NONE),
    slowest: o.slowest?.[k] ?? null,
    deepest: o.deepest?.[k] ?? null,
  });
  return {
    schema: 'sramlab.run/1',
    scenario,
    allocator: 'fw',
    mcu: 'cortex-m0',
    seed: 1,
    heap: o.heap ?? 16384,
    ok: o.ok ?? true,
    violation: o.ok === false ? { rule: 'leak', message: 'm', operation: 3 } : null,
    operations: 10,
    stats: { alloc: kind('alloc'), dealloc: kind('dealloc'), realloc: kind('realloc') },
    peakStackBytes: o.peak ?? 40,
    largestBlockAfter: null,
    utilisationAtFirstFailure: null,
    footprint: {
      textBytes: 0,
      dataBytes: 0,
      bssBytes: 4,
      flashBytes: 500,
      ramBytes: 4,
      largestBlockAfterInit: null,
      heapBytesGoneAtInit: o.gone ?? null,
    },
    replay: `sramlab check fw.elf --mcu cortex-m0 --scenario ${scenario} --seed 1 --ops 1000 --heap 16384`,
  };
}

const op = (operation: number, kind: OpKind, cycles: number, stackBytes: number, size = 24, align = 8, newSize?: number): OpRecord => ({
  operation,
  kind,
  size,
  align,
  ...(newSize !== undefined ? { newSize } : {}),
  cycles,
  stackBytes,
});

describe('budget gate', () => {
  const slow = op(37, 'alloc', 1200, 32);
  const r = result('smoke', {
    alloc: { count: 20, p99: 900, max: 1200 },
    slowest: { alloc: slow, realloc: op(5, 'realloc', 1000, 48, 8, 4, 200) },
    peak: 48,
    deepest: { alloc: slow, realloc: op(5, 'realloc', 1000, 48, 8, 4, 200) },
  });

  it('fails an operation above --max-op-cycles, naming it, its cycles and its replay; one exactly at N passes', () => {
    const [f, ...rest] = budgetFindings([r], { maxOpCycles: 1000 });
    expect(rest).toEqual([]); // the realloc took exactly 1000: not above
    expect(f).toMatchObject({
      rule: 'budget',
      scenario: 'smoke',
      measure: 'alloc cycles',
      value: 1200,
      limit: 1000,
      operation: slow,
      replay: r.replay,
    });
    expect(f.message).toBe(
      'smoke: operation 37, alloc(size 24, align 8) took 1200 cycles, above --max-op-cycles 1000 (the slowest of 20 alloc calls)',
    );
    expect(budgetFindings([r], { maxOpCycles: 1200 })).toEqual([]);
  });

  it('fails a peak stack above --max-stack, naming the operation that reached it; at the limit it passes', () => {
    const [f] = budgetFindings([r], { maxStackBytes: 40 });
    expect(f.message).toBe('smoke: peak allocator stack 48 bytes at operation 5, realloc(size 8 → 200, align 4), above --max-stack 40');
    expect(f.operation?.operation).toBe(5);
    expect(budgetFindings([r], { maxStackBytes: 48 })).toEqual([]);
  });

  it('checks nothing without a budget', () => {
    expect(budgetFindings([r], {})).toEqual([]);
  });
});

describe('regression gate', () => {
  const base = result('smoke', { alloc: { count: 20, p99: 100, max: 200 }, peak: 40, gone: 16 });

  it('passes growth up to the tolerance and fails beyond it (5 %: 105 of 100 passes, 106 fails)', () => {
    expect(regressed(105, 100, 0.05)).toBe(false);
    expect(regressed(106, 100, 0.05)).toBe(true);
    expect(regressed(1, 0, 0.05)).toBe(true); // growth from nothing is beyond any tolerance
    expect(regressed(0, 0, 0)).toBe(false);
    const same = regressionFindings([result('smoke', { alloc: { count: 20, p99: 105, max: 210 }, peak: 42, gone: 16 })], [base], 0.05);
    expect(same).toEqual({ findings: [], notes: [] });
  });

  it('names each figure that grew too much, with both values and the change', () => {
    const slow = op(9, 'alloc', 260, 40);
    const now = result('smoke', { alloc: { count: 20, p99: 106, max: 260 }, slowest: { alloc: slow }, peak: 48, gone: 20 });
    const { findings, notes } = regressionFindings([now], [base], 0.05);
    expect(notes).toEqual([]);
    expect(findings.map((f) => f.message)).toEqual([
      'smoke: alloc p99 cycles 106, baseline 100 (+6.0 %, tolerance 5 %)',
      'smoke: alloc max cycles 260, baseline 200 (+30.0 %, tolerance 5 %); the slowest: operation 9, alloc(size 24, align 8)',
      'smoke: peak stack bytes 48, baseline 40 (+20.0 %, tolerance 5 %)',
      'smoke: heap bytes gone at sl_init 20, baseline 16 (+25.0 %, tolerance 5 %)',
    ]);
    expect(findings.every((f) => f.rule === 'regression' && f.replay === now.replay)).toBe(true);
    expect(findings[0]).toMatchObject({ value: 106, baseline: 100, limit: 105 });
  });

  it("compares the image's flash and RAM bytes once, as the image's", () => {
    const { findings } = regressionFindings([], [], 0.05, {
      current: { flashBytes: 1100, ramBytes: 4 },
      baseline: { flashBytes: 1000, ramBytes: 4 },
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ scenario: null, measure: 'flash bytes', value: 1100, baseline: 1000 });
    expect(findings[0].message).toBe('image: flash bytes 1100, baseline 1000 (+10.0 %, tolerance 5 %)');
  });

  it('notes instead of failing: a scenario new since the baseline, one gone, a broken run, another heap; kinds one run did not make are skipped', () => {
    const { findings, notes } = regressionFindings(
      [
        result('smoke', { realloc: { count: 3, p99: 999, max: 999 } }),
        result('vec-growth'),
        result('alignment', { ok: false }),
        result('fragmentation', { heap: 8192 }),
      ],
      [base, result('alignment'), result('fragmentation'), result('chunk-bench')],
      0.05,
    );
    expect(findings).toEqual([]); // smoke's realloc has no baseline figure (count 0 there)
    expect(notes.map((n) => n.message)).toEqual([
      'vec-growth: not in the baseline (new), not compared',
      'alignment: not compared: this run broke the leak rule',
      'fragmentation: not compared: the baseline ran on a 16384-byte heap, this run on 8192',
      'chunk-bench: in the baseline but not run now, not compared',
    ]);
  });
});

describe('gate inputs', () => {
  it('--tolerance takes a percentage with or without %, 0 to 1000', () => {
    expect(parseTolerance('5')).toBe(0.05);
    expect(parseTolerance('2.5%')).toBe(0.025);
    expect(parseTolerance('0')).toBe(0);
    for (const bad of ['', 'x', '-1', '1001', '5 percent']) expect(() => parseTolerance(bad), bad).toThrow(GateInputError);
  });

  it('a baseline must be a sramlab.check/1 document with its figures, made with the same MCU, seed and ops', () => {
    expect(() => parseBaseline('{', 'p.json')).toThrow(
      '--baseline p.json: not JSON (give the output of a previous `sramlab check --json`)',
    );
    expect(() => parseBaseline('{"schema":"sramlab.compare/1"}', 'p.json')).toThrow(
      '--baseline p.json: a sramlab.compare/1 document, not the sramlab.check/1 of a previous `sramlab check --json`',
    );
    expect(() => parseBaseline('[]', 'p.json')).toThrow(/no sramlab schema/);
    expect(() => parseBaseline('{"schema":"sramlab.check/1","scenarios":[]}', 'p.json')).toThrow(/fields missing/);
    const doc = {
      schema: 'sramlab.check/1',
      profile: { name: 'cortex-m0' },
      seed: 1,
      ops: 1000,
      image: { footprint: { flashBytes: 500, ramBytes: 4 } },
      scenarios: [{ result: result('smoke') }],
    };
    const b = parseBaseline(JSON.stringify(doc), 'p.json');
    expect(b).toMatchObject({ mcu: 'cortex-m0', seed: 1, ops: 1000, image: { flashBytes: 500, ramBytes: 4 } });
    expect(b.results.map((r) => r.scenario)).toEqual(['smoke']);
    expect(() => checkComparable(b, { mcu: 'cortex-m0', seed: 1, ops: 1000 }, 'p.json')).not.toThrow();
    expect(() => checkComparable(b, { mcu: 'cortex-m0', seed: 2, ops: 1000 }, 'p.json')).toThrow(
      '--baseline p.json: made with --mcu cortex-m0 --seed 1 --ops 1000, this run is --mcu cortex-m0 --seed 2 --ops 1000: the figures are not comparable',
    );
  });

  it('JUnit cases: one per gate asked and scenario, the baseline also one for the image', () => {
    const f = budgetFindings([result('smoke', { peak: 99 })], { maxStackBytes: 50 });
    const cases = gateCases(['smoke', 'alignment'], f, { budget: true, regression: true });
    expect(cases.map((c) => `${c.rule}/${c.name}/${c.findings.length}`)).toEqual([
      'budget/smoke/1',
      'budget/alignment/0',
      'regression/image footprint/0',
      'regression/smoke/0',
      'regression/alignment/0',
    ]);
    expect(gateCases(['smoke'], [], { budget: false, regression: false })).toEqual([]);
  });
});

// ---- sramlab check with the gate flags ------------------------------------------------------

const ROOT = join(import.meta.dirname, '..');
const ELF = join(ROOT, 'examples', 'c-allocator', 'bump-cortex-m0.elf');
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-gates-'));

async function check(...args: string[]) {
  let stdout = '',
    stderr = '';
  const status = await main(['check', ELF, '--scenario', 'smoke,vec-growth', ...args], {
    out: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  return { status, stdout, stderr };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('sramlab check gates on a user ELF', () => {
  // The figures the gates are set around: a plain run's own JSON (the gate must compare to them exactly).
  let plain: { status: number; stdout: string },
    doc: { gates?: unknown; scenarios: { result: ScenarioResult }[] },
    smoke: ScenarioResult,
    slowest: OpRecord;
  const baseline = join(tmp, 'baseline.json');
  beforeAll(async () => {
    plain = await check('--json');
    doc = JSON.parse(plain.stdout);
    smoke = doc.scenarios[0].result;
    slowest = (['alloc', 'dealloc', 'realloc'] as const)
      .map((k) => smoke.stats[k].slowest!)
      .reduce((a, b) => (b.cycles > a.cycles ? b : a));
    writeFileSync(baseline, plain.stdout);
  });

  it('a plain run has no gates member and the figures the gates need', () => {
    expect(plain.status).toBe(0);
    expect(doc.gates).toBeUndefined();
    expect(slowest.cycles).toBe(Math.max(smoke.stats.alloc.cycles.max, smoke.stats.dealloc.cycles.max, smoke.stats.realloc.cycles.max));
  });

  it('--max-op-cycles: passes at the slowest operation, fails one cycle below it naming the operation and its replay (terminal, JSON, JUnit)', async () => {
    const pass = await check('--max-op-cycles', String(slowest.cycles), '--json');
    expect(pass.status).toBe(0);
    expect(JSON.parse(pass.stdout).gates).toMatchObject({ ok: true, findings: [], maxOpCycles: slowest.cycles });

    const junit = join(tmp, 'budget.xml');
    const fail = await check('--max-op-cycles', String(slowest.cycles - 1), '--junit', junit);
    expect(fail.status).toBe(1);
    const call =
      slowest.kind === 'realloc'
        ? `realloc(size ${slowest.size} → ${slowest.newSize}, align ${slowest.align})`
        : `${slowest.kind}(size ${slowest.size}, align ${slowest.align})`;
    expect(fail.stdout).toContain(
      `FAIL budget     smoke: operation ${slowest.operation}, ${call} took ${slowest.cycles} cycles, above --max-op-cycles ${slowest.cycles - 1}`,
    );
    expect(fail.stdout).toMatch(
      new RegExp(`replay: .*\\bcheck ${escapeRegExp(ELF)} --mcu cortex-m0 --scenario smoke --seed 1 --ops 1000 --heap 16384$`, 'm'),
    );
    expect(fail.stdout).toMatch(/^2 scenarios: 2 passed, 0 failed$/m); // the rules held; the gate failed
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="sramlab" tests="4" failures="1"/); // 2 scenarios + budget × 2
    expect(xml).toMatch(
      new RegExp(
        `<testcase classname="sramlab\\.cortex-m0\\.budget" name="smoke" time="0">\\s*<failure message="rule budget: smoke: operation ${slowest.operation}, [^"]*" type="budget">`,
      ),
    );
    expect(xml).toMatch(/<testcase classname="sramlab\.cortex-m0\.budget" name="vec-growth" time="0"\/>/);
  });

  it('--max-stack: passes at the peak, fails one byte below it', async () => {
    const peak = Math.max(...doc.scenarios.map((s) => s.result.peakStackBytes));
    expect((await check('--max-stack', String(peak))).status).toBe(0);
    const fail = await check('--max-stack', String(peak - 1), '--json');
    expect(fail.status).toBe(1);
    const g = JSON.parse(fail.stdout);
    expect(g.ok).toBe(false);
    expect(g.gates.findings.length).toBeGreaterThan(0);
    for (const f of g.gates.findings) {
      expect(f).toMatchObject({ rule: 'budget', measure: 'peak stack bytes', value: peak, limit: peak - 1 });
      expect(f.operation.stackBytes).toBe(peak);
    }
  });

  it('--baseline: its own output passes; a baseline with smaller figures fails with rule regression; new scenarios are noted', async () => {
    const same = await check('--baseline', baseline);
    expect(same.status).toBe(0);
    expect(same.stdout).toContain(`PASS gates: --baseline ${baseline} (tolerance 5 %)`);

    // Made smaller by hand: smoke's alloc max by a fifth (this run is then +25 %), flash by 100 bytes; vec-growth dropped.
    const older = JSON.parse(plain.stdout);
    older.scenarios[0].result.stats.alloc.cycles.max = Math.floor(smoke.stats.alloc.cycles.max * 0.8);
    older.image.footprint.flashBytes -= 100;
    older.scenarios.pop();
    const file = join(tmp, 'older.json');
    writeFileSync(file, JSON.stringify(older));
    const junit = join(tmp, 'regression.xml');
    const fail = await check('--baseline', file, '--tolerance', '10%', '--json', '--junit', junit);
    expect(fail.status).toBe(1);
    const g = JSON.parse(fail.stdout).gates;
    expect(g.tolerance).toBe(0.1);
    expect(g.findings.map((f: { scenario: string | null; measure: string }) => `${f.scenario}/${f.measure}`)).toEqual([
      'null/flash bytes',
      'smoke/alloc max cycles',
    ]);
    expect(g.notes.map((n: { message: string }) => n.message)).toEqual(['vec-growth: not in the baseline (new), not compared']);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(
      /<testcase classname="sramlab\.cortex-m0\.regression" name="image footprint" time="0">\s*<failure message="rule regression: image: flash bytes \d+, baseline \d+ \(\+[\d.]+ %, tolerance 10 %\)" type="regression">/,
    );
    // Within a tolerance wide enough, the same baseline passes.
    expect((await check('--baseline', file, '--tolerance', '1000')).status).toBe(0);
  });

  it('bad gate input is one line and exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--baseline', join(tmp, 'missing.json')], /^sramlab: --baseline \S+missing\.json: cannot read it \(ENOENT\)$/],
      [['--baseline', ELF], /not JSON/],
      [
        ['--baseline', baseline, '--seed', '2'],
        /made with --mcu cortex-m0 --seed 1 --ops 1000, this run is --mcu cortex-m0 --seed 2 --ops 1000/,
      ],
      [['--tolerance', 'lots'], /tolerance/],
      [['--max-op-cycles', '0'], /max-op-cycles/],
      [['--max-stack', '1Q'], /max-stack/],
    ];
    for (const [args, message] of cases) {
      const r = await check(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });
});
