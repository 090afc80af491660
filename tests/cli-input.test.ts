// Bad input to every command, as a hostile user types it: each must be refused with exit 2,
// exactly one line on stderr ("sramlab: …", no stack frame), nothing on stdout and no report
// file. Run in-process through main() (a spawn costs half a second); tests/cli-pipe.test.ts
// and the other cli tests cover the real binary.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sramlab, sramlabWith } from './support/cli-in-process.ts';

const ROOT = join(import.meta.dirname, '..');
const FW = join(ROOT, 'tests', 'firmware', 'exceptions.elf');
const IMG = join(ROOT, 'firmware', 'images', 'emballoc-cortex-m0.elf');
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-input-'));
const JUNK = join(tmp, 'junk.elf');
writeFileSync(JUNK, 'not an elf at all');

const run = ['run', 'smoke', '--alloc', 'emballoc'];
const trace = ['trace', 'smoke', '--alloc', 'emballoc'];
const fuzz = ['fuzz', '--alloc', 'galloc'];
const compare = ['compare', '--alloc', 'emballoc', '--mcu', 'cortex-m0', '--scenario', 'smoke', '--workers', '1'];
const check = ['check', IMG, '--scenario', 'smoke'];

/** [arguments, what the one line must say]. */
const BAD: [string[], RegExp][] = [
  // the command line itself
  [[], /give a command: demo, list/],
  [['frob'], /unknown command 'frob'/],
  [['--frob'], /unknown option '--frob'/],
  [['run'], /required option '--alloc|missing required argument/],
  [['run', '--alloc', 'galloc'], /missing required argument 'scenario'/],
  [['run', 'smoke'], /required option '--alloc/],
  [['list', 'extra'], /too many arguments/],
  [['demo', 'extra'], /too many arguments/],
  [['list', '--frob'], /unknown option '--frob'/],
  // run
  [['run', 'smoke', '--alloc', 'nope'], /unknown allocator 'nope'/],
  [['run', 'smoke', '--alloc', ''], /unknown allocator ''/],
  [['run', 'nope', '--alloc', 'galloc'], /unknown scenario 'nope'/],
  [[...run, '--mcu', 'cortex-m7'], /unknown MCU 'cortex-m7'/],
  [[...run, '--mcu', ''], /unknown MCU ''/],
  [[...run, '--seed', '1.5'], /'1\.5' is not a seed/],
  [[...run, '--seed', '99999999999999999999999'], /is not a seed: a whole number from 0 to 4294967295/],
  [[...run, '--seed', '1e+23'], /is not a seed/],
  [[...run, '--seed', '4294967296'], /is not a seed/],
  [[...run, '--seed', '-1'], /--seed/],
  [[...run, '--seed', ''], /is not a seed/],
  [[...run, '--seed', 'NaN'], /is not a seed/],
  [[...run, '--seed', '0x10'], /is not a seed/],
  [[...run, '--ops', '0'], /out of range: 1 to 10,000,000/],
  [[...run, '--ops', '1.5'], /not a whole count/],
  [[...run, '--ops', '99999999999'], /out of range/],
  [[...run, '--ops', '9e99'], /is not a count/],
  [[...run, '--ops', 'Infinity'], /is not a count/],
  [[...run, '--heap', '0'], /--heap 0: a heap that does not fit emballoc .* the smallest heap it accepts is 8 bytes/],
  [[...run, '--heap', '1'], /the smallest heap it accepts is 8 bytes/],
  [[...run, '--heap', '3'], /the smallest heap it accepts is 8 bytes/],
  [[...run, '--heap', 'abc'], /is not a size/],
  [[...run, '--heap', '-1'], /--heap/],
  [[...run, '--heap', '1.5K'], /is not a size/],
  [[...run, '--heap', '999K'], /does not fit .*heap region of \d+ bytes/],
  [[...run, '--heap', '99999999999999999999'], /larger than any memory/],
  [[...run, '--show', 'stack'], /argument 'stack' is invalid/],
  [[...run, '--cell', '0'], /at least 1/],
  [[...run, '--cell', 'x'], /is not a size/],
  // trace
  [[...trace, '--first', '0'], /out of range: 1 to/],
  [['trace', 'smoke', '--alloc', 'galloc', '--op', '999999'], /--op 999999: smoke on galloc has only \d+ operations/],
  [[...trace, '--op', '-1'], /--op/],
  [[...trace, '--op', '1', '--first', '2'], /give --first or --op, not both/],
  [[...trace, '--region', 'attic'], /unknown region 'attic'/],
  [[...trace, '--region', ''], /an empty list of regions/],
  [[...trace, '--region', ','], /an empty list of regions/],
  [['trace', 'nope', '--alloc', 'galloc'], /unknown scenario 'nope'/],
  [[...trace, '--seed', '1.5'], /is not a seed/],
  [[...trace, '--heap', '3'], /smallest heap it accepts is 8 bytes/],
  // fuzz
  [[...fuzz, '--time', '0'], /no time at all/],
  [[...fuzz, '--time', '0s'], /no time at all/],
  [[...fuzz, '--time', '-1s'], /--time/],
  [[...fuzz, '--time', 'NaN'], /is not a duration/],
  [[...fuzz, '--time', '200h'], /longer than a week/],
  [[...fuzz, '--time', ''], /is not a duration/],
  [[...fuzz, '--seed', '1.5'], /is not a seed/],
  [['fuzz', '--alloc', 'nope'], /unknown allocator 'nope'/],
  [['fuzz', '--alloc', ''], /unknown allocator ''/],
  [[...fuzz, '--replay', 'x1'], /--replay: op 0 'x1'/],
  [[...fuzz, '--replay', 'f0'], /refers to op 0/],
  [[...fuzz, '--replay', 'a4:3'], /power of two/],
  [[...fuzz, '--heap', '4'], /galloc on cortex-m0 .*smallest heap it accepts is 20 bytes/],
  [[...fuzz, '--heap', '999K'], /does not fit/],
  // compare
  [['compare', '--workers', '0'], /out of range: 1 to 256/],
  [['compare', '--workers', '1.5'], /not a whole count/],
  [['compare', '--workers', '100000'], /out of range/],
  [['compare', '--alloc', ''], /an empty list of allocators/],
  [['compare', '--alloc', 'nope'], /unknown allocator 'nope'/],
  [['compare', '--mcu', ','], /an empty list of MCUs/],
  [['compare', '--scenario', 'nope'], /unknown scenario 'nope'/],
  [['compare', '--seed', '1e+23'], /is not a seed/],
  [['compare', '--ops', '0'], /out of range/],
  [[...compare, '--heap', '3'], /smallest heap it accepts is 8 bytes/],
  [[...compare, '--html', ''], /--html/],
  [[...compare, '--html', tmp], /is a folder/],
  [[...compare, '--html', '/proc/x'], /cannot write in '\/proc'/],
  [[...compare, '--html', join(tmp, 'missing', 'r.html')], /no folder/],
  // check
  [['check', join(tmp, 'nope.elf')], /cannot read .*no such file/],
  [['check', JUNK], /junk\.elf: /],
  [[...check, '--junit', ''], /--junit/],
  [[...check, '--junit', tmp], /is a folder/],
  [[...check, '--junit', '/proc/x'], /cannot write in '\/proc'/],
  [[...check, '--junit', join(tmp, 'missing', 'r.xml')], /no folder/],
  [['check', IMG, '--scenario', 'nope'], /unknown scenario 'nope'/],
  [['check', IMG, '--scenario', ''], /an empty list of scenarios/],
  [['check', IMG, '--scenario', 'no-cas'], /cannot run on/],
  [[...check, '--seed', '1.5'], /is not a seed/],
  [[...check, '--ops', '0'], /out of range/],
  [[...check, '--heap', '3'], /smallest heap it accepts is 8 bytes/],
  [[...check, '--heap', '1M'], /does not fit/],
  // map
  [['map'], /give one of --alloc/],
  [['map', '--alloc', 'galloc', '--elf', FW], /give one of --alloc/],
  [['map', '--alloc', 'galloc', '--rows', '0'], /out of range: 1 to 10,000/],
  [['map', '--alloc', 'galloc', '--rows', '99999999'], /out of range/],
  [['map', '--alloc', 'nope'], /unknown allocator 'nope'/],
  [['map', '--alloc', ''], /--alloc/],
  [['map', '--elf', ''], /--elf/],
  [['map', '--alloc', 'galloc', '--scale', 'sideways'], /argument 'sideways' is invalid/],
  [['map', '--alloc', 'galloc', '--flash', '0'], /flash size 0 does not fit/],
  [['map', '--alloc', 'galloc', '--sram', '3'], /SRAM size 3 does not fit/],
  [['map', '--elf', join(tmp, 'nope.elf')], /no such file/],
  // exec
  [['exec', join(tmp, 'nope.elf')], /no such file/],
  [['exec', JUNK], /junk\.elf: /],
  [['exec', FW, '--max-cycles', '0'], /out of range/],
  [['exec', FW, '--max-cycles', 'x'], /is not a count/],
  [['exec', FW, '--max-cycles', '99999999999999999999'], /too large a count/],
  [['exec', FW, '--flash', '0'], /flash size 0/],
  [['exec', FW, '--sram', '5'], /SRAM size 5/],
  [['exec', FW, '--mcu', 'nope'], /unknown MCU 'nope'/],
];

describe('bad input: exit 2, one line, nothing else', () => {
  it.each(BAD.map(([argv, said]) => [argv.join(' ').replaceAll(ROOT, '.'), argv, said] as const))('%s', async (_name, argv, said) => {
    const r = await sramlab(...argv);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^sramlab: [^\n]+\n$/);
    expect(r.err).not.toMatch(/\bat .*:\d+:\d+/);
    expect(r.err).toMatch(said);
  });

  it('leaves no report and no temporary file behind', () => {
    expect(existsSync(join(tmp, 'missing'))).toBe(false);
    expect(readdirSync(tmp).sort()).toEqual(['junk.elf']);
  });

  it('has more than 70 cases, across every command', () => {
    expect(BAD.length).toBeGreaterThan(70);
    const commands = new Set(BAD.map(([a]) => a[0]));
    for (const c of ['run', 'trace', 'fuzz', 'compare', 'check', 'map', 'exec', 'list', 'demo']) expect(commands).toContain(c);
  });
});

describe('the environment', () => {
  it('SRAMLAB_EXECUTOR naming no executor is bad input: one line, exit 2; each executor it names runs', async () => {
    const bad = await sramlabWith({ SRAMLAB_EXECUTOR: 'jit' }, 'run', 'smoke', '--alloc', 'galloc');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("sramlab: SRAMLAB_EXECUTOR must be interpreter or translator, not 'jit'\n");
    for (const name of ['interpreter', 'translator']) {
      expect((await sramlabWith({ SRAMLAB_EXECUTOR: name }, 'run', 'smoke', '--alloc', 'galloc')).status).toBe(0);
    }
  });
});

describe('good input at the edges is accepted', () => {
  it('the largest seed runs and is reported as given', async () => {
    const r = await sramlab('run', 'smoke', '--alloc', 'galloc', '--seed', '4294967295', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out).seed).toBe(4294967295);
  });

  it('the smallest heap named in a refusal is accepted', async () => {
    const r = await sramlab('run', 'vec-growth', '--alloc', 'galloc', '--heap', '20', '--json');
    expect([0, 1]).toContain(r.status); // a 20-byte heap runs; whether vec-growth then passes is the allocator's business
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).violation?.operation ?? 1).toBeGreaterThan(0); // not refused at sl_init
  });

  it('help and version exit 0 on stdout', async () => {
    for (const argv of [['--help'], ['--version'], ['run', '--help'], ['help', 'check']]) {
      const r = await sramlab(...argv);
      expect(r.status).toBe(0);
      expect(r.out).not.toBe('');
      expect(r.err).toBe('');
    }
  });
});
