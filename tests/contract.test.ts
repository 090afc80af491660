// The ABI contract's edges (firmware/README.md, "The contract"): the contract-edges scenario on
// every built-in allocator, each verdict as found, and the session's rule that a realloc which
// returns NULL leaves the old block as it was.
import { describe, expect, it } from 'vitest';
import { Session, ViolationError } from '../checks/session.ts';
import { AllocatorImage } from '../runners/image.ts';
import { runScenario } from '../scenarios/index.ts';

const run = (alloc: string, mcu: string) => runScenario('contract-edges', alloc, mcu, { seed: 1, ops: 1000 });

describe.each(['cortex-m0', 'cortex-m3'])('contract-edges on %s', (mcu) => {
  // Every allocator answers NULL to sizes 0x7fffffff, 0x80000000, 0xffffffff (and their
  // rounded neighbours) for alloc and realloc, and keeps the old block intact: none breaks
  // the contents or blocks rule there. What does break is what each is known for.
  it.each(['chunk', 'galloc', 'galloc-upstream', 'linked-list', 'slab'])('%s keeps the whole contract', (a) => {
    const r = run(a, mcu);
    expect(r.violation).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.stats.realloc.cycles.count).toBeGreaterThan(0);
  });

  it('basic: every huge request is NULL, but its blocks above 16-byte alignment are not aligned (blocks rule, the first align-64 alloc)', () => {
    const r = run('basic', mcu);
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.kind).toBe('alloc');
    // 15 huge allocs, then align 1, 4 and 8 blocks with 9 reallocs each: operation 43 is alloc(64, 64).
    expect(r.violation?.operation).toBe(43);
    expect(r.violation?.message).toMatch(
      /^alloc\(size 64, align 64\) returned 0x[0-9a-f]{8}, 16 bytes past the 64-byte boundary 0x[0-9a-f]{8}$/,
    );
  });

  it('emballoc: every huge request is NULL and every block intact, but its forward-only merge loses free space (leak rule)', () => {
    const r = run('emballoc', mcu);
    expect(r.violation?.rule).toBe('leak');
  });
});

describe('a realloc that returns NULL', () => {
  it('must leave the old block as it was: a byte changed under it is a contents finding naming the call', () => {
    const s = new Session(AllocatorImage.load('galloc', 'cortex-m0'));
    s.init(4096);
    const b = s.alloc(32, 8)!;
    const orig = Array.from(s.image.machine.bus.peek(b.ptr + 5, 8)); // the pattern the session wrote
    // During the realloc call (its first memory access), a byte of the block changes: what an
    // allocator that scribbled on the block and then gave up would leave. Before the call the
    // block is intact, so only the check after the NULL can see it.
    let armed = true;
    s.image.machine.addChecker(() => {
      if (armed) {
        armed = false;
        s.image.machine.bus.load(b.ptr + 5, Uint8Array.of(orig[0] ^ 0xff));
      }
    });
    let v: ViolationError | undefined;
    try {
      s.realloc(b, 0x8000_0000);
    } catch (e) {
      v = e as ViolationError;
    }
    expect(v).toBeInstanceOf(ViolationError);
    const x = v!.violation;
    expect(x).toMatchObject({ rule: 'contents', kind: 'realloc', operation: 2, address: b.ptr + 5, size: 1 });
    const h8 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
    const bytes = (a: number[]) => a.map((n) => n.toString(16).padStart(2, '0')).join(' ');
    expect(x.message).toBe(
      `realloc(${h8(b.ptr)}, size 32 → 2147483648, align 8) returned NULL, but the block made by operation 1 ` +
        `(${h8(b.ptr)}, 32 bytes, align 8) no longer holds what was written to it: 1 of its 32 bytes differ, the first at offset 5 ` +
        `(${h8(b.ptr + 5)}); 8 bytes from there: expected ${bytes(orig)}, found ${bytes([orig[0] ^ 0xff, ...orig.slice(1)])}`,
    );
  });
});
