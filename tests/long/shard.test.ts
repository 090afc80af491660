// The slower half of tests/shard.test.ts. A fuzz campaign whose first failing sequence is not
// shard 1's (each shard shrinks a failure of its own, and the merge must keep the lowest-numbered
// sequence's); and examples/ci/github-sharded.yml's lines run as written through sh, all 8 shards
// and the merge, in a directory laid out as a user's project, against the unsharded check of
// examples/ci/github-actions.yml.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sramlab } from '../support/cli-in-process.ts';
import { parseYaml, type Yaml } from '../support/mini-yaml.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-shard-long-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fuzz --sequences --shard, merged, when a later shard holds the first failure', () => {
  it('chunk, seed 1: sequence 1 breaks the leak rule first; 2 and 3 shards merged are the unsharded search', async () => {
    const args = ['fuzz', '--alloc', 'chunk', '--seed', '1', '--sequences', '12', '--json'];
    const whole = await sramlab(...args);
    expect(whole.status).toBe(1);
    const doc = JSON.parse(whole.out);
    expect(doc.sequences).toBe(2); // the search stopped at sequence 1: sequence 0 held
    for (const n of [2, 3]) {
      const files: string[] = [];
      const failedAt: (number | null)[] = [];
      for (let k = 1; k <= n; k++) {
        const r = await sramlab(...args, '--shard', `${k}/${n}`);
        const part = JSON.parse(r.out);
        expect(r.status).toBe(part.violation ? 1 : 0);
        failedAt.push(part.shard.failedSequence);
        files.push(join(tmp, `chunk-${n}-${k}.json`));
        writeFileSync(files.at(-1)!, r.out);
      }
      expect(failedAt[1]).toBe(1); // shard 2 holds sequence 1
      expect(failedAt[0] === null || failedAt[0] > 1).toBe(true); // shard 1's own failure, if any, comes later
      const merged = await sramlab('merge', ...files, '--json');
      expect(merged.status).toBe(1);
      expect(JSON.parse(merged.out)).toEqual(doc);
    }
  });
});

describe("examples/ci/github-sharded.yml's lines, run as written", () => {
  type Map = { [k: string]: Yaml };
  const jobs = (file: string) => (parseYaml(readFileSync(join(ROOT, 'examples/ci', file), 'utf8')) as Map).jobs as Map;
  const runs = (job: Yaml) => ((job as Map).steps as Map[]).flatMap((s) => (s.run === undefined ? [] : [String(s.run)]));

  /** A user's project root after npm ci and ./build.sh (the image: the committed example build). */
  function project(): string {
    const dir = join(tmp, 'project');
    mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(join(dir, 'build'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'sramlab'));
    symlinkSync('../sramlab/bin/sramlab.js', join(dir, 'node_modules', '.bin', 'sramlab'));
    copyFileSync(join(ROOT, 'examples/c-allocator/bump-cortex-m0.elf'), join(dir, 'build', 'fw.elf'));
    return dir;
  }
  const sh = (cwd: string, line: string) => {
    const { CI: _, ...env } = process.env;
    return spawnSync('sh', ['-ec', line], { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, maxBuffer: 256 << 20 });
  };

  it('8 shards and the merge give the JUnit report and exit status of the unsharded check', () => {
    const dir = project();
    const shardLine = runs(jobs('github-sharded.yml').shard!).at(-1)!;
    const mergeLine = runs(jobs('github-sharded.yml').merge!).at(-1)!;
    const checkLine = runs(jobs('github-actions.yml').sramlab!).at(-1)!;
    const statuses = [1, 2, 3, 4, 5, 6, 7, 8].map((k) => sh(dir, shardLine.replaceAll(`\${{ matrix.shard }}`, String(k))).status);
    const merged = sh(dir, mergeLine);
    expect(merged.stderr).toBe('');
    const mergedXml = readFileSync(join(dir, 'sramlab.xml'), 'utf8');
    const whole = sh(dir, checkLine);
    expect(merged.status).toBe(whole.status);
    expect(merged.stdout).toBe(whole.stdout);
    expect(mergedXml).toBe(readFileSync(join(dir, 'sramlab.xml'), 'utf8'));
    // The whole failed exactly when some shard did.
    expect(statuses.some((s) => s !== 0)).toBe(whole.status !== 0);
  });
});
