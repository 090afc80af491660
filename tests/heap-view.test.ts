// The heap view: what HeapTracker and heapMap say about each heap byte must be what the
// allocator's documented layout says (emballoc: docs/seed-algorithms.md §6, 4-byte headers in the
// array), and `sramlab run --show heap / --step` must draw it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../checks/session.ts';
import { AllocatorImage } from '../runners/image.ts';
import { runScenario } from '../scenarios/index.ts';
import { defaultCellBytes, type HeapMap, type HeapSpan, HeapTracker, heapMap, renderHeapMap } from '../views/heap-map.ts';
import { sramlabWith } from './support/cli-in-process.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');

/** The CLI in-process at 80 columns (the TTY pause test below runs the real binary on a pseudo-terminal). */
const sramlab = (...args: string[]) => sramlabWith({ NO_COLOR: '1', COLUMNS: '80' }, ...args);

/** A fresh session with the tracker on before sl_init, as `run --show heap` does. */
function tracked(allocator: string, heap: number) {
  const s = new Session(AllocatorImage.load(allocator, 'cortex-m0'));
  const t = new HeapTracker(s);
  s.init(heap);
  return { s, t, h: s.heap.start };
}

/** Spans as [offset from the heap start, length, kind, op] for compact comparisons. */
const shape = (m: HeapMap) => m.spans.map((x: HeapSpan) => [x.start - m.heapStart, x.end - x.start, x.kind, x.op]);

describe('heapMap on emballoc (seed-algorithms §6: [u32 header][payload]… inside the array)', () => {
  it('after alloc(8) on a fresh heap: header, live block of op 1, the split-off free header, the rest untouched', async () => {
    const { s, t, h } = tracked('emballoc', 1024);
    const b = s.alloc(8, 4)!;
    expect(b.ptr).toBe(h + 4);
    // The headers hold used(8) = 8<<1|1 and free(1024 − 4 − 8 − 4) = 1008<<1.
    expect(s.image.read32(h)).toBe((8 << 1) | 1);
    expect(s.image.read32(h + 12)).toBe(1008 << 1);
    const m = heapMap(s, t);
    expect(m.operation).toBe(1);
    expect(shape(m)).toEqual([
      [0, 4, 'metadata', undefined],
      [4, 8, 'live', 1],
      [12, 4, 'metadata', undefined],
      [16, 1024 - 16, 'untouched', undefined],
    ]);
    expect(m.spans[1]!.label).toBe('alloc(8, 4)');
  });

  it('§6.7, N = 32: alloc(4) is [used 4, free 20]', async () => {
    const { s, t } = tracked('emballoc', 32);
    s.alloc(4, 4);
    expect(shape(heapMap(s, t))).toEqual([
      [0, 4, 'metadata', undefined],
      [4, 4, 'live', 1],
      [8, 4, 'metadata', undefined],
      [12, 20, 'untouched', undefined],
    ]);
  });

  it('a freed block is free bytes (the host wrote them) behind a header the allocator rewrote', async () => {
    const { s, t } = tracked('emballoc', 64);
    const a = s.alloc(8, 4)!;
    s.alloc(4, 4);
    s.dealloc(a);
    const m = heapMap(s, t);
    expect(m.operation).toBe(3);
    expect(shape(m)).toEqual([
      [0, 4, 'metadata', undefined],
      [4, 8, 'free', undefined],
      [12, 4, 'metadata', undefined],
      [16, 4, 'live', 2],
      [20, 4, 'metadata', undefined],
      [24, 40, 'untouched', undefined],
    ]);
  });

  it('spans are sorted, contiguous and cover the heap in use exactly', async () => {
    const { s, t, h } = tracked('galloc', 4096);
    const blocks = [s.alloc(24, 8)!, s.alloc(100, 4)!, s.alloc(7, 1)!];
    s.realloc(blocks[0]!, 300);
    s.dealloc(blocks[1]!);
    const m = heapMap(s, t);
    expect(m.spans[0]!.start).toBe(h);
    expect(m.spans.at(-1)!.end).toBe(h + 4096);
    for (let i = 1; i < m.spans.length; i++) expect(m.spans[i]!.start).toBe(m.spans[i - 1]!.end);
    expect(
      m.spans
        .filter((x) => x.kind === 'live')
        .map((x) => x.op)
        .sort(),
    ).toEqual([3, 4]);
    expect(m.spans.find((x) => x.op === 4)!.label).toMatch(/^realloc\(0x2000[0-9a-f]{4}, 24 → 300\)$/);
  });

  it('marks a violation where it happened (basic returns a misaligned block in the alignment scenario)', async () => {
    const seen: { view?: () => HeapMap } = {};
    const r = runScenario(
      'alignment',
      'basic',
      'cortex-m0',
      { seed: 1, ops: 1, heap: 4096 },
      {
        observe: (s) => {
          const t = new HeapTracker(s);
          seen.view = () => heapMap(s, t);
        },
      },
    );
    const map = seen.view!();
    expect(r.violation?.rule).toBe('blocks');
    const bad = map.spans.filter((x) => x.kind === 'violation');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ start: r.violation!.address, end: r.violation!.address! + r.violation!.size! });
    expect(map.violation?.rule).toBe('blocks');
    expect(renderHeapMap(map).join('\n')).toMatch(
      /^! blocks at 0x2000[0-9a-f]{4} \(\d+ B\): alloc\(size 24, align (32|64|128)\) returned 0x2000[0-9a-f]{4}, \d+ bytes past the \1-byte boundary 0x2000[0-9a-f]{4}$/m,
    );
  });
});

describe('renderHeapMap', () => {
  const { s, t } = tracked('emballoc', 1024);
  s.alloc(1, 1);
  s.alloc(8, 4);
  const map = heapMap(s, t);

  it('is a fixed grid: 64 cells a row, the cell size from the heap size', async () => {
    expect(defaultCellBytes(1024)).toBe(4);
    expect(defaultCellBytes(16 * 1024)).toBe(8);
    expect(defaultCellBytes(96 * 1024)).toBe(64);
    const rows = renderHeapMap(map, { collapse: false }).filter((l) => l.includes('│'));
    expect(rows).toHaveLength(1024 / (64 * 4));
    for (const r of rows) expect(r.split('│')[1]).toHaveLength(64);
  });

  it('draws each block with the letter of its op, headers as #, and a 1-byte block still shows', async () => {
    const row = renderHeapMap(map)[1]!.split('│')[1]!;
    // [hdr][a, 1 byte + 3 of padding][hdr][b b][hdr][untouched …]
    expect(row.slice(0, 6)).toBe('#a#bb#');
    expect(row.slice(6)).toMatch(/^·+$/);
  });

  it('lists sizes of each kind and the op that made each live block', async () => {
    const text = renderHeapMap(map).join('\n');
    expect(text).toMatch(/^live 9 B in 2 blocks · metadata 12 B · free 0 B · untouched 1003 B$/m);
    expect(text).toMatch(/^ {2}a 0x20001004 +1 B {2}op 1 alloc\(1, 1\)$/m);
    expect(text).toMatch(/^ {2}b 0x2000100c +8 B {2}op 2 alloc\(8, 4\)$/m);
    expect(text).toMatch(/^legend: /m);
  });

  it('folds rows nobody wrote into one line', async () => {
    expect(renderHeapMap(map).join('\n')).toMatch(/^0x20001100 \+00100 ⋮ 3 rows never written \(768 B\)$/m);
  });
});

describe('sramlab run --show heap / --step', () => {
  it('--step draws one map per operation, numbered, with what it was', async () => {
    // galloc: emballoc's forward-only merge breaks the leak rule at the end of smoke.
    const r = await sramlab('run', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--heap', '1K', '--step');
    expect(r.status).toBe(0);
    const titles = r.stdout.split('\n').filter((l) => l.startsWith('── '));
    const ops = Number(/(\d+)\s+operations,\s+every\s+check\s+held/.exec(r.stdout)![1]);
    expect(titles).toHaveLength(ops);
    titles.forEach((t, i) => {
      expect(t).toMatch(new RegExp(`^── op ${i + 1}: (alloc|dealloc|realloc)\\(`));
    });
    expect(titles[0]).toBe('── op 1: alloc(1, 1) → 0x20001008');
    expect(r.stdout.match(/^legend: /gm)).toHaveLength(1);
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it('--show heap draws the heap once, after the workload, before the verdict', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--show', 'heap', '--cell', '16');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^── heap after the workload \(\d+ operations\)$/m);
    // Piped, 80 columns: 32 cells a row, the stack beside them.
    expect(r.stdout).toMatch(/32 cells a row, 1 cell = 16 B, 1 row = 512 B/);
    expect(r.stdout.indexOf('── heap after')).toBeLessThan(r.stdout.indexOf('PASS'));
  });

  it('--json carries the maps', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', 'emballoc', '--heap', '1K', '--step', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.heapView.steps).toHaveLength(doc.operations);
    expect(doc.heapView.steps[0].map.spans[1]).toMatchObject({ kind: 'live', op: 1 });
    expect(doc.heapView.final.heapEnd - doc.heapView.final.heapStart).toBe(1024);
  });

  it('at 120 columns: 64 cells a row', async () => {
    const r = await sramlabWith({ NO_COLOR: '1', COLUMNS: '120' }, 'run', 'smoke', '--alloc', 'galloc', '--show', 'heap', '--cell', '16');
    expect(r.stdout).toMatch(/64 cells a row, 1 cell = 16 B, 1 row = 1 KiB/);
  });

  it('stack-collision draws the collision: the stack bar full down to the limit, and SP below it by the bytes the rule saw', async () => {
    const r = await sramlab('run', 'stack-collision', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--show', 'heap');
    const json = JSON.parse((await sramlab('run', 'stack-collision', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--json')).stdout);
    const sp: number = json.caught.address;
    expect(r.stdout).toContain(`!! SP 0x${sp.toString(16)}`);
    expect(r.stdout).toContain(`${0x20007000 - sp} B below the limit`);
    const bar = r.stdout.split('\n').filter((l) => /│(██| {2})│/.test(l.slice(50)));
    expect(bar).toHaveLength(8);
    for (const l of bar) expect(l).toContain('│██│');
    expect(bar.at(-1)).toContain('◄ full');
    // The drawing (everything before the verdict) fits 80 columns.
    for (const l of r.stdout.slice(0, r.stdout.indexOf('PASS')).split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  });

  it('--step draws the stack beside every map: SP back at the top after each call, the peak as run reports it', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--heap', '1K', '--step');
    const json = JSON.parse((await sramlab('run', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--heap', '1K', '--json')).stdout);
    const maps = r.stdout.split('\n').filter((l) => l.startsWith('── op ')).length;
    expect(r.stdout.match(/0x20008000 top ◄ SP/g)).toHaveLength(maps);
    expect(r.stdout).toContain(`◄ peak ${json.peakStackBytes} B`);
  });

  it('--step at a terminal pauses after each operation: Enter goes on, q quits with status 0 and no verdict', async () => {
    // A pseudo-terminal from script(1): stdin and stdout are both TTYs; the keys are typed ahead.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run smoke --alloc galloc --mcu cortex-m0 --heap 1K --step`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
      input: '\r\rq',
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(r.status).toBe(0);
    const maps = r.stdout.split(/\r?\n/).filter((l) => /── op \d+: /.test(l));
    expect(maps.map((l) => /op (\d+):/.exec(l)![1])).toEqual(['1', '2', '3']);
    expect(r.stdout.match(/Enter: next operation · q: quit/g)).toHaveLength(3);
    expect(r.stdout).toContain('quit after operation 3; no verdict');
    expect(r.stdout).not.toMatch(/PASS|FAIL/);
  });

  it('--step piped never waits for a key', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', 'galloc', '--mcu', 'cortex-m0', '--heap', '1K', '--step');
    expect(r.stdout).not.toContain('Enter: next operation');
    expect(r.stdout).toContain('PASS');
  });

  it('refuses an unknown view', async () => {
    expect((await sramlab('run', 'smoke', '--alloc', 'galloc', '--show', 'stack')).status).toBe(2);
  });
});
