// Records tests/golden/v6m.json: runs every case of specs-v6m.ts on the Unicorn reference
// (Cortex-M0 model) and stores what it did as the expected outcome. Refuses to write anything
// when Unicorn is unavailable. Run with `npx tsx tests/golden/record-v6m.ts`.
//
// Expected values come only from Unicorn; sramlab's CPU is not involved here.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { CpuState, Engine } from '../../emulator/engine.ts';
import { openUnicorn, unicornAvailable, unicornUnavailableReason } from '../../emulator/engines/unicorn.ts';
import { getProfile } from '../../emulator/profiles.ts';
import * as T from '../support/thumb.ts';
import { type GoldenCase, type GoldenFile, type MemBlock, type Outcome, runCase, scrub, toHex, UNDEFINED_GROUP } from './harness.ts';
import { classify } from './rows.ts';
import { CODE, DEFAULT_REGS, SPECS, type Spec } from './specs-v6m.ts';

export const GOLDEN_PATH = fileURLToPath(new URL('./v6m.json', import.meta.url));
export const PROFILE = 'cortex-m0';

const ARMV7_ONLY = "ARMv7-M only, UNDEFINED on ARMv6-M; Unicorn's M0 model executes it";
const NO_SETEND = "SETEND is not in ARMv6-M (UNDEFINED); Unicorn's M0 model executes it";
const ALIGN_FIRST =
  'the ARM ARM checks alignment before the address (MemA); Unicorn reports the bad address instead of the alignment fault';

/**
 * Cases where Unicorn's M0 model disagrees with the ARMv6-M ARM: kept out of v6m.json, with
 * the reason (details in DEVIATIONS.md). Keyed by case id.
 */
export const DEVIATIONS: Readonly<Record<string, string>> = {
  [`${UNDEFINED_GROUP} / cbz r0 (ARMv7-M)`]: ARMV7_ONLY,
  [`${UNDEFINED_GROUP} / cbnz r1 (ARMv7-M)`]: ARMV7_ONLY,
  [`${UNDEFINED_GROUP} / it eq (ARMv7-M)`]: ARMV7_ONLY,
  [`${UNDEFINED_GROUP} / setend le (ARMv6, not M)`]: NO_SETEND,
  [`${UNDEFINED_GROUP} / setend be (ARMv6, not M)`]: NO_SETEND,
  'LDR (register) / unaligned and unmapped (faults)': ALIGN_FIRST,
  'STRH (register) / odd address in flash (faults)': ALIGN_FIRST,
  'MSR / msr apsr, 0x5fffffff (bit 27 set)': 'Unicorn stores APSR bit 27 (Q), which ARMv6-M does not have',
  'MSR / msr apsr, 0x08000000, then mrs apsr': 'Unicorn stores APSR bit 27 (Q) and MRS reads it back; ARMv6-M APSR has only NZCV',
};

const caseId = (s: Spec): string => `${s.encoding} / ${s.name}`;

function initialState(s: Spec): CpuState {
  const r = [...DEFAULT_REGS, s.init.at ?? CODE];
  for (const [k, v] of Object.entries(s.init.r ?? {})) r[Number(k)] = v >>> 0;
  const f = s.init.flags ?? '';
  const has = (x: string): number => (f.includes(x) ? 1 : 0);
  return { r, n: has('N'), z: has('Z'), c: has('C'), v: has('V'), q: 0, ge: 0, primask: s.init.primask ?? 0, control: s.init.control ?? 0 };
}

const presets = (s: Spec): MemBlock[] => (s.init.mem ?? []).map(([address, bytes]) => ({ address, hex: toHex(Uint8Array.from(bytes)) }));

/** Throws unless the instruction under test belongs to the encoding the spec names. */
function checkEncoding(s: Spec): void {
  const insn = s.code[s.under ?? s.code.length - 1];
  const got = classify(insn);
  if (got.unpredictable) throw new Error(`${caseId(s)}: the instruction is UNPREDICTABLE (${got.row})`);
  const want = s.encoding === UNDEFINED_GROUP ? undefined : s.encoding;
  if (got.row !== want) throw new Error(`${caseId(s)}: the instruction decodes as ${got.row ?? 'nothing'}`);
}

function skeleton(s: Spec): Omit<GoldenCase, 'expected'> {
  const under = s.under ?? s.code.length - 1;
  return {
    id: caseId(s),
    encoding: s.encoding,
    name: s.name,
    code: { address: s.init.at ?? CODE, hw: T.halfwords(...s.code) },
    under: T.halfwords(...s.code.slice(0, under)).length,
    steps: s.code.length,
    initial: initialState(s),
    memory: presets(s),
  };
}

function open(): Engine {
  const uc = openUnicorn(getProfile(PROFILE));
  if (!uc) throw new Error(`Unicorn went away: ${unicornUnavailableReason()}`);
  return uc;
}

/**
 * Runs a case on a fresh Unicorn and again on a scrubbed, reused one (as the CPU test's live
 * check does), and insists both agree.
 */
function record(c: Omit<GoldenCase, 'expected'>, shared: Engine): GoldenCase {
  const fresh = open();
  let a: Outcome;
  try {
    a = runCase(fresh, c);
  } finally {
    fresh.close();
  }
  scrub(shared);
  const b = runCase(shared, c);
  if (!isDeepStrictEqual(a, b)) throw new Error(`${c.id}: Unicorn gave different outcomes on a fresh and a reused engine`);
  return { ...c, expected: a };
}

/** What changed in a case, for the log of skipped deviations. */
function summary(c: GoldenCase): string {
  const before = c.initial,
    after = c.expected.state;
  const regs = after.r.flatMap((v, k) => (v !== before.r[k] ? [`r${k}=0x${v.toString(16)}`] : []));
  const flags = (['n', 'z', 'c', 'v', 'q', 'ge', 'primask', 'control'] as const).flatMap((f) =>
    after[f] !== before[f] ? [`${f}=${after[f]}`] : [],
  );
  const fault = c.expected.fault ? [`fault=${JSON.stringify(c.expected.fault)}`] : [];
  return [`stop=${c.expected.stop}`, ...fault, ...regs, ...flags].join(' ');
}

/** One case per line, so diffs of the golden file read case by case. */
function format(file: GoldenFile): string {
  const rows = file.cases.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
  return `{\n "reference": ${JSON.stringify(file.reference)},\n "profile": ${JSON.stringify(file.profile)},\n "cases": [\n${rows}\n ]\n}\n`;
}

function main(): void {
  if (!unicornAvailable()) {
    console.error(`refusing to record: Unicorn is unavailable (${unicornUnavailableReason()})`);
    process.exit(1);
  }
  const ids = new Set<string>();
  const cases: GoldenCase[] = [];
  const shared = open();
  for (const s of SPECS) {
    const id = caseId(s);
    if (ids.has(id)) throw new Error(`duplicate case id ${id}`);
    ids.add(id);
    checkEncoding(s);
    if (DEVIATIONS[id]) {
      const c = record(skeleton(s), shared);
      console.log(`skipped (reference deviation): ${id}: ${DEVIATIONS[id]}\n    Unicorn: ${summary(c)}`);
      continue;
    }
    cases.push(record(skeleton(s), shared));
  }
  shared.close();
  writeFileSync(GOLDEN_PATH, format({ reference: 'Unicorn 2.0.1, Cortex-M0 model (UC_MODE_THUMB)', profile: PROFILE, cases }));
  const per = new Map<string, number>();
  for (const c of cases) per.set(c.encoding, (per.get(c.encoding) ?? 0) + 1);
  for (const [enc, n] of per) console.log(`${String(n).padStart(4)}  ${enc}`);
  console.log(`wrote ${cases.length} cases to ${GOLDEN_PATH}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
