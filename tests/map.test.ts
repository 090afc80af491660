// sramlab map: the bands come from the ELF's ABI symbols and sections, cover each memory in
// address order, and draw without colour codes off a terminal.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseElf } from '../emulator/elf.ts';
import { getProfile, PROFILES } from '../emulator/profiles.ts';
import { ALLOCATORS, imagePath } from '../runners/image.ts';
import { type Band, imageMap, renderImageMap, rowHeights } from '../views/image-map.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');
const ANSI = /\x1b\[/;

/** The CLI with the environment changed: undefined removes a variable. */
function sramlab(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: withEnv(env) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withEnv(changes: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [k, v] of Object.entries(changes))
    if (v === undefined) delete env[k];
    else env[k] = v;
  return env;
}

/** util-linux `script` runs a command on a pseudo-terminal: the only way to see what a TTY gets. */
const hasScript = spawnSync('script', ['--version']).status === 0;
function onTerminal(args: string[], env: Record<string, string | undefined>): string {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  return spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60_000, env: withEnv(env) }).stdout;
}

function mapOf(allocator: string, mcu: string) {
  const elf = parseElf(readFileSync(imagePath(allocator, mcu)));
  return { elf, map: imageMap(elf, getProfile(mcu), `${allocator}-${mcu}`) };
}

const band = (bands: Band[], kind: Band['kind']) => bands.filter((b) => b.kind === kind);

describe('the bands of every allocator image', () => {
  for (const mcu of Object.keys(PROFILES)) {
    it.each(ALLOCATORS.map((a) => a.name))(`%s on ${mcu} match the ABI symbols`, (allocator) => {
      const { elf, map } = mapOf(allocator, mcu);
      const sym = (n: string) => elf.symbol(n)!;
      const [heap] = band(map.bands, 'heap');
      expect(heap).toMatchObject({
        memory: 'sram',
        start: sym('__heap_start'),
        end: sym('__heap_end'),
        size: sym('__heap_end') - sym('__heap_start'),
      });
      expect(band(map.bands, 'stack')).toEqual([
        expect.objectContaining({ start: sym('__stack_limit'), end: sym('__stack_top'), startSymbol: '__stack_limit' }),
      ]);
      expect(band(map.bands, 'alloc-code')).toEqual([
        expect.objectContaining({ memory: 'flash', start: sym('__alloc_text_start'), end: sym('__alloc_text_end') }),
      ]);
      expect(band(map.bands, 'vectors')[0]).toMatchObject({ start: 0, size: 4 * (16 + 32) });
      const state = band(map.bands, 'alloc-state');
      expect(state.reduce((n, b) => n + b.size, 0)).toBe(sym('__alloc_bss_end') - sym('__alloc_data_start'));
    });
  }

  it('cover each memory from its base to its end, in address order, with no overlap', () => {
    const { map } = mapOf('galloc', 'cortex-m3');
    for (const m of map.memories) {
      const bands = map.bands.filter((b) => b.memory === m.name);
      expect(bands[0]!.start).toBe(m.base);
      expect(bands.at(-1)!.end).toBe(m.base + m.size);
      for (let i = 1; i < bands.length; i++) expect(bands[i]!.start).toBe(bands[i - 1]!.end);
      for (const b of bands) expect(b.size).toBe(b.end - b.start);
    }
    // SRAM from the bottom: allocator state, the harness's .bss, the alignment gap, heap, stack.
    expect(map.bands.filter((b) => b.memory === 'sram').map((b) => b.kind)).toEqual(['alloc-state', 'bss', 'unused', 'heap', 'stack']);
  });

  it('draws a band of a few bytes and one of 250 KiB both visible, and says how it is scaled', () => {
    const { map } = mapOf('emballoc', 'cortex-m0');
    const flash = map.bands.filter((b) => b.memory === 'flash');
    for (const scale of ['linear', 'log'] as const) {
      const h = rowHeights(flash, 12, scale);
      expect(h.reduce((a, b) => a + b, 0)).toBe(12);
      expect(Math.min(...h)).toBeGreaterThanOrEqual(1);
    }
    const text = renderImageMap(map).join('\n');
    expect(text).toMatch(/scale: rows ∝ bytes/);
    expect(text).toMatch(/0x20001000 ├─+┤ __heap_start/);
    expect(text).toMatch(/heap array \(\.heap\) +24 KiB/);
    expect(text).toMatch(/allocator state \(\.alloc_bss\) +12 B/);
  });

  it('puts high addresses on top: the stack is drawn above the heap, the vector table last', () => {
    const lines = renderImageMap(mapOf('galloc', 'cortex-m0').map);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/│ stack/)).toBeLessThan(at(/│ heap array/));
    expect(at(/│ heap array/)).toBeLessThan(at(/│ allocator state/));
    expect(at(/│ allocator code/)).toBeLessThan(at(/│ vector table/));
  });

  it('colours through the painter it is given, and only then', () => {
    const { map } = mapOf('galloc', 'cortex-m0');
    expect(renderImageMap(map).join('\n')).not.toMatch(ANSI);
    const painted = renderImageMap(map, { paint: (k, t) => `<${k}>${t}` }).join('\n');
    expect(painted).toMatch(/<heap>▒+/);
    expect(painted).toMatch(/<alloc-code>█+/);
  });
});

describe('sramlab map', () => {
  it('prints no escape codes off a terminal, with or without NO_COLOR', () => {
    for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: undefined, FORCE_COLOR: undefined }]) {
      const r = sramlab(['map', '--alloc', 'galloc', '--mcu', 'cortex-m0'], env);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stdout).toMatch(/^Flash 256 KiB at 0x00000000$/m);
      expect(r.stdout).toMatch(/^SRAM 32 KiB at 0x20000000$/m);
      expect(r.stdout).toMatch(/legend:/);
    }
  });

  it.skipIf(!hasScript)('colours on a terminal, but not with NO_COLOR', () => {
    const args = ['map', '--alloc', 'galloc', '--mcu', 'cortex-m0'];
    expect(onTerminal(args, { NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm-256color' })).toMatch(ANSI);
    const plain = onTerminal(args, { NO_COLOR: '1', TERM: 'xterm-256color' });
    expect(plain).toMatch(/heap array/);
    expect(plain).not.toMatch(ANSI);
  });

  it('--json is the band list, the same as the library gives', () => {
    const r = sramlab(['map', '--alloc', 'emballoc', '--mcu', 'cortex-m4', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('sramlab.map/1');
    expect(doc.bands).toEqual(mapOf('emballoc', 'cortex-m4').map.bands);
  });

  it('maps any ELF given with --elf, ABI or not', () => {
    const r = sramlab(['map', '--elf', join(import.meta.dirname, 'firmware', 'exceptions.elf'), '--mcu', 'cortex-m0', '--json']);
    expect(r.status).toBe(0);
    const kinds = JSON.parse(r.stdout).bands.map((b: Band) => b.kind);
    expect(kinds).toContain('code');
    expect(kinds).not.toContain('heap');
  });

  it('refuses bad input in one line with status 2', () => {
    for (const args of [
      ['map'],
      ['map', '--alloc', 'galloc', '--elf', 'x.elf'],
      ['map', '--alloc', 'nosuch'],
      ['map', '--alloc', 'galloc', '--scale', 'cubic'],
    ]) {
      const r = sramlab(args, { NO_COLOR: '1' });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
    }
  });
});
