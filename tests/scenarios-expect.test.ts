// The scenarios that exist to see a rule fire: stack-collision (the stack rule) and no-cas (the
// faults rule with a 'no-cas' fault). For them "caught" is the success: ok, `expected` names
// the rule, `caught` holds the violation, `violation` is null. Each is also shown failing, when
// nothing catches the run and when another rule does first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../emulator/profiles.ts';
import { REPO_ROOT } from '../firmware/allocators.ts';
import { ALLOCATORS, AllocatorImage, type ImageLayout } from '../runners/image.ts';
import { type CaughtViolation, runScenario, runScenarioOnImage, SCENARIOS } from '../scenarios/index.ts';
import { BROKEN_IMAGES_DIR } from './broken-allocators/build.ts';

const PARAMS = { seed: 1, ops: 1 };
const NAMES = ALLOCATORS.map((a) => a.name);
const V6M = Object.values(PROFILES)
  .filter((p) => p.arch === 'v6m')
  .map((p) => p.name);
const V7M = Object.values(PROFILES)
  .filter((p) => p.arch !== 'v6m')
  .map((p) => p.name);
const broken = (name: string, mcu: string): string => join(BROKEN_IMAGES_DIR, `${name}-${mcu}.elf`);
const BIN = join(REPO_ROOT, 'bin', 'sramlab.js');

function expectInCode(v: CaughtViolation, layout: ImageLayout): void {
  expect(v.pc).toBeTypeOf('number');
  expect(v.pc!).toBeGreaterThanOrEqual(layout.code.start);
  expect(v.pc!).toBeLessThan(layout.code.end);
  expect(v.symbol).toMatch(/^\w[\w.]*(\+0x[0-9a-f]+)?$/);
}

it('both are registered', () => {
  expect(SCENARIOS.map((s) => s.name)).toEqual(expect.arrayContaining(['stack-collision', 'no-cas']));
});

// runScenario skips the leak rule exactly on runs with an expectation; each scenario's data
// (Scenario.leak, which `sramlab list` shows) must say so wherever that can happen.
it('say where the leak rule does not run, and only they do', () => {
  for (const sc of SCENARIOS) {
    const said = sc.leak?.applies ?? 'always';
    expect(said, sc.name).toBe(sc.expect ? 'never' : sc.variant ? 'partly' : 'always');
    if (sc.leak) expect(sc.leak.reason, sc.name).toMatch(/\w{3,}.{20,}/);
  }
});

it('sramlab list shows it, in the terminal and in its JSON', () => {
  const json = spawnSync(process.execPath, [BIN, 'list', '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(json.status, json.stderr).toBe(0);
  const byName = new Map((JSON.parse(json.stdout).scenarios as { name: string; leak: unknown }[]).map((s) => [s.name, s.leak]));
  expect(byName.get('smoke')).toEqual({ applies: 'always' });
  expect(byName.get('stack-collision')).toEqual({ applies: 'never', reason: expect.stringMatching(/stopped by the stack rule/) });
  expect(byName.get('no-cas')).toEqual({ applies: 'partly', reason: expect.stringMatching(/^not on ARMv6-M/) });
  const text = spawnSync(process.execPath, [BIN, 'list'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(text.stdout).toMatch(/^ {2}stack-collision .*\n {19}leak rule: not run: an ok run ends inside sl_alloc/m);
  expect(text.stdout).toMatch(/^ {2}no-cas .*\n {19}leak rule: not on every run: not on ARMv6-M/m);
  expect(text.stdout).not.toMatch(/^ {2}smoke .*\n {19}leak rule/m);
});

describe('stack-collision', () => {
  describe.each(Object.keys(PROFILES))('on %s', (mcu) => {
    it.each(NAMES)('%s: its own frame crosses __stack_limit and the stack rule catches it', (a) => {
      const r = runScenario('stack-collision', a, mcu, PARAMS);
      expect(r.ok, r.violation?.message).toBe(true);
      expect(r.violation).toBeNull();
      expect(r.expected).toBe('stack');
      const c = r.caught!;
      expect(c.rule).toBe('stack');
      expect(c.operation).toBe(2); // the first sl_alloc, from the stack top, held
      expect(c.kind).toBe('alloc');
      const { layout } = AllocatorImage.load(a, mcu);
      expectInCode(c, layout);
      expect(c.address!).toBeLessThan(layout.stackLimit);
      expect(c.address!).toBeGreaterThanOrEqual(layout.stackLimit - 64);
      expect(c.message).toMatch(/^SP fell to 0x[0-9a-f]{8}, below the stack limit/);
    });
  });

  it("says expected: 'stack' and holds the caught violation in its JSON", () => {
    const json = JSON.parse(JSON.stringify(runScenario('stack-collision', 'galloc', 'cortex-m0', PARAMS)));
    expect(json).toMatchObject({ ok: true, violation: null, expected: 'stack', caught: { rule: 'stack', access: 'sp', kind: 'alloc' } });
  });

  it('fails when nothing is caught (an expectation of the stack rule on a plain smoke run)', () => {
    const r = runScenarioOnImage(
      'smoke',
      {
        allocator: 'galloc',
        mcu: 'cortex-m0',
        makeImage: () => AllocatorImage.load('galloc', 'cortex-m0'),
        replay: () => '',
        expect: 'stack',
      },
      PARAMS,
    );
    expect(r.ok).toBe(false);
    expect(r.caught).toBeUndefined();
    expect(r.expected).toBe('stack');
    expect(r.violation?.rule).toBe('stack');
    expect(r.violation?.message).toMatch(
      /^expected the stack rule to catch this run, and nothing did \(\d+ operations, peak allocator stack \d+ bytes\)/,
    );
  });

  it.each(['cortex-m0', 'cortex-m3'])('on %s, a call that takes 8 bytes of stack or less starts at the limit and still crosses', (mcu) => {
    const r = runScenario('stack-collision', 'misaligned', mcu, PARAMS, { elf: broken('misaligned', mcu) });
    expect(r.peakStackBytes).toBeLessThanOrEqual(8);
    expect(r.ok, r.violation?.message).toBe(true);
    expect(r.caught?.rule).toBe('stack');
  });

  it.each(['cortex-m0', 'cortex-m3'])('fails on %s when another rule goes first', (mcu) => {
    const r = runScenario('stack-collision', 'bss-peek', mcu, PARAMS, { elf: broken('bss-peek', mcu) });
    expect(r.ok).toBe(false);
    expect(r.violation?.rule).toBe('containment');
    expect(r.violation?.message).toMatch(
      /^expected the stack rule to catch this run, but the containment rule did first: allocator code read/,
    );
  });
});

describe('no-cas', () => {
  describe.each(V6M)('on %s', (mcu) => {
    it.each(NAMES)('%s built with a LDREX/STREX lock: the fault says this MCU has no CAS', (a) => {
      const r = runScenario('no-cas', a, mcu, PARAMS);
      expect(r.ok, r.violation?.message).toBe(true);
      expect(r.violation).toBeNull();
      expect(r.elf).toBe(`firmware/images/cas/${a}-${mcu}.elf`);
      expect(r.expected).toBe('faults');
      expect(r.expectedFault).toBe('no-cas');
      const c = r.caught!;
      expect(c.rule).toBe('faults');
      expect(c.fault).toBe('no-cas');
      expect(c.message).toMatch(new RegExp(`this MCU \\(${mcu}, ARMv6-M, thumbv6m\\) has no exclusive-access \\(CAS\\) instructions`));
      expect(c.message).toMatch(/\bLDREXB? \(0x[0-9a-f]+\)/);
      expect(c.message).toContain(`at 0x${c.pc!.toString(16)} is an exclusive access`);
      const { layout } = AllocatorImage.fromElf(readFileSync(join(REPO_ROOT, r.elf!)), mcu);
      expectInCode(c, layout);
      expect(c.source).toMatch(/^lock\.h:\d+$/);
    });
  });

  describe.each(V7M)('on %s', (mcu) => {
    it.each(NAMES)('%s: the CAS lock runs where the exclusives exist, and the run is smoke, the leak rule included', (a) => {
      const r = runScenario('no-cas', a, mcu, PARAMS);
      const smoke = runScenario('smoke', a, mcu, PARAMS);
      expect(r.expected).toBeUndefined();
      expect(r.elf).toBeUndefined();
      // Every check holds, but the three allocators that leak in smoke leak here too
      // (tests/scenarios.test.ts, SMOKE_LEAKS): the leak rule runs on these runs.
      expect(r.violation, r.violation?.message).toEqual(smoke.violation);
      expect(r.ok).toBe(smoke.ok);
      expect(r.ok).toBe(!['basic', 'chunk', 'emballoc'].includes(a));
      if (!r.ok) expect(r.violation?.rule).toBe('leak');
    });
  });

  const expectNoCas = (label: string, makeImage: () => AllocatorImage) =>
    runScenarioOnImage(
      'no-cas',
      {
        allocator: label,
        mcu: 'cortex-m0',
        makeImage,
        replay: () => '',
        expect: { rule: 'faults', fault: 'no-cas' },
      },
      PARAMS,
    );

  it('fails when nothing faults: the PRIMASK lock of a right ARMv6-M build', () => {
    const r = expectNoCas('galloc', () => AllocatorImage.load('galloc', 'cortex-m0'));
    expect(r.ok).toBe(false);
    expect(r.violation?.message).toMatch(/^expected the faults rule with a 'no-cas' fault to catch this run, and nothing did/);
  });

  it('fails when the fault is of another kind', () => {
    const r = expectNoCas('unaligned-access', () =>
      AllocatorImage.fromElf(readFileSync(broken('unaligned-access', 'cortex-m0')), 'cortex-m0'),
    );
    expect(r.ok).toBe(false);
    expect(r.violation?.rule).toBe('faults');
    expect(r.violation?.message).toMatch(
      /^expected the faults rule with a 'no-cas' fault to catch this run, but the faults rule with a 'unaligned' fault did first/,
    );
  });
});
