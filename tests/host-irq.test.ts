// An interrupt the emulator raises in a plain ABI image: no harness, no vector table, no startup
// (tests/fixtures/host-irq/bump.S, linked with code at address 0). The frames, cycles, results and
// IPSR values below are worked out by hand from the listing of bump.S and the ARM pseudocode of
// exception entry (PushStack: eight words r0–r3, r12, LR, return address, xPSR; the frame 8-byte
// aligned with xPSR bit 9 recording a realignment; LR = EXC_RETURN 0xFFFFFFF9 from Thread mode on
// the main stack), with the Cortex-M0 and M3 TRM cycle counts (PUSH 1+N, ALU 1, MRS 4 on the M0).
//
// sl_alloc of the fixture, offsets from the symbol:
//   +0x0 push {r4, r5, lr}      4 cycles
//   +0x2 cmp r0, r0             N=0 Z=1 C=1 V=0
//   +0x4 movs r2, #0x12         N=0 Z=0 (C, V kept)
//   +0x6 movs r3, #0x34
//   +0x8 mov ip, r2             r12 = 0x12; 8 cycles from the call's first instruction
//   +0xa ...                    sl_ipsr_log[sl_calls++ % 4] = IPSR, then the bump
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETURN_TRAP } from '../emulator/cpu.ts';
import { HostIrq } from '../emulator/host-irq.ts';
import { REPO_ROOT } from '../firmware/allocators.ts';
import { AllocatorImage } from '../runners/image.ts';
import { runScenario } from '../scenarios/index.ts';

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'host-irq');
const fixture = (name: string) => join(FIXTURES, `${name}.elf`);

const HEAP = 0x2000_0028; // __heap_start of ../gc-sections/link.ld after the fixture's 40 bytes of .bss
const STACK_TOP = 0x2000_8000;
const LOG = 0x2000_0018; // sl_ipsr_log[4]
const CALLS = 0x2000_0014; // sl_calls

function load(name: string, mcu: string): AllocatorImage {
  const img = AllocatorImage.fromElf(readFileSync(fixture(name)), mcu, { boot: 'auto', maxCycles: 100_000 }, name);
  expect(img.boot).toBe('segments'); // no vector table: IRQ 5's vector word would be code
  img.init(4096);
  return img;
}

const frameAt = (img: AllocatorImage, at: number) => Array.from({ length: 8 }, (_, i) => img.read32(at + 4 * i) >>> 0);

describe('an IRQ raised by the host in a plain ABI image', () => {
  describe.each(['cortex-m0', 'cortex-m3'])('on %s, no lock', (mcu) => {
    it('is taken 8 cycles into sl_alloc with a real stacked frame, realigned; IPSR 21 in the handler; the interrupted call completes', () => {
      const img = load(`nolock-${mcu}`, mcu);
      const m = img.machine,
        sl = img.address('sl_alloc');
      m.cpu.r[4] = 0x4444;
      m.cpu.r[5] = 0x5555; // callee-saved: must survive both calls
      const irq = new HostIrq(m);
      const rec = irq.raise({ irq: 5, priority: 0x40, atCycle: m.cpu.cycles + 8, address: sl, args: [16, 8] });
      const thread = img.alloc(24, 8);
      irq.cancel();

      // SP after the thread's PUSH of three words: 0x20007FF4, not 8-aligned, so the frame is
      // at (0x20007FF4 − 32) & ~4 = 0x20007FD0 and the stacked xPSR has bit 9 set.
      expect(rec.frame).toBe(0x2000_7fd0);
      expect(frameAt(img, rec.frame!)).toEqual([
        24,
        8,
        0x12,
        0x34, // r0 = size, r1 = align, r2, r3 from the movs
        0x12, // r12
        (RETURN_TRAP | 1) >>> 0, // LR: the host call's return address
        sl + 0xa, // the next instruction: the boundary it was taken at
        0x2100_0200, // C and T set, bit 9 (realigned), IPSR 0 (Thread mode)
      ]);
      // The handler (sl_alloc again) pushed r4, r5 and LR = EXC_RETURN right below the frame.
      expect(frameAt(img, rec.frame! - 12).slice(0, 3)).toEqual([0x4444, 0x5555, 0xffff_fff9]);
      // The firmware's own MRS IPSR: 16 + 5 in the handler (it ran first), 0 in Thread mode.
      expect(img.read32(CALLS)).toBe(2);
      expect([img.read32(LOG), img.read32(LOG + 4)]).toEqual([21, 0]);
      expect(rec.ipsr).toBe(21);
      // The handler's block is the heap's first (8-aligned); the thread's comes after it.
      expect(rec).toMatchObject({ returned: true, result: HEAP });
      expect(thread.value).toBe(HEAP + 16);
      // Back in Thread mode with nothing active or pending, SP and r4/r5 as before.
      expect(m.cpu.ipsr).toBe(0);
      expect(m.cpu.active.every((a) => a === 0)).toBe(true);
      expect(m.cpu.pending.every((p) => p === 0)).toBe(true);
      expect(m.cpu.sp).toBe(STACK_TOP);
      expect([m.cpu.r[4], m.cpu.r[5]]).toEqual([0x4444, 0x5555]);
      // Stack: the thread's 12 bytes, the 32-byte frame 4 bytes lower, the handler's 12.
      expect(thread.stackBytes).toBe(12 + 4 + 32 + 12);
    });

    it('stacks the same words as the registers hold at that boundary when the call is stopped there instead', () => {
      const stopped = load(`nolock-${mcu}`, mcu);
      const sl = stopped.address('sl_alloc');
      const c = stopped.machine.cpu;
      const r = stopped.machine.call(sl, [24, 8], { maxCycles: 8, sp: STACK_TOP });
      expect(r.stop).toBe('budget');
      expect(c.pc).toBe(sl + 0xa);
      const regs = [c.r[0], c.r[1], c.r[2], c.r[3], c.r[12], c.r[14], c.pc, c.xpsr].map((v) => v >>> 0);

      const img = load(`nolock-${mcu}`, mcu);
      const irq = new HostIrq(img.machine);
      const rec = irq.raise({ irq: 5, atCycle: img.machine.cpu.cycles + 8, address: sl, args: [16, 8] });
      img.alloc(24, 8);
      irq.cancel();
      const frame = frameAt(img, rec.frame!);
      expect(frame.slice(0, 7)).toEqual(regs.slice(0, 7));
      expect(frame[7]).toBe((regs[7] | (1 << 9)) >>> 0); // plus the realignment bit
    });

    it('stacks without realigning from an 8-aligned SP (entry SP 4 lower): bit 9 clear', () => {
      const img = load(`nolock-${mcu}`, mcu);
      img.entrySP = STACK_TOP - 4; // after the PUSH: 0x20007FF0
      const irq = new HostIrq(img.machine);
      const rec = irq.raise({ irq: 5, atCycle: img.machine.cpu.cycles + 8, address: img.address('sl_alloc'), args: [16, 8] });
      img.alloc(24, 8);
      irq.cancel();
      expect(rec.frame).toBe(0x2000_7fd0);
      expect(img.read32(rec.frame! + 28) >>> 0).toBe(0x2100_0000);
      expect(img.machine.cpu.sp).toBe(STACK_TOP - 4);
    });
  });

  it('waits while PRIMASK masks it and is taken right after the MSR that unmasks (Cortex-M0)', () => {
    // masked: push (4), mrs r4, primask (4), cpsid i (1), cmp (1): cycle 10 is inside the mask.
    // The body runs to the end, then movs r1/r2/r3 = 0x56/0x78/0x9a, cmp r1, r1 (Z, C),
    // msr primask, r4 at +0x4e, and pop {r4, r5, pc} at +0x52: the return address stacked.
    const img = load('masked-cortex-m0', 'cortex-m0');
    const m = img.machine,
      sl = img.address('sl_alloc');
    const at = m.cpu.cycles + 10;
    const irq = new HostIrq(m);
    const rec = irq.raise({ irq: 3, atCycle: at, address: sl, args: [16, 8] });
    const thread = img.alloc(24, 8);
    irq.cancel();
    expect(rec.takenAtCycle!).toBeGreaterThan(at + 20);
    expect(frameAt(img, rec.frame!)).toEqual([HEAP, 0x56, 0x78, 0x9a, 0x12, (RETURN_TRAP | 1) >>> 0, sl + 0x52, 0x6100_0200]);
    // The thread's call ran to its end first: IPSR 0 logged before the handler's 19.
    expect([img.read32(LOG), img.read32(LOG + 4)]).toEqual([0, 19]);
    expect(thread.value).toBe(HEAP);
    expect(rec.result).toBe(HEAP + 24);
  });

  it('is not taken while BASEPRI masks its priority, and is taken when it does not (Cortex-M3)', () => {
    for (const [priority, taken] of [
      [0x80, false],
      [0x40, false],
      [0x20, true],
    ] as const) {
      const img = load('nolock-cortex-m3', 'cortex-m3');
      const m = img.machine;
      m.cpu.basepri = 0x40; // as firmware would with MSR BASEPRI: priorities 0x40 and below wait
      const irq = new HostIrq(m);
      const rec = irq.raise({ irq: 1, priority, atCycle: m.cpu.cycles + 8, address: img.address('sl_alloc'), args: [16, 8] });
      img.alloc(24, 8);
      expect(irq.pending, `priority ${priority}`).toBe(!taken);
      irq.cancel();
      expect(rec.returned, `priority ${priority}`).toBe(taken);
      expect(irq.pending).toBe(false);
    }
  });
});

describe('isr-reentrancy on the fixtures, nothing linked in', () => {
  const run = (name: string) =>
    runScenario(
      'isr-reentrancy',
      name,
      'cortex-m0',
      { seed: 1, ops: 1 },
      { elf: fixture(`${name}-cortex-m0`), boot: 'auto', maxCycles: 100_000 },
    );

  it('a spin flag deadlocks: the ISR spins in the flag loop (+0x4 to +0x8) while the thread holds it', () => {
    const r = run('spin');
    expect(r.violation?.rule).toBe('liveness');
    expect(r.violation?.message).toMatch(
      /^deadlock: IRQ 0's sl_alloc spins at 0x000000(1c|1e|20) \(sl_alloc\+0x[468]\) and never returns; the thread-mode sl_alloc it interrupted at 0x[0-9a-f]{8} \(sl_alloc\+0x[0-9a-f]+\)/,
    );
  });

  it('no lock at all: the ISR and the thread read the same top, and the blocks rule sees the overlap', () => {
    const r = run('nolock');
    expect(r.violation?.rule).toBe('blocks');
    expect(r.violation?.message).toMatch(/overlaps/);
  });

  it('masking interrupts for the whole call passes: the ISR waits for the thread', () => {
    const r = run('masked');
    expect(r.violation, r.violation?.message).toBeNull();
  });

  it('a fault in the call it measures first is reported as the faults rule, not thrown (regression)', () => {
    // fault7's seventh sl_alloc executes UDF: the measuring call on a copy of SRAM, which used to
    // escape as an exception; then the real one, where the ISR (raised a cycle in) makes it.
    const r = run('fault7');
    expect(r.violation?.rule).toBe('faults');
    expect(r.violation?.operation).toBe(7);
    expect(r.violation?.message).toMatch(/sl_alloc\(64, 8\) did not return: undefined fault at 0x[0-9a-f]{8} \(sl_alloc\+0x[0-9a-f]+\)/);
  });
});
