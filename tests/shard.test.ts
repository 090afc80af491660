// --shard k/n and `sramlab merge`, against the reference every merge must reproduce: the same
// command run unsharded. For check, fuzz and compare, on built-ins and on users' images (built to
// the ABI: examples/c-allocator, tests/broken-allocators), n shards merged print the unsharded
// JSON (a merged document has no `shard` member, and none of these documents carries a host
// time), the same terminal report (compare's table footer says host seconds: the shards' sum) and
// the same exit status. Every bad input to merge is one line and exit 2.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard } from '../shard/partition.ts';
import { sramlab } from './support/cli-in-process.ts';

const ROOT = join(import.meta.dirname, '..');
const BUMP = join(ROOT, 'examples/c-allocator/bump-cortex-m0.elf');
const OVERLAP = join(ROOT, 'examples/c-allocator/bump-broken-overlap-cortex-m0.elf');
const LEAKY = join(ROOT, 'tests/broken-allocators/images/leaky-cortex-m0.elf');
const dir = mkdtempSync(join(tmpdir(), 'sramlab-shard-'));

/** Runs `args --shard k/n --json` for k = 1 … n and writes each to a file; returns the files (in shard order) and statuses. */
async function shards(name: string, args: string[], n: number) {
  const files: string[] = [],
    statuses: number[] = [];
  for (let k = 1; k <= n; k++) {
    const r = await sramlab(...args, '--shard', `${k}/${n}`, '--json');
    expect(r.err).toBe('');
    const f = join(dir, `${name}-${k}.json`);
    writeFileSync(f, r.out);
    files.push(f);
    statuses.push(r.status);
  }
  return { files, statuses };
}

/** The reference and the merge (shards given in reverse: their order on the command line is free). */
async function sameAsUnsharded(name: string, args: string[], n: number, extra: string[] = []) {
  const { files, statuses } = await shards(name, args, n);
  const whole = await sramlab(...args, '--json', ...extra);
  const merged = await sramlab('merge', ...[...files].reverse(), '--json');
  expect(merged.err).toBe('');
  expect(JSON.parse(merged.out)).toEqual(JSON.parse(whole.out));
  expect(merged.status).toBe(whole.status);
  // A shard's status is about its own part: 1 exactly where its own part failed.
  const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  return { whole: JSON.parse(whole.out), status: whole.status, files, statuses, parts };
}

describe('check --shard, merged', () => {
  it("a user's image that breaks rules, with gates: the merged JSON, JUnit and exit status are the unsharded run's", async () => {
    // The quicker scenarios (fill-and-drain and isr-reentrancy alone take as long as the rest).
    const scenarios = 'smoke,random-actions,alignment,zero-size,heap-exhaustion,chunk-bench,contract-edges';
    const args = ['check', OVERLAP, '--scenario', scenarios, '--ops', '30', '--max-op-cycles', '150', '--max-stack', '96'];
    const junitWhole = join(dir, 'whole.xml'),
      junitMerged = join(dir, 'merged.xml');
    const r = await sameAsUnsharded('check', args, 3, ['--junit', junitWhole]);
    expect(r.status).toBe(1);
    expect(r.whole.failed).toBeGreaterThan(0);
    expect(r.whole.gates.findings.length).toBeGreaterThan(0);
    // Round-robin: shard k holds scenarios k-1, k-1+n, … of the whole, each once.
    const names = r.whole.scenarios.map((s: { name: string }) => s.name);
    r.parts.forEach((p, k) => {
      expect(p.shard).toMatchObject({ index: k + 1, count: 3, total: names.length, run: { command: 'check', elf: OVERLAP } });
      expect(p.scenarios.map((s: { name: string }) => s.name)).toEqual(names.filter((_: string, i: number) => i % 3 === k));
      expect(r.statuses[k]).toBe(p.ok ? 0 : 1);
    });
    // The JUnit file, as check writes it.
    const merged = await sramlab('merge', ...r.files, '--junit', junitMerged);
    expect(merged.status).toBe(1);
    expect(readFileSync(junitMerged, 'utf8')).toBe(readFileSync(junitWhole, 'utf8'));
  });

  it('a passing image: exit 0, the terminal report is the unsharded one, and a shard prints which part it is', async () => {
    const args = ['check', BUMP, '--scenario', 'smoke,alignment,zero-size', '--ops', '50'];
    const r = await sameAsUnsharded('check-pass', args, 2);
    expect(r.status).toBe(0);
    expect((await sramlab('merge', ...r.files)).out).toBe((await sramlab(...args)).out);
    const one = await sramlab(...args, '--shard', '2/2');
    expect(one.out.split('\n')[1]).toBe('shard 2/2: 1 of 3 scenarios');
  });
});

describe('compare --shard, merged', () => {
  it('built-ins beside a broken user image: the merged JSON, table and HTML page are the unsharded run', async () => {
    const args = ['compare', '--alloc', `galloc,${OVERLAP}`, '--mcu', 'cortex-m0', '--scenario', 'zero-size,random-actions', '--ops', '20'];
    const r = await sameAsUnsharded('compare', [...args, '--workers', '1'], 3);
    expect(r.status).toBe(1);
    expect(r.whole.results).toHaveLength(4);
    expect(r.parts.map((p) => p.results.length)).toEqual([2, 1, 1]);
    const secs = (t: string) => t.replace(/in \d+\.\d s/, 'in … s');
    // The page too: it differs only where it names the file written, in its "Run again" command.
    const [pageWhole, pageMerged] = [join(dir, 'whole.html'), join(dir, 'merged.html')];
    const text = await sramlab(...args, '--workers', '1', '--html', pageWhole, '--quiet');
    const merged = await sramlab('merge', ...r.files, '--html', pageMerged, '--quiet');
    expect(secs(merged.out)).toBe(secs(text.out));
    expect(readFileSync(pageMerged, 'utf8').replace(pageMerged, pageWhole)).toBe(readFileSync(pageWhole, 'utf8'));
    const one = await sramlab(...args, '--workers', '1', '--shard', '3/4');
    expect(one.out.split('\n')[0]).toBe('shard 3/4: 1 of 4 runs');
  });
});

describe('fuzz --sequences --shard, merged', () => {
  it('galloc: every sequence held; the merged counts are the unsharded campaign', async () => {
    const r = await sameAsUnsharded('fuzz', ['fuzz', '--alloc', 'galloc', '--sequences', '5', '--seed', '9'], 3);
    expect(r.status).toBe(0);
    expect(r.whole.sequences).toBe(5);
    expect(r.parts.map((p) => p.sequences)).toEqual([2, 2, 1]);
    expect(r.parts.reduce((t, p) => t + p.operations, 0)).toBe(r.whole.operations);
  });

  it('a leaking user image: the failure of the lowest-numbered sequence, shrunk as the unsharded search shrinks it', async () => {
    const r = await sameAsUnsharded('fuzz-leaky', ['fuzz', '--alloc', LEAKY, '--sequences', '6'], 2);
    expect(r.status).toBe(1);
    expect(r.whole.violation.rule).toBe('leak');
    // Each shard stopped at its own first sequence; the merge keeps sequence 0's, shard 1's.
    expect(r.parts.map((p) => p.shard.failedSequence)).toEqual([0, 1]);
    expect(r.statuses).toEqual([1, 1]);
  });
});

describe('bad input: one line, exit 2', () => {
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const oneLine = async (args: string[], message: RegExp) => {
    const r = await sramlab(...args);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^sramlab: [^\n]*\n$/);
    expect(r.err).toMatch(message);
  };

  it('merge refuses what is not every shard of one run, each once', async () => {
    const { files } = await shards('bad', ['check', BUMP, '--scenario', 'smoke,zero-size', '--ops', '20'], 2);
    const [a, b] = files as [string, string];
    const doc = JSON.parse(readFileSync(a, 'utf8'));
    const { files: other } = await shards('bad-fuzz', ['fuzz', '--alloc', 'galloc', '--sequences', '1'], 2);
    const unsharded = (await sramlab('check', BUMP, '--scenario', 'smoke', '--ops', '20', '--json')).out;
    const edited = (f: (d: typeof doc) => void, name: string) => {
      const d = structuredClone(doc);
      f(d);
      return file(name, JSON.stringify(d));
    };
    await oneLine(['merge', a, join(dir, 'nope.json')], /cannot read '.*nope\.json': no such file/);
    await oneLine(['merge', a, dir], /cannot read/);
    await oneLine(['merge', file('text.json', 'PASS smoke\n')], /not JSON/);
    await oneLine(['merge', file('other.json', '{"results": []}')], /not a sramlab JSON document/);
    await oneLine(['merge', file('list.json', '{"schema": "sramlab.list/1"}')], /sramlab\.list\/1 documents cannot be merged/);
    await oneLine(['merge', file('unsharded.json', unsharded)], /without a 'shard' member/);
    await oneLine(['merge', a, other[1]!], /is sramlab\.fuzz\/1, .* is sramlab\.check\/1/);
    await oneLine(['merge', a], /shard 2\/2 missing/);
    await oneLine(['merge', a, a, b], /shard 1\/2 is given twice/);
    await oneLine(
      ['merge', a, edited((d) => Object.assign(d.shard, { index: 2 }), 'relabelled.json')],
      /shard 2\/2 holds 'smoke' where the run has 'zero-size'/,
    );
    await oneLine(
      ['merge', a, b, edited((d) => Object.assign(d.shard, { index: 3, count: 3 }), 'of3.json')],
      /of 2 shards: not the same run/,
    );
    await oneLine(
      ['merge', b, edited((d) => Object.assign(d.shard.run, { seed: 2 }), 'run.json')],
      /of another run than .* \(seed 1 vs 2\)/,
    );
    await oneLine(['merge', b, edited((d) => Object.assign(d.shard, { version: '0.0.1' }), 'ver.json')], /written by sramlab 0\.0\.1/);
    await oneLine(
      ['merge', b, edited((d) => Object.assign(d.shard.run, { sha256: '0'.repeat(64) }), 'rebuilt.json')],
      /another run .* \(sha256 "[0-9a-f]{64}" vs "0{64}"\)/,
    );
    await oneLine(
      ['merge', b, edited((d) => d.scenarios.push(d.scenarios[0]), 'extra.json')],
      /shard 1\/2 holds 2 scenarios, not its share of 1 of 2/,
    );
    await oneLine(['merge', b, edited((d) => Object.assign(d, { seed: 7 }), 'mixed.json')], /differs from shard 1\/2 in 'seed'/);
    await oneLine(['merge', a, b, '--html', join(dir, 'x.html')], /--html: sramlab\.check\/1 has no HTML report/);
    await oneLine(['merge', ...other, '--junit', join(dir, 'x.xml')], /--junit: sramlab\.fuzz\/1 has no JUnit report/);
    await oneLine(['merge'], /missing required argument/);
  });

  it('--shard takes k/n with 1 ≤ k ≤ n on every command, and nothing that cannot be shared', async () => {
    // The parser's own reference: the ranges it documents.
    expect(parseShard(' 3/8 ')).toEqual({ index: 3, count: 8 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '1/1025']) {
      await oneLine(['check', BUMP, '--shard', bad], /--shard <k\/n>/);
      await oneLine(['compare', '--shard', bad], /--shard <k\/n>/);
      await oneLine(['fuzz', '--alloc', 'galloc', '--shard', bad], /--shard <k\/n>/);
    }
    await oneLine(['fuzz', '--alloc', 'galloc', '--replay', 'a8:4', '--shard', '1/2'], /--shard with --replay/);
    await oneLine(['compare', '--shard', '1/2', '--html', join(dir, 'p.html')], /--html with --shard/);
    await oneLine(['fuzz', '--alloc', 'galloc', '--sequences', '5', '--time', '2s'], /cannot be used with/);
  });
});
