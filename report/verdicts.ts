// What the report says about each run, and which runs say the same thing.
//
// A compare runs every allocator × scenario on several profiles, and most findings do not
// depend on the profile: emballoc's forward-only merge breaks the leak rule at the same
// operation on an M0 as on an M4. The report shows such a finding once, with the profiles it
// showed on, instead of once per profile. Two runs are "the same finding" when their verdict,
// rule, operation, kind, address, size, access and region are equal and their messages are
// equal once the parts that only name the code are set aside: the code is compiled per
// architecture, so a deadlock spins at a different PC on each profile, and the call it
// interrupted stopped at a different PC and symbol+offset, while being the same bug. Set aside
// are: the violation's PC, symbol and source line; any other symbol+offset ("sl_alloc+0x3e");
// any other address in the Code region (below 0x20000000 in the ARMv6-M and ARMv7-M memory
// map, where the image runs from) written as 0x and eight digits; the profile's own name; and,
// for the stack rule, the SP it fell to (each build's frames are its own size). Data addresses
// (SRAM, 0x20000000 up) stay: a block at another address is another finding. Runs where the
// expected rule caught what a scenario made on purpose agree when the rule (and fault kind) agree.

import type { SessionViolation } from '../checks/session.ts';
import type { ScenarioResult } from '../scenarios/index.ts';

/** held: every check held; caught: a scenario made to break a rule, and that rule caught it; broke: a rule broke. */
export type VerdictKind = 'held' | 'caught' | 'broke';

export interface Verdict {
  kind: VerdictKind;
  /** The rule that caught or broke (absent when held). */
  rule?: string;
  /** Equal for two runs exactly when they are the same finding (see the top of this file). */
  key: string;
}

/** The violation's message with the parts that only name the code or the profile blanked. */
export function maskedMessage(v: SessionViolation, mcu: string): string {
  let m = v.message;
  const blank = (s: string | undefined, by: string) => {
    if (s) m = m.split(s).join(by);
  };
  if (v.pc !== undefined) {
    blank(`0x${v.pc.toString(16).padStart(8, '0')}`, '<pc>');
    blank(`0x${v.pc.toString(16)}`, '<pc>');
  }
  blank(v.symbol, '<symbol>');
  blank(v.source, '<source>');
  if (stackAddress(v)) blank(`0x${v.address!.toString(16).padStart(8, '0')}`, '<sp>');
  blank(mcu, '<mcu>');
  return m
    .replace(/\b[A-Za-z_.$][\w.$]*\+0x[0-9a-f]+\b/gi, '<symbol>')
    .replace(/\b0x[0-9a-f]{8}\b/gi, (h) => (Number(h) < SRAM_BASE ? '<code>' : h));
}

/** Where the Code region ends and SRAM begins in the Cortex-M memory map. */
const SRAM_BASE = 0x2000_0000;

/** The stack rule's address is the SP it fell to, which each build's frame sizes decide. */
const stackAddress = (v: SessionViolation): boolean => v.access === 'sp' && v.address !== undefined;

function violationKey(v: SessionViolation, mcu: string): unknown[] {
  const address = stackAddress(v) ? '<sp>' : (v.address ?? null);
  return [v.rule, v.operation, v.kind ?? null, address, v.size ?? null, v.access ?? null, v.region ?? null, maskedMessage(v, mcu)];
}

export function verdictOf(r: ScenarioResult): Verdict {
  if (!r.ok) {
    const v = r.violation;
    return { kind: 'broke', rule: v?.rule ?? 'failed', key: JSON.stringify(['broke', ...(v ? violationKey(v, r.mcu) : [])]) };
  }
  // Caught is the check working: where exactly it caught (an SP value, a PC) is each build's own.
  if (r.caught) return { kind: 'caught', rule: r.caught.rule, key: JSON.stringify(['caught', r.caught.rule, r.caught.fault ?? null]) };
  return { kind: 'held', key: 'held' };
}

/** Runs of one allocator × scenario that say the same thing, in the compare's profile order. */
export interface VerdictGroup {
  verdict: Verdict;
  runs: ScenarioResult[];
}

/** Groups runs (one allocator × scenario, several profiles) by verdict, in first-seen order. */
export function groupByVerdict(runs: readonly ScenarioResult[]): VerdictGroup[] {
  const groups: VerdictGroup[] = [];
  for (const r of runs) {
    const v = verdictOf(r);
    const g = groups.find((x) => x.verdict.key === v.key);
    if (g) g.runs.push(r);
    else groups.push({ verdict: v, runs: [r] });
  }
  return groups;
}

/** A broken rule as the report lists it: one allocator × scenario, the profiles it showed on. */
export interface Finding {
  id: string;
  allocator: string;
  scenario: string;
  runs: ScenarioResult[];
}

/** An id that is stable and only [a-z0-9-] whatever the names hold. */
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * Every broken rule, a finding per allocator × scenario × distinct violation, in the order of
 * the results. `runsOf` gives one allocator × scenario's runs across the profiles.
 */
export function findings(
  allocators: readonly string[],
  scenarios: readonly string[],
  runsOf: (a: string, s: string) => ScenarioResult[],
): Finding[] {
  const out: Finding[] = [];
  for (const a of allocators) {
    for (const s of scenarios) {
      groupByVerdict(runsOf(a, s))
        .filter((g) => g.verdict.kind === 'broke')
        .forEach((g, i) => {
          out.push({ id: `finding-${slug(a)}--${slug(s)}--${i + 1}`, allocator: a, scenario: s, runs: g.runs });
        });
    }
  }
  return out;
}
