// The CI jobs of examples/ci/ and the install line, against the docs that show them: both files
// parse (tests/support/mini-yaml.ts, checked against PyYAML where it is installed), run the steps
// the docs describe in that order, and appear verbatim where README.md and examples/README.md
// show them; no doc tells anyone to install sramlab from the npm registry, where it is not.
// tests/long/examples.test.ts runs the jobs' build and check lines for real.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sramlab, words } from './support/cli-in-process.ts';
import { parseYaml, type Yaml } from './support/mini-yaml.ts';

const ROOT = join(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const GITHUB = 'examples/ci/github-actions.yml';
const GITLAB = 'examples/ci/gitlab-ci.yml';
const SHARDED = 'examples/ci/github-sharded.yml';

/** What the docs say a project runs, in this order: compiler, sramlab, build, check. */
const INSTALL = 'npm install --save-dev git+https://<your sramlab git URL>';
const BUILD = './build.sh';
const CHECK = 'npx sramlab check build/fw.elf --mcu cortex-m0 --junit sramlab.xml';

type Map = { [k: string]: Yaml };
const asMap = (y: Yaml | undefined): Map => {
  expect(y !== null && typeof y === 'object' && !Array.isArray(y), `not a mapping: ${JSON.stringify(y)}`).toBe(true);
  return y as Map;
};
const asList = (y: Yaml | undefined): Yaml[] => {
  expect(Array.isArray(y), `not a sequence: ${JSON.stringify(y)}`).toBe(true);
  return y as Yaml[];
};

describe('tests/support/mini-yaml.ts', () => {
  it('parses nested mappings and sequences, "- key:" items, scalars and comments', () => {
    const doc = parseYaml("a: 1  # one\nb:\n  - x\n  - k: v\n    n: 20\n  -\n    deep: true\nc:\nd: 'q # not a comment'\n");
    expect(doc).toEqual({ a: 1, b: ['x', { k: 'v', n: 20 }, { deep: true }], c: null, d: 'q # not a comment' });
  });

  it('refuses what is outside its subset instead of misreading it', () => {
    expect(() => parseYaml('on: [push, pull_request]\n')).toThrow(/line 1/);
    expect(() => parseYaml('run: |\n  make\n')).toThrow(/line 1/);
    expect(() => parseYaml('a: 1\n   b: 2\n')).toThrow(/line 2/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/twice/);
  });

  it('reads the CI files as PyYAML does (where python3-yaml is installed)', (ctx) => {
    const py =
      'import sys, json, yaml\n' +
      // YAML 1.1 reads the key "on" as true; GitHub reads it as "on".
      'fix = lambda x: {("on" if k is True else k): fix(v) for k, v in x.items()} if isinstance(x, dict) else [fix(v) for v in x] if isinstance(x, list) else x\n' +
      'print(json.dumps([fix(yaml.safe_load(open(f))) for f in sys.argv[1:]]))\n';
    const r = spawnSync('python3', ['-c', py, GITHUB, GITLAB, SHARDED], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0 && /No module named|ENOENT/.test(`${r.stderr}${r.error?.message ?? ''}`)) ctx.skip();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([parseYaml(read(GITHUB)), parseYaml(read(GITLAB)), parseYaml(read(SHARDED))]);
  });
});

describe('examples/ci/github-actions.yml', () => {
  const doc = asMap(parseYaml(read(GITHUB)));
  const job = asMap(asMap(doc.jobs).sramlab);
  const steps = asList(job.steps).map(asMap);

  it('runs on pushes and pull requests, on ubuntu-latest', () => {
    expect(Object.keys(asMap(doc.on))).toEqual(['push', 'pull_request']);
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  it('checks out, sets up Node 20 with the npm cache, then runs compiler install, npm ci, build and check in order', () => {
    expect(steps[0]!.uses).toBe('actions/checkout@v4');
    expect(steps[1]!.uses).toBe('actions/setup-node@v4');
    expect(asMap(steps[1]!.with)).toEqual({ 'node-version': 20, cache: 'npm' });
    const runs = steps.filter((s) => s.run !== undefined).map((s) => s.run);
    expect(runs).toHaveLength(4);
    expect(runs[0]).toMatch(/^sudo apt-get update && sudo apt-get install -y gcc-arm-none-eabi$/);
    expect(runs.slice(1)).toEqual(['npm ci', BUILD, CHECK]);
  });

  it('uploads the JUnit file the check writes, when the check failed too', () => {
    const upload = steps.at(-1)!;
    expect(upload.uses).toBe('actions/upload-artifact@v4');
    expect(upload.if).toBe('success() || failure()');
    expect(asMap(upload.with).path).toBe(/--junit (\S+)/.exec(CHECK)![1]);
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  const job = asMap(asMap(parseYaml(read(GITLAB))).sramlab);

  it('runs in node:20-bookworm: compiler install, npm ci, build and check in order', () => {
    expect(job.image).toBe('node:20-bookworm');
    const lines = [...asList(job.before_script), ...asList(job.script)];
    expect(lines[0]).toBe('apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc-arm-none-eabi');
    expect(lines.slice(1)).toEqual(['npm ci', BUILD, CHECK]);
  });

  it('keeps the JUnit file as a report and an artifact, on failure too', () => {
    const artifacts = asMap(job.artifacts);
    expect(artifacts.when).toBe('always');
    expect(asMap(artifacts.reports).junit).toBe('sramlab.xml');
    expect(asList(artifacts.paths)).toEqual(['sramlab.xml']);
  });
});

describe('examples/ci/github-sharded.yml', () => {
  const jobs = asMap(asMap(parseYaml(read(SHARDED))).jobs);
  const shard = asMap(jobs.shard),
    merge = asMap(jobs.merge);
  const runs = (job: Map) =>
    asList(job.steps)
      .map(asMap)
      .flatMap((s) => (s.run === undefined ? [] : [String(s.run)]));
  const step = (job: Map, uses: string) =>
    asList(job.steps)
      .map(asMap)
      .find((s) => s.uses === uses)!;
  // GitHub's expressions, ${{ … }}, written as template text so that no linter takes them for a slip.
  const MATRIX = `\${{ matrix.shard }}`;
  const SHARD_LINE = `npx sramlab check build/fw.elf --mcu cortex-m0 --shard ${MATRIX}/8 --json > shard-${MATRIX}.json`;
  const MERGE_LINE = 'npx sramlab merge shard-*.json --junit sramlab.xml';

  it('runs the check of github-actions.yml as a matrix of 8 shards, every shard to the end, each keeping its JSON', () => {
    expect(asMap(asMap(shard.strategy).matrix).shard).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(asMap(shard.strategy)['fail-fast']).toBe(false);
    const lines = runs(shard);
    expect(lines.slice(1)).toEqual(['npm ci', BUILD, SHARD_LINE]);
    expect(SHARD_LINE.replace(/ --shard .* --json > .*$/, ' --junit sramlab.xml')).toBe(CHECK);
    const upload = step(shard, 'actions/upload-artifact@v4');
    expect(upload.if).toBe('success() || failure()');
    expect(asMap(upload.with)).toEqual({ name: `sramlab-shard-${MATRIX}`, path: `shard-${MATRIX}.json` });
  });

  it('merges after every shard, failed ones too, from the artifacts the shards uploaded', () => {
    expect(merge.needs).toBe('shard');
    expect(merge.if).toBe(`\${{ !cancelled() }}`);
    expect(runs(merge)).toEqual(['npm ci', MERGE_LINE]);
    expect(asMap(step(merge, 'actions/download-artifact@v4').with)).toEqual({ pattern: 'sramlab-shard-*', 'merge-multiple': true });
    expect(asMap(step(merge, 'actions/upload-artifact@v4').with).path).toBe('sramlab.xml');
  });

  it('its lines run: two of the shards write their JSON, and the merge line reads them and names the six still missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sramlab-ci-shards-'));
    const elf = join(ROOT, 'examples/c-allocator/bump-cortex-m0.elf'); // what build.sh builds, committed
    for (const k of [1, 2]) {
      const [cmd, out] = SHARD_LINE.replaceAll(MATRIX, String(k)).split(' > ') as [string, string];
      const r = await sramlab(
        ...words(cmd)
          .slice(2)
          .map((w) => (w === 'build/fw.elf' ? elf : w)),
      );
      const doc = JSON.parse(r.out);
      expect(doc.shard).toMatchObject({ index: k, count: 8 });
      expect(r.status).toBe(doc.ok ? 0 : 1);
      writeFileSync(join(dir, out), r.out);
    }
    const [head, tail] = words(MERGE_LINE).slice(2).join(' ').split(' shard-*.json ') as [string, string];
    const files = readdirSync(dir).filter((f) => /^shard-.*\.json$/.test(f));
    const r = await sramlab(
      head,
      ...files.map((f) => join(dir, f)),
      ...tail.split(' ').map((w) => (w === 'sramlab.xml' ? join(dir, w) : w)),
    );
    expect(r.err).toBe('sramlab: shards 3/8, 4/8, 5/8, 6/8, 7/8, 8/8 missing\n');
    expect(r.status).toBe(2);
  });
});

describe('the docs show the same jobs and one way to install', () => {
  const fenced = (doc: string, body: string) => doc.includes(`\`\`\`yaml\n${body}\`\`\`\n`);

  it('examples/README.md shows both files verbatim, README.md the GitHub one', () => {
    expect(fenced(read('examples/README.md'), read(GITHUB))).toBe(true);
    expect(fenced(read('examples/README.md'), read(GITLAB))).toBe(true);
    expect(fenced(read('README.md'), read(GITHUB))).toBe(true);
  });

  it('README.md, examples/README.md and both CI files give the same git install line', () => {
    for (const f of ['README.md', 'examples/README.md', GITHUB, GITLAB, SHARDED]) expect(read(f), f).toContain(INSTALL);
  });

  it('no doc installs sramlab from the npm registry', () => {
    const docs = ['README.md', 'firmware/README.md', ...mdFiles('examples'), GITHUB, GITLAB, SHARDED];
    const registry = /\b(npm (install|i|add)|yarn add|pnpm add)\s+(-D\s+|--save-dev\s+)?sramlab\b|\bnpx (--yes |-y )?sramlab@/;
    for (const f of docs) expect(registry.exec(read(f))?.[0], f).toBeUndefined();
  });

  it("the build line the jobs run is the multi-file example's script, which writes build/fw.elf", () => {
    const script = join(ROOT, 'examples/multi-file-allocator/build.sh');
    expect(statSync(script).mode & 0o111, 'build.sh must be executable').not.toBe(0);
    expect(readFileSync(script, 'utf8')).toMatch(/-o build\/fw\.elf /);
  });
});

function mdFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md') && !f.includes('target/'))
    .map((f) => join(dir, f));
}
