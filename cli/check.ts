// sramlab check: a user's own allocator ELF through the scenarios, every check on, for CI:
// exit status, a JSON document (sramlab.check/1) and a JUnit XML report that GitHub Actions,
// GitLab and Jenkins read without plugins of their own.

import { basename } from 'node:path';
import chalk from 'chalk';
import { Command } from 'commander';
import { ElfError, hex } from '../emulator/elf.ts';
import type { Profile } from '../emulator/profiles.ts';
import { footprint } from '../firmware/footprint.ts';
import {
  type GateOptions,
  type GatesReport,
  gateJunitCases,
  gateLines,
  gatesAsked,
  loadBaseline,
  parseCyclesOption,
  parseToleranceOption,
  runGates,
} from '../gates/check.ts';
import { AllocatorImage, ImageError } from '../runners/image.ts';
import { runScenarioOnImage, SCENARIOS, type ScenarioParams, type ScenarioResult } from '../scenarios/index.ts';
import { imageDigest, parseShardOption, type ShardInfo, shardInfo, shardLine } from '../shard/info.ts';
import { pickShard, type Shard } from '../shard/partition.ts';
import {
  type Ctx,
  checkReportPath,
  EXAMPLES,
  forceOption,
  invocation,
  listOption,
  mcuOption,
  parseNonEmpty,
  parseOps,
  parseSeed,
  parseSize,
  profileFrom,
  readElf,
  UsageError,
  writeReportAtomically,
} from './common.ts';
import { addGdbOptions, type GdbCliOptions, GdbSession, stopForRule } from './gdb.ts';
import { checkHeapFits } from './heap.ts';
import { type Io, println } from './io.ts';

interface CheckOptions extends GateOptions, GdbCliOptions {
  mcu: string;
  scenario?: string;
  seed: number;
  ops: number;
  heap?: number;
  json?: boolean;
  junit?: string;
  quiet?: boolean;
  force?: boolean;
  shard?: Shard;
}

/**
 * Scenarios that need more than the four entry points and the ABI symbols (a symbol the image
 * must define, or nothing a given image can give). no-cas swaps in the project's own CAS builds
 * of its allocators, so it never fits a given ELF. Left out of a default run, and said so.
 */
const NEEDS: Readonly<Record<string, { symbol?: string; why: string }>> = {
  'no-cas': { why: "it runs the project's CAS builds of its own allocators (firmware/images/cas/), not a given image" },
};

/**
 * Scenarios that run only when --scenario names them, and why. stack-collision forces the stack
 * into the heap to show that the stack rule catches it: that says nothing about the allocator, and
 * an allocator whose sl_alloc needs no stack would fail it for being frugal.
 */
const ON_REQUEST: Readonly<Record<string, string>> = {
  'stack-collision':
    'runs only when named (--scenario stack-collision): it forces the stack into the heap to show the stack rule firing, which says nothing about the allocator',
};

/** A scenario a default run left out, and why: reported as skipped, never dropped silently. */
export interface SkippedScenario {
  name: string;
  reason: string;
}

/** Why an image cannot run a scenario, or null when it can. */
function cannotRun(name: string, image: AllocatorImage): string | null {
  const need = NEEDS[name];
  if (!need || (need.symbol && image.machine.symbol(need.symbol) !== undefined)) return null;
  return `cannot run on this image: ${need.why}`;
}

/** The scenarios a run leaves out (none when --scenario names them), each with its reason. */
export function skippedScenarios(requested: string | undefined, image: AllocatorImage): SkippedScenario[] {
  if (requested !== undefined) return [];
  return SCENARIOS.flatMap(({ name }) => {
    const reason = cannotRun(name, image) ?? ON_REQUEST[name];
    return reason ? [{ name, reason }] : [];
  });
}

/** What the CLI shows of a profile: its name and the numbers the results depend on. */
const profileSummary = (p: Profile) => ({ name: p.name, arch: p.arch, flashSize: p.flashSize, sramSize: p.sramSize, clockHz: p.clockHz });

/** One scenario's outcome. Time is emulated, from the cycle counter: the same on every machine. */
export interface ScenarioOutcome {
  name: string;
  ok: boolean;
  cycles: number;
  emulatedSeconds: number;
  result: ScenarioResult;
}

export interface CheckReport {
  schema: 'sramlab.check/1';
  image: {
    path: string;
    /** 'reset': it has a vector table and was reset; 'segments': no startup, sl_init came first. */
    boot: 'reset' | 'segments';
    layout: AllocatorImage['layout'];
    footprint: ScenarioResult['footprint'];
  };
  profile: ReturnType<typeof profileSummary>;
  seed: number;
  ops: number;
  ok: boolean;
  passed: number;
  failed: number;
  /** Scenarios left out of this run, each with its reason (never dropped silently). */
  skipped: number;
  skippedScenarios: SkippedScenario[];
  scenarios: ScenarioOutcome[];
  /** With --max-op-cycles, --max-stack or --baseline: what the gates found (ok counts them). */
  gates?: GatesReport;
  /** With --shard: which part of which whole this is (shard/info.ts); its scenarios are the shard's. */
  shard?: ShardInfo;
}

/** Brings the image up, turning a broken ELF or a missing symbol into one line of bad input. */
function bringUp(path: string, elf: Uint8Array, profile: Profile, force = false): AllocatorImage {
  try {
    return AllocatorImage.fromElf(elf, profile, { boot: 'auto', force }, path);
  } catch (e) {
    if (e instanceof ElfError) throw new UsageError(`${path}: ${e.message}`);
    if (e instanceof ImageError) throw new UsageError(e.message);
    throw e;
  }
}

/** The scenarios check runs on an image (compare uses it for a user's image too); one line for one that cannot run. */
export function chooseScenarios(requested: string | undefined, image: AllocatorImage): string[] {
  const names = SCENARIOS.map((s) => s.name);
  if (requested === undefined) {
    const skipped = new Set(skippedScenarios(requested, image).map((s) => s.name));
    return names.filter((n) => !skipped.has(n));
  }
  const chosen = listOption(requested, names, 'scenario');
  for (const n of chosen) {
    const why = cannotRun(n, image);
    if (why) throw new UsageError(`scenario '${n}' ${why.replace('this image', image.label)}`);
  }
  return chosen;
}

/** A path as a shell word, so the replay command can be pasted as it is. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

function runOne(
  name: string,
  path: string,
  elf: Uint8Array,
  profile: Profile,
  p: ScenarioParams,
  force = false,
  gdb: GdbSession | null = null,
): ScenarioOutcome {
  let image: AllocatorImage | undefined;
  let cycles0 = 0;
  const makeImage = () => {
    image = bringUp(path, elf, profile, force);
    cycles0 = image.machine.cpu.cycles; // the reset handler's cycles are not the scenario's
    gdb?.attach(image.machine);
    return image;
  };
  const replay = (q: ScenarioParams & { heap: number }) =>
    `${invocation()} check ${shellWord(path)} --mcu ${profile.name} --scenario ${name} --seed ${q.seed} --ops ${q.ops} --heap ${q.heap}${force ? ' --force' : ''}`;
  const result = runScenarioOnImage(name, { allocator: basename(path, '.elf'), elf: path, mcu: profile.name, makeImage, replay }, p);
  const cycles = image!.machine.cpu.cycles - cycles0;
  const v = result.ok ? null : result.violation;
  gdb?.finish(v ? stopForRule(v, image!.machine) : null, v ? `${name}: rule ${v.rule} broke at operation ${v.operation}` : undefined);
  return { name, ok: result.ok, cycles, emulatedSeconds: cycles / profile.clockHz, result };
}

// ---- the report of a failure: one text, for the terminal and the JUnit <failure> ------------

/** A one-line summary: what a JUnit reader shows in its list of failures. */
function failureMessage(r: ScenarioResult): string {
  const v = r.violation;
  return v ? `rule ${v.rule}: ${v.message}` : `the scenario failed without naming a rule (replay: ${r.replay})`;
}

/** Every fact a report names, one per line; '—' where the rule has no such fact (a host-side check has no PC). */
function failureReport(r: ScenarioResult): string {
  const v = r.violation;
  if (!v) return `${failureMessage(r)}\nreplay:    ${r.replay}`;
  const or = (x: string | undefined) => x ?? '—';
  const lines: [string, string][] = [
    ['rule', v.rule],
    ['message', v.message],
    ['pc', v.pc === undefined ? '—' : hex(v.pc)],
    ['symbol', or(v.symbol)],
    ['source', or(v.source)],
    ['address', v.address === undefined ? '—' : hex(v.address)],
    ['size', v.size === undefined ? '—' : `${v.size} byte(s)`],
    ['access', or(v.access)],
    ['region', or(v.region)],
    ['operation', `${v.operation}${v.kind ? ` (${v.kind})` : ''}`],
    // isr-reentrancy: the preemption point that failed, and how many were explored before it.
    ...(r.preemption ? [['explored', r.preemption.verdict] as [string, string]] : []),
    ['replay', r.replay],
  ];
  return lines.map(([k, x]) => `${`${k}:`.padEnd(11)}${x}`).join('\n');
}

// ---- JUnit XML ----------------------------------------------------------------------------

/** Characters XML 1.0 cannot carry at all (controls, lone surrogates, U+FFFE/U+FFFF): replaced, never dropped silently. */
const XML_INVALID = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlText(s: string): string {
  return s.replace(XML_INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute values also lose their quotes, and keep their line breaks (a parser would normalise raw ones to spaces). */
function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

const seconds = (s: number) => s.toFixed(6);

export function junitXml(report: CheckReport): string {
  const { profile, scenarios } = report;
  const suite = `sramlab check ${report.image.path} on ${profile.name}`;
  const total = seconds(scenarios.reduce((t, s) => t + s.emulatedSeconds, 0));
  const gateCases = report.gates
    ? gateJunitCases(
        report.gates,
        scenarios.map((s) => s.name),
      )
    : [];
  const tests = scenarios.length + report.skipped + gateCases.length,
    failures = report.failed + gateCases.filter((c) => c.failure).length;
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${report.skipped}" time="${total}"`;
  const props: [string, string][] = [
    ['mcu', profile.name],
    ['seed', String(report.seed)],
    ['ops', String(report.ops)],
    ['boot', report.image.boot],
    ['time', `emulated seconds: cycles / ${profile.clockHz} Hz (not host time)`],
  ];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sramlab" ${counts}>`,
    `  <testsuite name="${xmlAttr(suite)}" ${counts}>`,
    '    <properties>',
    ...props.map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`),
    '    </properties>',
  ];
  for (const s of scenarios) {
    const head = `    <testcase classname="${xmlAttr(`sramlab.${profile.name}`)}" name="${xmlAttr(s.name)}" time="${seconds(s.emulatedSeconds)}"`;
    if (s.ok) {
      out.push(`${head}/>`);
      continue;
    }
    const type = s.result.violation?.rule ?? 'unknown';
    out.push(
      `${head}>`,
      `      <failure message="${xmlAttr(failureMessage(s.result))}" type="${xmlAttr(type)}">${xmlText(failureReport(s.result))}</failure>`,
      '    </testcase>',
    );
  }
  for (const s of report.skippedScenarios) {
    out.push(
      `    <testcase classname="${xmlAttr(`sramlab.${profile.name}`)}" name="${xmlAttr(s.name)}" time="0">`,
      `      <skipped message="${xmlAttr(s.reason)}"/>`,
      '    </testcase>',
    );
  }
  // The gates, one test case per gate and scenario, classed by rule (time: none of their own).
  for (const c of gateCases) {
    const head = `    <testcase classname="${xmlAttr(`sramlab.${profile.name}.${c.rule}`)}" name="${xmlAttr(c.name)}" time="0"`;
    out.push(
      c.failure
        ? `${head}>\n      <failure message="${xmlAttr(c.failure.message)}" type="${c.rule}">${xmlText(c.failure.text)}</failure>\n    </testcase>`
        : `${head}/>`,
    );
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}

// ---- the command --------------------------------------------------------------------------

/** The first line of check's terminal report. */
const headerLine = (path: string, mcu: string, boot: CheckReport['image']['boot']) =>
  `sramlab check ${path} on ${mcu} (${boot === 'reset' ? 'from its reset handler' : 'no vector table: from its segments, sl_init first'})`;

const skipLine = (s: SkippedScenario) => `  ${chalk.yellow('SKIP')} ${s.name.padEnd(16)} ${s.reason}`;

function gateReportLines(g: GatesReport, quiet: boolean | undefined): string[] {
  return gateLines(g, { fail: chalk.red, pass: chalk.green }).filter((line) => !(quiet && line.includes('PASS')));
}

function summaryLine(r: CheckReport): string {
  const n = r.scenarios.length;
  return (
    `${n} scenario${n === 1 ? '' : 's'}: ${r.passed} passed, ${r.failed} failed` +
    (r.skipped ? `, ${r.skipped} skipped (${r.skippedScenarios.map((s) => s.name).join(', ')})` : '')
  );
}

/**
 * The terminal report of a finished check, line for line what check printed as it ran (less
 * --gdb's lines): `sramlab merge` prints a merged report with it.
 */
export function printCheckReport(r: CheckReport, opts: { quiet?: boolean }, say: (line: string) => void): void {
  if (!opts.quiet) say(headerLine(r.image.path, r.profile.name, r.image.boot));
  for (const s of r.scenarios) if (!(opts.quiet && s.ok)) printOutcome(s, say);
  for (const s of r.skippedScenarios) say(skipLine(s));
  if (r.gates) for (const line of gateReportLines(r.gates, opts.quiet)) say(line);
  say(summaryLine(r));
}

/** The gates over a merged report's scenarios, as the unsharded check would have run them (the baseline is read again). */
export function gatesOfMerged(r: CheckReport): GatesReport | undefined {
  if (!r.gates) return undefined;
  const o: GateOptions = {
    maxOpCycles: r.gates.maxOpCycles ?? undefined,
    maxStack: r.gates.maxStackBytes ?? undefined,
    baseline: r.gates.baseline ?? undefined,
    tolerance: r.gates.tolerance,
  };
  const baseline = o.baseline !== undefined ? loadBaseline(o.baseline, { mcu: r.profile.name, seed: r.seed, ops: r.ops }) : undefined;
  return runGates(
    o,
    r.scenarios.map((s) => s.result),
    r.image.footprint,
    baseline,
  );
}

/** A report's verdict and counts from its scenarios (the gates, when asked, may still fail it). */
export function tally(scenarios: readonly ScenarioOutcome[]): Pick<CheckReport, 'ok' | 'passed' | 'failed'> {
  const failed = scenarios.filter((s) => !s.ok).length;
  return { ok: failed === 0, passed: scenarios.length - failed, failed };
}

/** The footprint a report names: the first scenario's (in run order) that measured the in-heap figures. */
export const measuredFootprint = (scenarios: readonly ScenarioOutcome[]) =>
  scenarios.map((s) => s.result.footprint).find((f) => f.largestBlockAfterInit !== null);

function printOutcome(s: ScenarioOutcome, say: (line: string) => void): void {
  const r = s.result;
  const ops = `${r.operations} operations, ${seconds(s.emulatedSeconds)} s emulated`;
  if (s.ok) {
    const caught = r.caught ? `; caught as expected: rule ${r.caught.rule}` : '';
    say(`  ${chalk.green('PASS')} ${s.name.padEnd(16)} ${ops}${caught}`);
    // A pass of isr-reentrancy is a claim about the points it explored: say how many.
    if (r.preemption) say(`       ${r.preemption.verdict}`);
    return;
  }
  say(`  ${chalk.red('FAIL')} ${s.name.padEnd(16)} ${ops}`);
  for (const line of failureReport(r).split('\n')) say(`       ${line}`);
}

function check(path: string, opts: CheckOptions, io: Io): number {
  const say = (line: string) => println(io, line);
  const profile = profileFrom(opts);
  if (opts.junit !== undefined) checkReportPath(opts.junit, '--junit');
  const elf = readElf(path);
  const baseline =
    opts.baseline !== undefined ? loadBaseline(opts.baseline, { mcu: profile.name, seed: opts.seed, ops: opts.ops }) : undefined;
  const image = bringUp(path, elf, profile, opts.force);
  const whole = chooseScenarios(opts.scenario, image);
  // --shard: this run's part of the scenarios, dealt round-robin in check's own order.
  const names = opts.shard ? pickShard(whole, opts.shard) : whole;
  const skipped = skippedScenarios(opts.scenario, image);
  const region = image.layout.heapRegion.end - image.layout.heapRegion.start;
  if (opts.heap !== undefined && opts.heap > region) {
    throw new UsageError(`--heap ${opts.heap}: does not fit ${path}'s heap region of ${region} bytes (__heap_start to __heap_end)`);
  }
  if (opts.heap !== undefined) {
    for (const name of names) {
      checkHeapFits(
        (heap, observe) =>
          runScenarioOnImage(
            name,
            { allocator: path, mcu: profile.name, makeImage: () => bringUp(path, elf, profile, opts.force), replay: () => '' },
            { seed: opts.seed, ops: opts.ops, heap },
            observe,
          ),
        opts.heap,
        `${path} on ${profile.name} in ${name}`,
      );
    }
  }
  const params: ScenarioParams = { seed: opts.seed, ops: opts.ops, heap: opts.heap };
  if (!opts.json && !opts.quiet) say(headerLine(path, profile.name, image.boot));
  if (!opts.json && opts.shard) say(shardLine(opts.shard, names.length, whole.length, 'scenarios'));
  const scenarios: ScenarioOutcome[] = [];
  // --gdb: the first scenario that breaks a rule stops there and waits for gdb (cli/gdb.ts).
  const gdb = GdbSession.open(opts, io, true);
  for (const name of names) {
    let s: ScenarioOutcome;
    try {
      s = runOne(name, path, elf, profile, params, opts.force, gdb);
    } catch (e) {
      gdb?.close();
      throw e;
    }
    scenarios.push(s);
    if (!opts.json && !(opts.quiet && s.ok)) printOutcome(s, say);
  }
  gdb?.close();
  if (!opts.json) for (const s of skipped) say(skipLine(s));
  const report: CheckReport = {
    schema: 'sramlab.check/1',
    image: {
      path,
      boot: image.boot,
      layout: image.layout,
      // The in-heap figures are measured by a run: the first scenario that measured them.
      footprint: measuredFootprint(scenarios) ?? {
        ...footprint(image.machine.image!),
        largestBlockAfterInit: null,
        heapBytesGoneAtInit: null,
      },
    },
    profile: profileSummary(profile),
    seed: opts.seed,
    ops: opts.ops,
    ...tally(scenarios),
    skipped: skipped.length,
    skippedScenarios: skipped,
    scenarios,
  };
  if (gatesAsked(opts)) {
    report.gates = runGates(
      opts,
      scenarios.map((s) => s.result),
      report.image.footprint,
      baseline,
    );
    report.ok &&= report.gates.ok;
    if (!opts.json) for (const line of gateReportLines(report.gates, opts.quiet)) say(line);
  }
  if (opts.shard) {
    const run = {
      elf: path,
      sha256: imageDigest(path),
      mcu: profile.name,
      scenario: whole,
      seed: opts.seed,
      ops: opts.ops,
      heap: opts.heap ?? null,
      force: opts.force === true,
      maxOpCycles: opts.maxOpCycles ?? null,
      maxStack: opts.maxStack ?? null,
      baseline: opts.baseline ?? null,
      tolerance: opts.tolerance ?? null,
    };
    report.shard = shardInfo(opts.shard, 'check', run, whole.length, names.length);
  }
  if (opts.junit !== undefined) writeReportAtomically(opts.junit, junitXml(report), '--junit');
  if (opts.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else say(summaryLine(report));
  return report.ok ? 0 : 1;
}

export function checkCommand(ctx: Ctx): Command {
  return addGdbOptions(
    new Command('check')
      .description(
        'Check your own allocator ELF (the sramlab ABI, firmware/README.md) through every scenario that fits it, every check on: for CI.',
      )
      .argument('<elf>', 'allocator image: with a vector table it is reset first; without one, sl_init is the first call')
      .addOption(mcuOption())
      .option(
        '--scenario <names>',
        `comma-separated scenarios (default: every one that fits the image, but ${Object.keys(ON_REQUEST).join(', ')}, each reported as skipped): ${SCENARIOS.map((s) => s.name).join(', ')}`,
      )
      .option('--seed <n>', 'seed of the workloads (0 to 4294967295)', parseSeed, 1)
      .option('--ops <n>', 'operations (for scenarios that take a count; 1 to 10M)', parseOps, 1000)
      .option('--heap <size>', 'heap bytes given to sl_init (default 16K, or the whole heap region if smaller)', parseSize)
      .option('--json', 'print the report as JSON (schema sramlab.check/1)')
      .option('--junit <file>', 'also write a JUnit XML report (one testcase per scenario, time in emulated seconds)', parseNonEmpty)
      .option('--quiet', 'print only failures and the final count')
      .addOption(forceOption())
      .option(
        '--max-op-cycles <n>',
        'gate: fail when any single operation takes more than n cycles (named with its replay)',
        parseCyclesOption,
      )
      .option('--max-stack <bytes>', 'gate: fail when the peak allocator stack of a scenario exceeds this', parseSize)
      .option(
        '--baseline <file>',
        'gate: a previous `check --json`; fail when p99 or max cycles per kind, peak stack or footprint grew by more than --tolerance',
        parseNonEmpty,
      )
      .option('--tolerance <percent>', 'with --baseline: the growth allowed, in % (default 5)', parseToleranceOption)
      .option(
        '--shard <k/n>',
        'run only part k of n of the scenarios (round-robin); join the parts with `sramlab merge`',
        parseShardOption,
      ),
    false,
  )
    .addHelpText(
      'after',
      EXAMPLES([
        'sramlab check firmware.elf --mcu cortex-m0 --junit sramlab.xml',
        'sramlab check examples/c-allocator/bump-cortex-m3.elf --mcu cortex-m3 --scenario smoke,alignment --json',
        'sramlab check firmware.elf --max-op-cycles 2000 --max-stack 256 --baseline previous.json --tolerance 5',
        'sramlab check firmware.elf --gdb 3333     # stops at the first broken rule; gdb-multiarch firmware.elf -ex "target remote :3333"',
        'sramlab check firmware.elf --shard 2/8 --json > shard-2.json   # one of 8 CI jobs; then: sramlab merge shard-*.json --junit sramlab.xml',
      ]) +
        '\nReplay lines start the way sramlab was started (npx sramlab, sramlab, node bin/sramlab.js) and repeat the path as given.\nExit status: 0 every check and gate held, 1 a check or gate failed, 2 bad input (an unreadable ELF or baseline, a missing ABI symbol, a wrong flag).\n',
    )
    .action((elf: string, opts: CheckOptions) => {
      ctx.status = check(elf, opts, ctx.io);
    });
}
