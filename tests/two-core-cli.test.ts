// `sramlab explore --model two-core`: exit 1 with the failing schedule and its replay when a
// lock lets both cores in, 0 when every schedule is safe, 2 on bad input (one line).

import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sramlab, words } from './support/cli-in-process.ts';

const elf = (name: string) => relative(process.cwd(), join(import.meta.dirname, 'two-core-allocators', `${name}.elf`));

describe('sramlab explore --model two-core', () => {
  it('the PRIMASK lock on the rp2040: exit 1, and the printed replay runs that one schedule to the same failure', async () => {
    const r = await sramlab('explore', elf('arena-primask-m0plus'), '--model', 'two-core', '--mcu', 'rp2040', '--json');
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
    const r = await sramlab('explore', elf('arena-sio-m0plus'), '--model', 'two-core', '--mcu', 'rp2040', '--bound', 'preemptions=1');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/SAFE safe at all [\d,]+ schedules explored \(≤ 1 preemption over \d+ instructions/);
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
