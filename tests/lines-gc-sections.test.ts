// Source lines of an image linked with --gc-sections, whose line table keeps sequences of the
// discarded functions at address 0, on top of live code. The reference is GNU addr2line
// (binutils 2.40): tests/fixtures/gc-sections/build.sh records its answer for every halfword
// of the code next to each image, and where addr2line is installed the test asks it again.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type LineRow, lineSequences, resolveSequences, type Sequence } from '../emulator/dwarf-lines.ts';
import { parseElf } from '../emulator/elf.ts';

const DIR = fileURLToPath(new URL('./fixtures/gc-sections/', import.meta.url));
const IMAGES = ['gc-m0', 'gc-m3-dwarf4'] as const;

/** addr2line's "./src/shim.c:12" as sramlab formats it ("shim.c:12"); no file or no line is undefined. */
function asSramlab(answer: string): string | undefined {
  const where = answer.replace(/ \(discriminator \d+\)$/, '');
  if (where.startsWith('??') || where.endsWith(':?')) return undefined; // :? is line 0, "no source line"
  return where.slice(where.lastIndexOf('/') + 1);
}

function reference(name: string): [number, string][] {
  return readFileSync(`${DIR}${name}.addr2line.txt`, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const space = l.indexOf(' ');
      return [parseInt(l.slice(0, space), 16), l.slice(space + 1)];
    });
}

function addr2line(elf: string, addresses: number[]): string[] | undefined {
  try {
    const out = execFileSync('arm-none-eabi-addr2line', ['-e', elf], {
      input: addresses.map((a) => a.toString(16)).join('\n'),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    return out.trim().split('\n');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

describe('lines of a multi-file image linked with --gc-sections', () => {
  it.each(IMAGES)('%s: the line table really has sequences at 0 on top of live code', (name) => {
    // Without the leftovers this fixture would prove nothing: units of all three files hold
    // a sequence starting at 0, where sl_init (shim.c) lives.
    const bytes = readFileSync(`${DIR}${name}.elf`);
    const image = parseElf(bytes);
    expect(image.symbol('sl_init')).toBe(0);
    const section = (n: string) => {
      const s = image.sections.find((x) => x.name === n);
      return s && new Uint8Array(bytes.subarray(s.offset, s.offset + s.size));
    };
    const units = lineSequences({
      debugLine: section('.debug_line')!,
      debugLineStr: section('.debug_line_str'),
      debugStr: section('.debug_str'),
    });
    expect(units).toHaveLength(3);
    for (const unit of units) expect(unit.filter((s) => s.start === 0).length).toBeGreaterThan(0);
  });

  it.each(IMAGES)('%s: every halfword of the code names the line addr2line names', (name) => {
    const image = parseElf(readFileSync(`${DIR}${name}.elf`));
    const lines = image.lines!;
    const ref = reference(name);
    const start = image.symbol('__alloc_text_start')!;
    const end = image.symbol('__alloc_text_end')!;
    expect(ref.map(([a]) => a)).toEqual(Array.from({ length: (end - start) / 2 }, (_, i) => start + 2 * i));
    const ours = ref.map(([a]) => [a, lines.format(a)]);
    expect(ours).toEqual(ref.map(([a, answer]) => [a, asSramlab(answer)]));
  });

  it.each(IMAGES)('%s: the recorded reference is what the installed addr2line says', (name) => {
    const ref = reference(name);
    const live = addr2line(
      `${DIR}${name}.elf`,
      ref.map(([a]) => a),
    );
    if (live === undefined) return; // the committed reference above still holds
    expect(live).toEqual(ref.map(([, answer]) => answer));
  });

  it('names the live function where the old lookup named a discarded one from another file', () => {
    // Before: the nearest-start row over all units answered, so addresses in sl_init and
    // sl_alloc were named after discarded functions of heap.c and util.c.
    const lines = parseElf(readFileSync(`${DIR}gc-m0.elf`)).lines!;
    expect(lines.format(0x12)).toBe(asSramlab(reference('gc-m0').find(([a]) => a === 0x12)![1]));
    expect(lines.format(0x12)).toMatch(/^shim\.c:/);
    expect(lines.format(0x16)).toMatch(/^shim\.c:/);
    expect(lines.format(0x84)).toMatch(/^heap\.c:/); // heap_malloc
    expect(lines.format(0xd8)).toMatch(/^util\.c:/); // copy_bytes
  });
});

// Hand-worked cases of the rule stated above resolveSequences (binutils' bfd/dwarf2.c).
describe('resolveSequences', () => {
  const seq = (path: string, start: number, end: number, step = end - start): Sequence => {
    const rows: LineRow[] = [];
    for (let a = start, line = 1; a < end; a += step, line++)
      rows.push({ address: a, end: Math.min(a + step, end), path, line, column: 0 });
    return { start, end, rows };
  };
  const spans = (rows: LineRow[]) => rows.map((r) => `${r.path}:${r.line}@${r.address.toString(16)}-${r.end.toString(16)}`);

  it('the first unit covering an address answers, whatever later units hold there', () => {
    const rows = resolveSequences([[seq('a', 0x10, 0x20)], [seq('b', 0x0, 0x30)]]);
    expect(spans(rows)).toEqual(['b:1@0-10', 'a:1@10-20', 'b:1@20-30']);
  });

  it('inside a unit the longer of two sequences starting together wins, and nested ones are dropped', () => {
    // Live code 0..0x14 and a discarded 0x24-byte function also resolved to 0, in one unit.
    const live = seq('live', 0, 0x14, 4);
    const leftover = seq('gone', 0, 0x24, 0x12);
    expect(spans(resolveSequences([[live, leftover]]))).toEqual(['gone:1@0-12', 'gone:2@12-24']);
    // Equal spans: the one earlier in the program wins.
    expect(spans(resolveSequences([[seq('x', 0, 8), seq('y', 0, 8)]]))).toEqual(['x:1@0-8']);
  });

  it('a sequence sticking out past the ones before it is cut to start where they end', () => {
    // b's rows: 8-e, e-14, 14-1a, 1a-20; the second is cut to begin at 0x10.
    const rows = resolveSequences([[seq('a', 0, 0x10), seq('b', 0x8, 0x20, 6)]]);
    expect(spans(rows)).toEqual(['a:1@0-10', 'b:2@10-14', 'b:3@14-1a', 'b:4@1a-20']);
  });

  it('empty sequences claim nothing; disjoint ones are left as they are', () => {
    const rows = resolveSequences([[seq('a', 0x40, 0x40), seq('b', 0x0, 0x8)], [seq('c', 0x8, 0x10)]]);
    expect(spans(rows)).toEqual(['b:1@0-8', 'c:1@8-10']);
  });

  it('stays linear-ish on a hostile table: 20,000 units all overlapping one another', () => {
    // Unit i covers [2(N-1-i), 2N): all of them hold the top two bytes, and each keeps just
    // the two bytes below what the units before it hold.
    const N = 20_000;
    const units = Array.from({ length: N }, (_, i) => [seq(`u${i}`, 2 * (N - 1 - i), 2 * N)]);
    const rows = resolveSequences(units);
    expect(rows).toHaveLength(N);
    expect(spans(rows.slice(0, 2))).toEqual(['u19999:1@0-2', 'u19998:1@2-4']);
    expect(spans(rows.slice(-1))).toEqual(['u0:1@9c3e-9c40']);
  });
});
