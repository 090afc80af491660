// What `sramlab check` does with its gate flags: reads the baseline (bad input in one line),
// runs the gate functions over the results, and says what they found in each form the command
// reports in (terminal lines, the JSON member, JUnit test cases).

import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../cli/common.ts';
import type { ScenarioResult } from '../scenarios/index.ts';
import {
  type Baseline,
  budgetFindings,
  checkComparable,
  DEFAULT_TOLERANCE,
  type GateFinding,
  GateInputError,
  type GateNote,
  type GateRule,
  gateCases,
  type ImageFigures,
  parseBaseline,
  parseTolerance,
  regressionFindings,
} from './index.ts';

export interface GateOptions {
  maxOpCycles?: number;
  maxStack?: number;
  baseline?: string;
  tolerance?: number;
}

/** The `gates` member of sramlab.check/1: what was asked, what failed, what was not compared. */
export interface GatesReport {
  maxOpCycles: number | null;
  maxStackBytes: number | null;
  baseline: string | null;
  /** A fraction: 0.05 is 5 %. */
  tolerance: number;
  ok: boolean;
  findings: GateFinding[];
  notes: GateNote[];
}

/** Whether any gate flag was given (without one, check reports as before: no gates member). */
export const gatesAsked = (o: GateOptions) => o.maxOpCycles !== undefined || o.maxStack !== undefined || o.baseline !== undefined;

/** Reads and vets --baseline before anything runs: an unreadable or foreign file is bad input. */
export function loadBaseline(path: string, run: { mcu: string; seed: number; ops: number }): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`--baseline ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const b = parseBaseline(text, path);
    checkComparable(b, run, path);
    return b;
  } catch (e) {
    if (e instanceof GateInputError) throw new UsageError(e.message);
    throw e;
  }
}

export function runGates(
  o: GateOptions,
  results: readonly ScenarioResult[],
  image: ImageFigures,
  baseline: Baseline | undefined,
): GatesReport {
  const tolerance = o.tolerance ?? DEFAULT_TOLERANCE;
  const findings = budgetFindings(results, { maxOpCycles: o.maxOpCycles, maxStackBytes: o.maxStack });
  const notes: GateNote[] = [];
  if (baseline) {
    const r = regressionFindings(results, baseline.results, tolerance, { current: image, baseline: baseline.image });
    findings.push(...r.findings);
    notes.push(...r.notes);
  }
  return {
    maxOpCycles: o.maxOpCycles ?? null,
    maxStackBytes: o.maxStack ?? null,
    baseline: o.baseline ?? null,
    tolerance,
    ok: findings.length === 0,
    findings,
    notes,
  };
}

/** Terminal lines: each finding with its replay, then the notes, then one line of counts. */
export function gateLines(g: GatesReport, paint: { fail: (s: string) => string; pass: (s: string) => string }): string[] {
  const out: string[] = [];
  for (const f of g.findings) {
    out.push(`  ${paint.fail('FAIL')} ${f.rule.padEnd(10)} ${f.message}`);
    if (f.replay) out.push(`       ${''.padEnd(10)} replay: ${f.replay}`);
  }
  for (const n of g.notes) out.push(`  note ${''.padEnd(10)} ${n.message}`);
  const asked = [
    g.maxOpCycles !== null ? `--max-op-cycles ${g.maxOpCycles}` : '',
    g.maxStackBytes !== null ? `--max-stack ${g.maxStackBytes}` : '',
    g.baseline !== null ? `--baseline ${g.baseline} (tolerance ${+(100 * g.tolerance).toFixed(3)} %)` : '',
  ]
    .filter(Boolean)
    .join(', ');
  out.push(
    g.ok
      ? `  ${paint.pass('PASS')} gates: ${asked}`
      : `  ${paint.fail('FAIL')} gates: ${g.findings.length} finding${g.findings.length === 1 ? '' : 's'} (${asked})`,
  );
  return out;
}

/** The JUnit test cases of the gates: one per gate and scenario, with the failure's one-line message and its report. */
export function gateJunitCases(
  g: GatesReport,
  scenarios: readonly string[],
): { rule: GateRule; name: string; failure: { message: string; text: string } | null }[] {
  return gateCases(scenarios, g.findings, {
    budget: g.maxOpCycles !== null || g.maxStackBytes !== null,
    regression: g.baseline !== null,
  }).map((c) => ({
    rule: c.rule,
    name: c.name,
    failure:
      c.findings.length === 0
        ? null
        : {
            message: `rule ${c.rule}: ${c.findings.map((f) => f.message).join('; ')}`,
            text: c.findings
              .map((f) => [`rule:      ${f.rule}`, `message:   ${f.message}`, ...(f.replay ? [`replay:    ${f.replay}`] : [])].join('\n'))
              .join('\n\n'),
          },
  }));
}

/** Commander parsers for the gate flags: a bad value is one line naming it (exit 2). */
export function parseToleranceOption(value: string): number {
  try {
    return parseTolerance(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--tolerance '[^']*': /, ''));
  }
}

export function parseCyclesOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value)))
    throw new InvalidArgumentError(`'${value}' is not a cycle count: a whole number from 1`);
  return Number(value);
}
