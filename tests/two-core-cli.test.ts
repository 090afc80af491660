// `sramlab explore --model two-core`: exit 1 with the failing schedule and its replay when
// nothing keeps the cores apart, 0 when every schedule is safe, 2 on bad input (one line).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sramlab, words } from './support/cli-in-process.ts';

const elf = (name: string) => relative(process.cwd(), join(import.meta.dirname, 'two-core-allocators', `${name}.elf`));

/** explore --model two-core on one of the test allocators, on the rp2040 at one preemption, as JSON. */
const twoCore = (name: string) =>
  sramlab('explore', elf(name), '--model', 'two-core', '--mcu', 'rp2040', '--bound', 'preemptions=1', '--json');

describe('sramlab explore --model two-core', () => {
  it('no lock on the rp2040: exit 1, and the printed replay runs that one schedule to the same failure', async () => {
    const r = await twoCore('arena-nolock-m0plus');
    expect(r.status).toBe(1);
    const rep = JSON.parse(r.out);
    expect([rep.schema, rep.model, rep.ok]).toEqual(['sramlab.explore/1', 'two-core', false]);
    const again = await sramlab(...words(rep.failure.replay).slice(1), '--json');
    expect(again.status).toBe(1);
    const one = JSON.parse(again.out);
    expect(one.points).toBe(1);
    expect(one.failure.violation.message).toBe(rep.failure.violation.message);
  });

  it('the SIO spinlock on the rp2040 at one preemption: exit 0', async () => {
    const r = await twoCore('arena-sio-m0plus');
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.verdict).toMatch(/^safe at all [\d,]+ preemption points explored/);
    // A unit per first core and place of the first preemption: every boundary of either call
    // but its last, and the schedule with none.
    const [a, b] = rep.operations.map((o: { instructions: number }) => o.instructions);
    expect(rep.points).toBe(a + b);
    expect(rep.explored).toBe(rep.points);
  });

  it('--shard k/n, then sramlab merge: the JSON of the unsharded run but for the time', async () => {
    const args = ['explore', elf('arena-nolock-m0plus'), '--model', 'two-core', '--mcu', 'rp2040', '--bound', 'preemptions=1', '--json'];
    const whole = JSON.parse((await sramlab(...args)).out);
    const dir = mkdtempSync(join(tmpdir(), 'sramlab-two-core-'));
    try {
      const files = [1, 2, 3].map((k) => join(dir, `part-${k}.json`));
      for (const [k, f] of files.entries()) writeFileSync(f, (await sramlab(...args, '--shard', `${k + 1}/3`)).out);
      const merged = await sramlab('merge', ...files, '--json');
      expect(merged.status).toBe(1);
      const m = JSON.parse(merged.out);
      expect({ ...m, seconds: 0 }).toEqual({ ...whole, seconds: 0 });
      expect(whole.failingPoints).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad input: a single-core MCU, a malformed schedule, the SIO build off the rp2040 (exit 2, one line)', async () => {
    for (const [args, msg] of [
      [['--mcu', 'cortex-m0'], /unknown two-core MCU 'cortex-m0' \(known: rp2040, dual-cortex-m3\)/],
      [['--mcu', 'rp2040', '--preempt-at', '0:8,0:2,1'], /each segment runs the other core/],
      [['--mcu', 'dual-cortex-m3', '--bound', 'sio=1'], /the SIO-spinlock build runs on the rp2040, not on dual-cortex-m3/],
    ] as const) {
      const r = await sramlab('explore', 'galloc', '--model', 'two-core', ...args);
      expect(r.status).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
