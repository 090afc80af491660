// `sramlab check` never leaves a scenario out silently: each one a default run does not run is
// named with its reason in the terminal, the JSON and the JUnit report. On the C example
// (no harness, no vector table) that is exactly no-cas (it runs the project's own CAS builds,
// never a given image) and stack-collision (only when named); isr-reentrancy runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../firmware/allocators.ts';

const BIN = join(REPO_ROOT, 'bin', 'sramlab.js');
const ELF = join(REPO_ROOT, 'examples', 'c-allocator', 'bump-cortex-m0.elf');
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-skipped-'));

function sramlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NO_CAS = /^cannot run on this image: it runs the project's CAS builds of its own allocators/;
const STACK = /^runs only when named \(--scenario stack-collision\)/;

/** The XML entities the report writes, back to characters. */
const unescapeXml = (s: string) =>
  s
    .replace(/&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('check: a scenario left out is reported as skipped, with its reason', () => {
  it('in the terminal and in JUnit (<skipped message>, the testsuite counts)', () => {
    const junit = join(tmp, 'r.xml');
    const r = sramlab('check', ELF, '--mcu', 'cortex-m0', '--ops', '20', '--junit', junit);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ {2}PASS isr-reentrancy /m);
    const skips = [...r.stdout.matchAll(/^ {2}SKIP (\S+) +(.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(skips.map(([n]) => n)).toEqual(['stack-collision', 'no-cas']);
    expect(skips[0][1]).toMatch(STACK);
    expect(skips[1][1]).toMatch(NO_CAS);
    const ran = [...r.stdout.matchAll(/^ {2}PASS /gm)].length;
    expect(r.stdout).toMatch(new RegExp(`^${ran} scenarios: ${ran} passed, 0 failed, 2 skipped \\(stack-collision, no-cas\\)$`, 'm'));

    const xml = readFileSync(junit, 'utf8');
    const suite = xml.match(/<testsuite name="[^"]*" tests="(\d+)" failures="(\d+)" errors="0" skipped="(\d+)"/)!;
    expect(suite.slice(1).map(Number)).toEqual([ran + 2, 0, 2]);
    expect(xml).toMatch(/<testsuites name="sramlab" tests="\d+" failures="0" errors="0" skipped="2"/);
    const skipped = [
      ...xml.matchAll(
        /<testcase classname="sramlab\.cortex-m0" name="([^"]+)" time="0">\n\s*<skipped message="([^"]*)"\/>\n\s*<\/testcase>/g,
      ),
    ].map((m) => [m[1], unescapeXml(m[2])]);
    expect(skipped.map(([n]) => n)).toEqual(['stack-collision', 'no-cas']);
    expect(skipped[1][1]).toMatch(NO_CAS);
    expect(skipped[0][1]).toMatch(STACK);
    expect(xml.match(/<testcase /g)).toHaveLength(ran + 2);
  });

  it('in JSON: skipped and skippedScenarios; none when --scenario names what to run', () => {
    const all = JSON.parse(sramlab('check', ELF, '--mcu', 'cortex-m0', '--ops', '20', '--json').stdout);
    expect(all.skipped).toBe(2);
    expect(all.skippedScenarios).toEqual([
      { name: 'stack-collision', reason: expect.stringMatching(STACK) },
      { name: 'no-cas', reason: expect.stringMatching(NO_CAS) },
    ]);
    expect(all.scenarios.map((s: { name: string }) => s.name)).toContain('isr-reentrancy');
    expect(all.passed + all.failed).toBe(all.scenarios.length);

    const named = sramlab('check', ELF, '--mcu', 'cortex-m0', '--scenario', 'isr-reentrancy,stack-collision', '--json');
    expect(named.status).toBe(0);
    const doc = JSON.parse(named.stdout);
    expect(doc).toMatchObject({ skipped: 0, skippedScenarios: [], passed: 2 });
  });
});
