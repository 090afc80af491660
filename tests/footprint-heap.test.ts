// The footprint counts allocator state kept inside the heap: the largest block sl_alloc serves
// right after sl_init, and the heap bytes gone before the first allocation. Expected values are
// worked out by hand from each allocator's source.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../scenarios/index.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONTROL_BLOCK = `${ROOT}tests/fixtures/in-heap-state/control-block-cortex-m0.elf`;
const BUMP = `${ROOT}examples/c-allocator/bump-cortex-m0.elf`;

describe('footprint inside the heap', () => {
  it('counts a control block at the start of the heap, which .bss does not show', () => {
    // control-block.c: .bss holds one pointer (4 bytes); sl_init puts a 32-byte struct at the
    // heap's start and bumps from just above it, so a 4096-byte heap serves at most 4064.
    const r = runScenario('smoke', 'control-block', 'cortex-m0', { seed: 1, ops: 200, heap: 4096 }, { elf: CONTROL_BLOCK, boot: 'auto' });
    expect(r.ok).toBe(true);
    expect(r.footprint).toMatchObject({ ramBytes: 4, bssBytes: 4, largestBlockAfterInit: 4064, heapBytesGoneAtInit: 32 });
  });

  it('counts a per-block header', () => {
    // bump.c: state in .bss, an 8-byte {start, end} header just below every pointer; the heap
    // array is 4096-aligned, so the first block starts 8 bytes in and can reach the heap's end.
    const r = runScenario('smoke', 'bump', 'cortex-m0', { seed: 1, ops: 200, heap: 16384 }, { elf: BUMP, boot: 'auto' });
    expect(r.footprint).toMatchObject({ largestBlockAfterInit: 16376, heapBytesGoneAtInit: 8 });
  });

  it('is null when the run broke a rule before it could be measured', () => {
    // overlap hands out the same block twice: the blocks rule stops the workload, and the
    // allocator is not probed after that.
    const elf = `${ROOT}tests/broken-allocators/images/overlap-cortex-m0.elf`;
    const r = runScenario('smoke', 'overlap', 'cortex-m0', { seed: 1, ops: 200 }, { elf });
    expect(r.violation?.rule).toBe('blocks');
    expect(r.footprint).toMatchObject({ largestBlockAfterInit: null, heapBytesGoneAtInit: null });
  });
});
