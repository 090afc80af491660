// sramlab's ARMv6-M core against the golden cases recorded on Unicorn (tests/golden/v6m.json):
// one describe per encoding row, one it per case, each expecting exactly the reference's
// final state, stop kind, fault kind and memory writes. Expected values are never edited by
// hand: rerun `npx tsx tests/golden/record-v6m.ts` (needs Unicorn) to change them.

import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createTsEngine } from '../emulator/engines/ts-engine.ts';
import { openUnicorn, unicornAvailable, unicornUnavailableReason } from '../emulator/engines/unicorn.ts';
import { getProfile } from '../emulator/profiles.ts';
import { comparable, type GoldenCase, type GoldenFile, runCase, scrub, UNDEFINED_GROUP } from './golden/harness.ts';
import { DEVIATIONS, GOLDEN_PATH } from './golden/record-v6m.ts';
import { classify, insnAt, V6M_ROWS } from './golden/rows.ts';

const golden = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as GoldenFile;
const profile = getProfile(golden.profile);

const groups = new Map<string, GoldenCase[]>();
for (const c of golden.cases) groups.set(c.encoding, [...(groups.get(c.encoding) ?? []), c]);

/** Runs a case on a fresh sramlab core and returns what the golden outcome constrains. */
function onSramlab(c: GoldenCase): ReturnType<typeof comparable> {
  const engine = createTsEngine(profile);
  try {
    return comparable(runCase(engine, c), c.expected);
  } finally {
    engine.close();
  }
}

for (const [encoding, cases] of groups) {
  describe(encoding, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      expect(onSramlab(c)).toEqual(c.expected);
    });
  });
}

describe('golden file', () => {
  it('has a case for every ARMv6-M encoding row', () => {
    expect(V6M_ROWS.map((r) => r.enc.name).filter((name) => !groups.has(name))).toEqual([]);
  });

  it('files every case under the row its last instruction decodes to, never an UNPREDICTABLE form', () => {
    const wrong = golden.cases
      .filter((c) => {
        const m = classify(insnAt(c.code.hw, c.under));
        return m.unpredictable || m.row !== (c.encoding === UNDEFINED_GROUP ? undefined : c.encoding);
      })
      .map((c) => c.id);
    expect(wrong).toEqual([]);
  });

  it('leaves out the reference deviations', () => {
    const ids = new Set(golden.cases.map((c) => c.id));
    expect(Object.keys(DEVIATIONS).filter((id) => ids.has(id))).toEqual([]);
  });

  it('holds at least 400 cases with unique ids', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(400);
    expect(new Set(golden.cases.map((c) => c.id)).size).toBe(golden.cases.length);
  });
});

// The goldens must still be what Unicorn does: without it this is skipped locally, but in CI
// (process.env.CI set) a missing reference is a failure, not a silent skip.
const haveUnicorn = unicornAvailable();
describe('golden file matches live Unicorn', () => {
  it.skipIf(!haveUnicorn && !process.env.CI)('every case re-runs on Unicorn to its recorded outcome', () => {
    if (!haveUnicorn) expect.fail(`Unicorn is required in CI to verify the goldens: ${unicornUnavailableReason()}`);
    // One engine for all cases (opening one takes ~80 ms), scrubbed in between.
    const uc = openUnicorn(profile)!;
    try {
      const stale = golden.cases
        .filter((c) => {
          scrub(uc);
          return !isDeepStrictEqual(comparable(runCase(uc, c), c.expected), c.expected);
        })
        .map((c) => c.id);
      expect(stale).toEqual([]);
    } finally {
      uc.close();
    }
  });
});
