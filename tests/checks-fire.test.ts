// Every check of README.md "The checks" proven to fire: a check that no test makes fail is a
// defect. Each deliberately broken allocator of tests/broken-allocators/ (its README says what
// is broken) runs a scenario with every check on, and the RIGHT rule must stop it — with, for
// the rules that trap inside firmware, a PC in the allocator's code and its symbol. The same
// scenario on a correct allocator must pass, so each test can fail both ways.
//
// The images are committed (tests/broken-allocators/build.ts builds and --verify checks them),
// built by the same machinery as the real allocators'.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule, SessionViolation } from '../checks/session.ts';
import { AllocatorImage, type ImageLayout } from '../runners/image.ts';
import { runScenario, runScenarioOnImage, SCENARIOS, type ScenarioResult } from '../scenarios/index.ts';
import { BROKEN_DIR, BROKEN_IMAGES_DIR, BROKEN_PROFILES } from './broken-allocators/build.ts';

const PARAMS = { seed: 1, ops: 200 };
/** Enough for every healthy call here, small enough that a spinning one stops at once. */
const SPIN_BUDGET = 100_000;

const elfOf = (name: string, mcu: string): string => join(BROKEN_IMAGES_DIR, `${name}-${mcu}.elf`);

function runBroken(name: string, scenario: string, mcu: string, maxCycles?: number): ScenarioResult {
  return runScenario(scenario, name, mcu, PARAMS, { elf: elfOf(name, mcu), ...(maxCycles ? { maxCycles } : {}) });
}

/** The image's layout and a symbol lookup, for the assertions on addresses. */
function imageOf(name: string, mcu: string): { layout: ImageLayout; symbol: (s: string) => number } {
  const img = AllocatorImage.fromElf(readFileSync(elfOf(name, mcu)), mcu);
  return { layout: img.layout, symbol: (s) => img.address(s) };
}

/** A trap: PC inside .alloc_text, and a symbol for it. */
function expectInAllocatorCode(v: SessionViolation, layout: ImageLayout, symbol: RegExp): void {
  expect(v.pc, 'the violation names a PC').toBeTypeOf('number');
  expect(v.pc!).toBeGreaterThanOrEqual(layout.code.start);
  expect(v.pc!).toBeLessThan(layout.code.end);
  expect(v.symbol).toMatch(symbol);
}

interface Case {
  name: string;
  scenario: string;
  rule: Rule;
  /** A profile whose build breaks another rule first (its compiler ordered the code otherwise). */
  ruleOn?: Partial<Record<string, Rule>>;
  /** A correct allocator that passes the same scenario. */
  control: string;
  maxCycles?: number;
  /** What else the violation must say. */
  check(v: SessionViolation, mcu: string): void;
}

const CASES: Case[] = [
  {
    name: 'past-end',
    scenario: 'smoke',
    rule: 'containment',
    control: 'galloc',
    check(v, mcu) {
      const { layout } = imageOf('past-end', mcu);
      expectInAllocatorCode(v, layout, /^sl_alloc\+0x/);
      // smoke gives sl_init the first DEFAULT_HEAP bytes of the region; the byte right after them.
      expect(v.address).toBe(layout.heapRegion.start + 16 * 1024);
      expect(v.access).toBe('store');
      expect(v.size).toBe(1);
    },
  },
  {
    name: 'bss-peek',
    scenario: 'smoke',
    rule: 'containment',
    control: 'galloc',
    check(v, mcu) {
      const { layout, symbol } = imageOf('bss-peek', mcu);
      expectInAllocatorCode(v, layout, /^sl_alloc\+0x/);
      expect(v.address).toBe(symbol('sl_isr_request'));
      expect(v.access).toBe('load');
      expect(v.message).toMatch(/outside its heap array, its state and the live stack/);
    },
  },
  {
    name: 'misaligned',
    scenario: 'smoke',
    rule: 'blocks',
    control: 'galloc',
    check(v, mcu) {
      expect(v.kind).toBe('alloc');
      expect(v.message).toMatch(/^alloc\(size \d+, align 8\) returned 0x[0-9a-f]{8}, 4 bytes past the 8-byte boundary 0x[0-9a-f]{8}$/);
      // The return site (objdump -d of the images): the M0 build's sl_alloc returns with
      // POP {r4, r5, pc}, which the report points at; the M3 build's with BX LR, which leaves
      // no access behind, so the report has no PC rather than a guessed one.
      if (mcu === 'cortex-m0') {
        expect(v.symbol).toMatch(/^sl_alloc\+0x/);
        expect(v.pc).toBe(0x106); // pop {r4, pc} in objdump -d misaligned-cortex-m0.elf
        expect(v.source).toMatch(/misaligned\.c:21$/); // the closing brace: the epilogue
      } else {
        expect(v.pc).toBeUndefined();
      }
      expect(v.address! % 8).not.toBe(0);
    },
  },
  {
    name: 'overlap',
    scenario: 'smoke',
    rule: 'blocks',
    control: 'galloc',
    check(v) {
      expect(v.message).toMatch(
        /^alloc\(size \d+, align \d+\) returned 0x[0-9a-f]{8}–0x[0-9a-f]{8} \(\d+ bytes\), which overlaps 1 byte \(0x[0-9a-f]{8}\) of the block made by operation \d+ at 0x[0-9a-f]{8} \(1 byte, align \d+\), still live$/,
      );
    },
  },
  {
    // The wrap the alignment scenario hunts for: a block that runs far past the array.
    name: 'wrapped-size',
    scenario: 'alignment',
    rule: 'blocks',
    control: 'galloc',
    check(v) {
      expect(v.message).toMatch(
        /^alloc\(size 4294967280, align 1\) returned 0x[0-9a-f]{8} to past 0xffffffff \(4294967280 bytes\): its last byte is \d+ bytes past the end of the heap array 0x[0-9a-f]{8}–0x[0-9a-f]{8}$/,
      );
    },
  },
  {
    name: 'metadata-in-block',
    scenario: 'smoke',
    rule: 'contents',
    control: 'galloc',
    check(v) {
      expect(v.kind).toBe('dealloc');
      // the planted allocator writes a 4-byte word at the start of the block it is given back
      expect(v.message).toMatch(
        /^the block made by operation \d+ \(0x[0-9a-f]{8}, \d+ bytes, align \d+\) no longer holds what was written to it: 4 of its \d+ bytes differ, the first at offset 0 \(0x[0-9a-f]{8}\); 8 bytes from there: expected ([0-9a-f]{2} ){4}(([0-9a-f]{2} ){3}[0-9a-f]{2}), found ([0-9a-f]{2} ){4}\2$/,
      );
      expect(v.size).toBe(4);
    },
  },
  {
    name: 'deep-recursion',
    scenario: 'smoke',
    rule: 'stack',
    control: 'galloc',
    check(v, mcu) {
      const { layout } = imageOf('deep-recursion', mcu);
      expectInAllocatorCode(v, layout, /^free_run/);
      expect(v.access).toBe('sp');
      expect(v.address).toBeLessThan(layout.stackLimit);
      expect(v.message).toMatch(/below the stack limit/);
    },
  },
  {
    name: 'endless',
    scenario: 'smoke',
    rule: 'liveness',
    control: 'galloc',
    maxCycles: SPIN_BUDGET,
    check(v, mcu) {
      expectInAllocatorCode(v, imageOf('endless', mcu).layout, /^sl_alloc\+0x/);
      expect(v.operation).toBe(1);
      expect(v.message).toMatch(new RegExp(`still running after ${SPIN_BUDGET} cycles`));
    },
  },
  {
    // Every spin-locked seed deadlocks here too, so the control is slab, the lock-free one.
    // isr-reentrancy tries every instruction boundary: the Cortex-M3 build loads `top` before it
    // stores busy = 1 (sl_alloc+0x1c, +0x1e), and an IRQ between the two is handed the same top,
    // a check-then-set race the explorer reaches before any point that deadlocks.
    name: 'isr-spin',
    scenario: 'isr-reentrancy',
    rule: 'liveness',
    ruleOn: { 'cortex-m3': 'blocks' },
    control: 'slab',
    maxCycles: SPIN_BUDGET,
    check(v, mcu) {
      if (mcu === 'cortex-m3') {
        expect(v.message).toMatch(
          /^after the interrupted call returned, IRQ 0's sl_alloc\(32, 4\) returned 0x[0-9a-f]+–0x[0-9a-f]+: it overlaps the block made by operation 7 /,
        );
        return;
      }
      expectInAllocatorCode(v, imageOf('isr-spin', mcu).layout, /^sl_alloc\+0x/);
      expect(v.message).toMatch(/^deadlock: IRQ 0's sl_alloc spins at 0x[0-9a-f]+ \(sl_alloc\+0x[0-9a-f]+\)/);
    },
  },
  {
    name: 'leaky',
    scenario: 'random-actions',
    rule: 'leak',
    control: 'galloc',
    check(v) {
      expectLeakFacts(v);
    },
  },
];

/**
 * A leak report states facts: the largest block now and right after sl_init, against the heap.
 * leaky's fresh 16 KiB heap serves all of it (256 free granules); returns the block served now.
 */
function expectLeakFacts(v: SessionViolation): number {
  const m =
    /^with every block freed (.+), the largest allocatable block is (\d+) bytes of the 16384-byte heap; right after sl_init it was 16384 \((\d+) bytes fewer\)$/.exec(
      v.message,
    );
  expect(m, v.message).not.toBeNull();
  const now = Number(m![2]);
  expect(now).toBeLessThan(16384);
  expect(Number(m![3])).toBe(16384 - now);
  expect(now % 64, 'leaky serves whole 64-byte granules').toBe(0);
  return now;
}

/** unaligned-access faults only where every unaligned access does: ARMv6-M. */
const UNALIGNED: Case = {
  name: 'unaligned-access',
  scenario: 'smoke',
  rule: 'faults',
  control: 'galloc',
  check(v, mcu) {
    // sl_realloc frees the old block through sl_dealloc, which GCC inlines there.
    expectInAllocatorCode(v, imageOf('unaligned-access', mcu).layout, /^sl_(dealloc|realloc)\+0x/);
    expect(v.message).toMatch(/unaligned fault at 0x[0-9a-f]+ .*: unaligned word load at 0x[0-9a-f]+/);
    expect(v.access).toBe('load');
    expect(v.size).toBe(4);
    expect(v.address! % 4).not.toBe(0);
  },
};

describe.each(BROKEN_PROFILES)('every check fires on %s', (mcu) => {
  const cases = mcu === 'cortex-m0' ? [...CASES, UNALIGNED] : CASES;

  it.each(cases.map((c) => [c.name, c.rule, c.scenario, c] as const))('%s is caught by the %s rule in %s', (_n, _r, _s, c) => {
    const r = runBroken(c.name, c.scenario, mcu, c.maxCycles);
    expect(r.ok).toBe(false);
    expect(r.violation?.rule, r.violation?.message).toBe(c.ruleOn?.[mcu] ?? c.rule);
    c.check(r.violation!, mcu);
  });

  // The same scenarios on correct allocators: every check holds, so none of the above is a
  // scenario that fails on its own.
  const controls = [...new Map(cases.map((c) => [`${c.control}/${c.scenario}`, c])).values()];
  it.each(controls.map((c) => [c.control, c.scenario, c] as const))('%s passes %s', (_a, _s, c) => {
    const r = runScenario(c.scenario, c.control, mcu, PARAMS, c.maxCycles ? { maxCycles: c.maxCycles } : {});
    expect(r.violation, r.violation?.message).toBeNull();
    expect(r.ok).toBe(true);
  });
});

describe('unaligned-access on cortex-m3', () => {
  it("gets through every smoke operation: ARMv7-M loads an unaligned word (the fault is the M0's alone)", () => {
    const r = runBroken('unaligned-access', 'smoke', 'cortex-m3');
    // It is a bump allocator that never reuses memory, so the leak rule at the end is what stops it.
    expect(r.violation?.rule, r.violation?.message).toBe('leak');
    expect(r.violation?.operation).toBe(r.operations);
    expect(r.stats.dealloc.cycles.count).toBe(16);
  });
});

describe('the broken allocators', () => {
  const folders = readdirSync(BROKEN_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'images')
    .map((e) => e.name);

  it('cover every rule of a checked session (containment, stack, blocks, contents, faults, liveness, leak)', () => {
    // The rules of checks/session.ts's Rule type; a new rule needs a broken allocator here.
    const RULES: Rule[] = ['containment', 'stack', 'blocks', 'contents', 'faults', 'liveness', 'leak'];
    expect(new Set([...CASES, UNALIGNED].map((c) => c.rule))).toEqual(new Set(RULES));
  });

  it('each have a test, a one-line README and a committed image per profile', () => {
    expect(folders.sort()).toEqual([...CASES, UNALIGNED].map((c) => c.name).sort());
    for (const name of folders) {
      const readme = readFileSync(join(BROKEN_DIR, name, 'README.md'), 'utf8').trim();
      expect(readme.split('\n'), `${name}/README.md`).toHaveLength(1);
      expect(readme).toMatch(new RegExp(`^# ${name} — `));
      for (const mcu of BROKEN_PROFILES) expect(existsSync(elfOf(name, mcu)), `${name}-${mcu}.elf`).toBe(true);
    }
  });
});

// The leak rule runs at the end of every scenario that frees every block (all but those that
// exist to see another rule stop them), so leaky, whose sl_dealloc gives nothing back, is
// caught by it in each. Hand-worked for two, from leaky.c's first fit in 64-byte granules:
// smoke takes 13 granules (1, 8, 24, 100, 16, 300, 64, 4 bytes → 1+1+1+2+1+5+1+1), its realloc
// to 200 takes 4 more and the one to 40 one more, the second round 13: granules 0–30 stay used,
// 225 × 64 = 14400 bytes are left, after 8 + 2 + 8 + 8 + 8 = 34 operations. vec-growth takes
// 1+1+1+1+2+4+8+16+32+64 granules for 8…4096 bytes, the 8192-byte realloc fails (130 + 128 >
// 256): 126 × 64 = 8064 bytes are left.
describe.each(BROKEN_PROFILES)('the leak rule runs in every scenario that frees every block, on %s', (mcu) => {
  const HAND_WORKED: Record<string, { now: number; freed: string }> = {
    smoke: { now: 14400, freed: 'after 34 operations' },
    'vec-growth': { now: 8064, freed: 'after 12 operations' },
  };
  const leaking = SCENARIOS.filter((sc) => sc.leak?.applies !== 'never').map((sc) => sc.name);

  it('is on in all but the scenarios that say why not', () => {
    expect(leaking).toEqual(
      expect.arrayContaining(['smoke', 'vec-growth', 'alignment', 'chunk-bench', 'isr-reentrancy', 'random-actions', 'fill-and-drain']),
    );
    expect(SCENARIOS.filter((sc) => !leaking.includes(sc.name)).map((sc) => sc.name)).toEqual(['stack-collision']);
  });

  it.each(leaking)('leaky is caught by the leak rule in %s', (scenario) => {
    // isr-reentrancy explores every boundary and first finds leaky's unlocked first fit handing
    // one granule to the IRQ and to the thread (the next test); its point 7:0, the handler before
    // the call's first instruction, races nothing and runs to the leak rule at the end.
    const r =
      scenario === 'isr-reentrancy'
        ? runScenario(scenario, 'leaky', mcu, { ...PARAMS, preemptAt: { operation: 7, instruction: 0 } }, { elf: elfOf('leaky', mcu) })
        : runBroken('leaky', scenario, mcu);
    expect(r.ok).toBe(false);
    expect(r.violation?.rule, r.violation?.message).toBe('leak');
    const now = expectLeakFacts(r.violation!);
    const hand = HAND_WORKED[scenario];
    if (hand) {
      expect(now).toBe(hand.now);
      expect(r.violation!.message).toMatch(new RegExp(`^with every block freed ${hand.freed},`));
    }
    if (scenario === 'fill-and-drain') expect(r.violation!.message).toMatch(/^with every block freed \(\d+ blocks, freed forward\),/);
  });

  it('leaky has no lock: exploring isr-reentrancy finds a granule handed to both the IRQ and the thread', () => {
    const r = runBroken('leaky', 'isr-reentrancy', mcu);
    expect(r.violation?.rule, r.violation?.message).toBe('blocks');
    expect(r.violation?.message).toMatch(/IRQ 0's sl_alloc\(32, 4\) returned .*: it overlaps the block made by operation 7 /);
    expect(r.preemption?.replay).toMatch(/ --preempt-at 7:\d+$/);
  });

  it('is not run on a run that exists to see another rule fire: it would stop that run first', () => {
    const r = runScenarioOnImage(
      'smoke',
      {
        allocator: 'leaky',
        mcu,
        makeImage: () => AllocatorImage.fromElf(readFileSync(elfOf('leaky', mcu)), mcu),
        replay: () => '',
        expect: 'stack',
      },
      PARAMS,
    );
    expect(r.violation?.rule).toBe('stack');
    expect(r.violation?.message).toMatch(/^expected the stack rule to catch this run, and nothing did/);
  });
});
