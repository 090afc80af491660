// The built-in allocators on two cores. Their cortex-m0plus images take lock.h's ARMv6-M lock
// (a CAS made atomic with PRIMASK), which excludes interrupts on one core only: on the rp2040
// each must be caught breaking a rule at an interleaving, though the calls made one after the
// other are fine. Their cortex-m3 images take the
// LDREXB/STREXB lock, which with the global monitor excludes the other core: each must be safe
// on dual-cortex-m3 at every schedule with one preemption; so must their SIO-spinlock builds
// (firmware/images/sio) on the rp2040.

import { describe, expect, it } from 'vitest';
import { exploreTwoCore } from '../../explore/two-core.ts';
import { ALLOCATORS } from '../../runners/image.ts';

describe('the built-in allocators on two cores', () => {
  for (const { name } of ALLOCATORS) {
    it(`${name}: the PRIMASK lock lets both rp2040 cores in`, () => {
      // The calls one after the other are fine; only an interleaving breaks a rule.
      for (const schedule of ['0', '1']) expect(exploreTwoCore(name, { mcu: 'rp2040', schedule }).failure).toBeNull();
      const r = exploreTwoCore(name, { mcu: 'rp2040' });
      expect(r.failure?.schedule).toMatch(/^[01]:\d+,/);
      // The same block to both cores, or (chunk) the allocator's own check of its torn metadata.
      expect(r.failure?.violation.message).toMatch(/the same memory handed to both cores|UDF/);
    });
    it(`${name}: its SIO-spinlock build (lock-sio.h) is safe on the rp2040 (1 preemption, both workloads)`, () => {
      for (const workload of ['alloc-alloc', 'alloc-free'] as const) {
        const r = exploreTwoCore(name, { mcu: 'rp2040', sioBuild: true, preemptions: 1, workload });
        expect(r.verdict).toMatch(/^safe at all/);
        expect(r.schedules).toBeGreaterThan(r.window);
      }
    });
    it(`${name}: LDREXB/STREXB with the global monitor is safe on dual-cortex-m3 (1 preemption, both workloads)`, () => {
      for (const workload of ['alloc-alloc', 'alloc-free'] as const) {
        const r = exploreTwoCore(name, { mcu: 'dual-cortex-m3', preemptions: 1, workload });
        expect(r.verdict).toMatch(/^safe at all/);
        expect(r.schedules).toBeGreaterThan(r.window);
      }
    });
  }
});
