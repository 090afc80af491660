// `sramlab check` on a user's own allocator, as CI meets it: the C example of
// examples/c-allocator (its committed ELFs, which tests/long/c-example.test.ts rebuilds from
// source with arm-none-eabi-gcc and compares), its broken variants, ELFs that miss what the ABI
// needs, and the JUnit report read back with a small XML reader of our own (no dependency).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllocatorImage, ImageError, imagePath } from '../runners/image.ts';
import { sramlabWith } from './support/cli-in-process.ts';
import { spawnSramlab } from './support/cli-spawn.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'sramlab.js');
const EXAMPLE = join(ROOT, 'examples', 'c-allocator');
const GCC = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0;

const tmp = mkdtempSync(join(tmpdir(), 'sramlab-check-'));
const elf = (name: string) => join(EXAMPLE, name);

/**
 * The CLI in-process (main(), as bin/sramlab.js runs it), without colour; the tests of the
 * replay line a report prints run the real binary (spawnSramlab), since the replay starts as
 * sramlab was invoked.
 */
const sramlab = (...args: string[]) => sramlabWith({ NO_COLOR: '1' }, ...args);

describe('AllocatorImage boot option', () => {
  it("'auto' runs an image without a vector table from its segments, and resets one with a vector table", async () => {
    expect(AllocatorImage.fromElf(readFileSync(elf('bump-cortex-m0.elf')), 'cortex-m0', { boot: 'auto' }).boot).toBe('segments');
    expect(AllocatorImage.fromElf(readFileSync(imagePath('galloc', 'cortex-m0')), 'cortex-m0', { boot: 'auto' }).boot).toBe('reset');
  });

  it("the default stays 'reset', which an image without startup code cannot survive", async () => {
    expect(() => AllocatorImage.fromElf(readFileSync(elf('bump-cortex-m0.elf')), 'cortex-m0')).toThrow(ImageError);
  });

  it('refuses a .vectors section that holds no vector table, saying what to put there', async () => {
    // The example's empty .alloc_data section renamed to .vectors (same string table slot).
    const bytes = patchString(readFileSync(elf('bump-cortex-m0.elf')), '\0.alloc_data\0', '\0.vectors\0ta\0');
    expect(() => AllocatorImage.fromElf(bytes, 'cortex-m0', { boot: 'auto' }, 'v.elf')).toThrow(
      /^v\.elf: '\.vectors' holds no initial SP: put __stack_top at offset 0, or leave \.vectors out/,
    );
  });

  it('places initialised data at its run address when nothing copies it (linked AT > FLASH)', (ctx) => {
    if (!GCC) ctx.skip();
    const script = readFileSync(join(EXAMPLE, 'link.ld'), 'utf8').replace(/(__alloc_data_end = \.;\s*\}) > RAM/, '$1 > RAM AT > FLASH');
    expect(script).toContain('AT > FLASH');
    writeFileSync(join(tmp, 'at-flash.ld'), script);
    writeFileSync(join(tmp, 'probe.c'), 'unsigned sl_probe = 0x5a5aa5a5u;\n');
    const out = join(tmp, 'probe.elf');
    const cc = spawnSync(
      'arm-none-eabi-gcc',
      [
        '-mcpu=cortex-m0',
        '-mthumb',
        '-O2',
        '-ffreestanding',
        '-nostdlib',
        '-Wl,--undefined=sl_probe',
        '-T',
        join(tmp, 'at-flash.ld'),
        '-o',
        out,
        join(EXAMPLE, 'bump.c'),
        join(tmp, 'probe.c'),
      ],
      { encoding: 'utf8' },
    );
    expect(cc.stderr).toBe('');
    const img = AllocatorImage.fromElf(readFileSync(out), 'cortex-m0', { boot: 'auto' });
    expect(img.boot).toBe('segments');
    expect(img.read32(img.address('sl_probe'))).toBe(0x5a5aa5a5);
  });
});

describe('sramlab check', () => {
  it('passes the example on a Cortex-M0: exit 0, JSON all ok, JUnit with one passing testcase per scenario', async () => {
    const report = join(tmp, 'ok.xml');
    const r = await sramlab('check', elf('bump-cortex-m0.elf'), '--mcu', 'cortex-m0', '--json', '--junit', report);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('sramlab.check/1');
    expect(doc.ok).toBe(true);
    expect(doc.image.boot).toBe('segments');
    expect(doc.profile.name).toBe('cortex-m0');
    const names: string[] = doc.scenarios.map((s: { name: string }) => s.name);
    expect(names).toContain('smoke');
    expect(names).toContain('fill-and-drain');
    expect(names).toContain('isr-reentrancy'); // no harness needed: the emulator raises the IRQ
    expect(names).not.toContain('stack-collision'); // only on request
    expect(doc.skippedScenarios.map((s: { name: string }) => s.name)).toEqual(['stack-collision', 'no-cas']);
    for (const s of doc.scenarios) {
      expect(s.ok, s.name).toBe(true);
      expect(s.result.schema).toBe('sramlab.run/1');
    }

    const suites = parseXml(readFileSync(report, 'utf8'));
    const suite = only(suites.children.filter((c) => c.name === 'testsuite'));
    expect(suite.attrs.name).toBe(`sramlab check ${elf('bump-cortex-m0.elf')} on cortex-m0`);
    expect(suite.attrs.tests).toBe(String(names.length + 2));
    expect(suite.attrs.failures).toBe('0');
    expect(suite.attrs.skipped).toBe('2');
    const cases = suite.children.filter((c) => c.name === 'testcase' && !c.children.some((k) => k.name === 'skipped'));
    expect(cases.map((c) => c.attrs.name)).toEqual(names);
    for (const c of cases) {
      expect(c.attrs.classname).toBe('sramlab.cortex-m0');
      expect(Number(c.attrs.time)).toBeGreaterThan(0);
      expect(c.children).toEqual([]);
    }
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('says how many preemption points a pass of isr-reentrancy covers, and which point a failure is at', async () => {
    const pass = await sramlab('check', elf('bump-cortex-m0.elf'), '--mcu', 'cortex-m0', '--scenario', 'isr-reentrancy');
    const passJson = JSON.parse((await sramlab('check', elf('bump-cortex-m0.elf'), '--scenario', 'isr-reentrancy', '--json')).stdout);
    const p = passJson.scenarios[0].result.preemption;
    expect(p.points).toBeGreaterThan(100);
    expect(pass.stdout).toMatch(
      new RegExp(`^ {2}PASS isr-reentrancy .*\n {7}safe at all ${p.points.toLocaleString('en')} preemption points explored`, 'm'),
    );
    // galloc's spin lock: the report names the failing point (its replay runs that point alone).
    const fail = await sramlab('check', imagePath('galloc', 'cortex-m0'), '--scenario', 'isr-reentrancy');
    expect(fail.status).toBe(1);
    expect(fail.stdout).toMatch(/^ {7}explored: {2}unsafe at preemption point 7:\d+, the first of \d+ explored in order/m);
  });

  it('passes the thumbv7m build on a Cortex-M3', async () => {
    const r = await sramlab('check', elf('bump-cortex-m3.elf'), '--mcu', 'cortex-m3', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  it('fails overlapping blocks with the blocks rule: exit 1 and a JUnit <failure> carrying the report', async () => {
    const report = join(tmp, 'overlap.xml');
    const r = await spawnSramlab(
      'check',
      elf('bump-broken-overlap-cortex-m0.elf'),
      '--scenario',
      'smoke,random-actions',
      '--json',
      '--junit',
      report,
    );
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(false);
    const [smoke, random] = doc.scenarios;
    expect(smoke.ok).toBe(true);
    expect(random.result.violation.rule).toBe('blocks');
    expect(random.result.violation.message).toMatch(
      /^alloc\(size \d+, align \d+\) returned 0x[0-9a-f]{8}–0x[0-9a-f]{8} \(\d+ bytes?\), which overlaps \d+ bytes? .* of the block made by operation \d+ at 0x[0-9a-f]{8} /,
    );

    const suite = only(parseXml(readFileSync(report, 'utf8')).children);
    expect(suite.attrs.failures).toBe('1');
    const failing = only(suite.children.filter((c) => c.name === 'testcase' && c.children.length));
    expect(failing.attrs.name).toBe('random-actions');
    const failure = only(failing.children);
    expect(failure.name).toBe('failure');
    expect(failure.attrs.type).toBe('blocks');
    expect(failure.attrs.message).toMatch(
      /^rule blocks: alloc\(size \d+, align \d+\) returned 0x[0-9a-f]{8}.*, which overlaps .* of the block made by operation \d+/,
    );
    expect(failure.text).toMatch(new RegExp(`^operation: +${random.result.violation.operation} \\(alloc\\)$`, 'm'));
    expect(failure.text).toContain(
      `replay:    node bin/sramlab.js check ${elf('bump-broken-overlap-cortex-m0.elf')} --mcu cortex-m0 --scenario random-actions --seed 1`,
    );
  });

  it('fails a write past the heap array with the containment rule, naming PC, symbol, source line, address and access', async () => {
    const report = join(tmp, 'bounds.xml');
    const r = await spawnSramlab('check', elf('bump-broken-bounds-cortex-m0.elf'), '--scenario', 'fragmentation', '--junit', report);
    expect(r.status).toBe(1);
    const failure = only(
      only(only(parseXml(readFileSync(report, 'utf8')).children).children.filter((c) => c.name === 'testcase')).children,
    );
    expect(failure.attrs.type).toBe('containment');
    for (const line of [
      /^rule: +containment$/m,
      /^pc: +0x[0-9a-f]{8}$/m,
      /^symbol: +sl_alloc\+0x[0-9a-f]+$/m,
      /^source: +bump\.c:\d+$/m,
      /^address: +0x[0-9a-f]{8}$/m,
      /^size: +4 byte\(s\)$/m,
      /^access: +store$/m,
      /^region: +sram$/m,
      /^operation: +\d+ \(alloc\)$/m,
      /^replay: +node bin\/sramlab\.js check /m,
    ]) {
      expect(failure.text).toMatch(line);
    }
    expect(r.stdout).toMatch(/FAIL fragmentation/);
  });

  it('escapes the report: a path with XML specials and a control character reads back as written', async () => {
    const odd = join(tmp, `a&b <"q'> \u0001.elf`);
    copyFileSync(elf('bump-cortex-m0.elf'), odd);
    const report = join(tmp, 'odd.xml');
    const r = await sramlab('check', odd, '--scenario', 'smoke', '--junit', report, '--json');
    expect(r.status).toBe(0);
    const suite = only(parseXml(readFileSync(report, 'utf8')).children);
    expect(suite.attrs.name).toBe(`sramlab check ${odd.replace('\u0001', '\uFFFD')} on cortex-m0`);
    // The replay command quotes the path, so it runs as pasted.
    const replay: string = JSON.parse(r.stdout).scenarios[0].result.replay;
    const again = spawnSync('sh', ['-c', replay.replace(/^sramlab /, `"${process.execPath}" "${BIN}" `)], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(again.stderr).toBe('');
    expect(again.stdout).toMatch(/PASS smoke/);
  });

  it('refuses an ELF without sl_alloc in one line naming it and how to add it (exit 2), leaving an old report alone', async () => {
    const noAlloc = join(tmp, 'no-alloc.elf');
    writeFileSync(noAlloc, patchString(readFileSync(elf('bump-cortex-m0.elf')), '\0sl_alloc\0', '\0sl_allox\0'));
    const report = join(tmp, 'kept.xml');
    writeFileSync(report, 'the previous run\n');
    const r = await sramlab('check', noAlloc, '--junit', report);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no symbol 'sl_alloc': export it from the allocator \(void \*sl_alloc\(uint32_t size, uint32_t align\)\)/);
    expect(readFileSync(report, 'utf8')).toBe('the previous run\n');
  });

  it('refuses a file that is not an ELF in one line (exit 2)', async () => {
    const junk = join(tmp, 'junk.elf');
    writeFileSync(junk, 'not an elf at all');
    const r = await sramlab('check', junk);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/junk\.elf: not an ELF file/);
  });

  it('refuses a scenario the image cannot run, and an unknown one (exit 2)', async () => {
    const noCas = await sramlab('check', elf('bump-cortex-m0.elf'), '--scenario', 'no-cas');
    expect(noCas.status).toBe(2);
    expect(noCas.stderr.trim().split('\n')).toHaveLength(1);
    expect(noCas.stderr).toMatch(/scenario 'no-cas' cannot run on .*bump-cortex-m0\.elf: it runs the project's CAS builds/);
    expect((await sramlab('check', elf('bump-cortex-m0.elf'), '--scenario', 'nope')).status).toBe(2);
  });

  it('runs stack-collision on request, and passes when the stack rule catches it', async () => {
    const r = await sramlab('check', elf('bump-cortex-m0.elf'), '--scenario', 'stack-collision', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).scenarios[0].result.caught.rule).toBe('stack');
  });

  it('has --help with an example', async () => {
    const r = await sramlab('check', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Examples:\n {2}\$ sramlab check firmware\.elf --mcu cortex-m0 --junit sramlab\.xml/);
  });
});

// ---- helpers ------------------------------------------------------------------------------

/** Replaces every occurrence of a same-length byte string (symbol and section names in string tables). */
function patchString(bytes: Uint8Array, from: string, to: string): Uint8Array {
  if (from.length !== to.length) throw new Error('patchString keeps offsets: same length only');
  const out = Buffer.from(bytes);
  const needle = Buffer.from(from, 'latin1');
  let hits = 0;
  for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + 1)) {
    out.write(to, at, 'latin1');
    hits++;
  }
  if (!hits) throw new Error(`'${from}' is not in the ELF`);
  return out;
}

function only<T>(xs: T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0];
}

interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Entity references to characters; a bare '&' is not well-formed. */
function decode(s: string): string {
  return s.replace(/&([^;&]*);?/g, (ref, body: string) => {
    if (!ref.endsWith(';')) throw new Error(`bare '&' in ${JSON.stringify(s)}`);
    if (body in ENTITIES) return ENTITIES[body];
    const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(body);
    if (!num) throw new Error(`unknown entity ${ref}`);
    return String.fromCodePoint(num[1][0] === 'x' ? parseInt(num[1].slice(1), 16) : Number(num[1]));
  });
}

/**
 * Just enough XML for a JUnit report, strict where it matters: one root, matching tags, quoted
 * attributes without '<', text without '<', known entities only, no characters XML forbids.
 * Returns the root element.
 */
function parseXml(src: string): XmlNode {
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(src)) throw new Error('a character XML 1.0 forbids');
  const body = src.replace(/^<\?xml [^?]*\?>/, '');
  const doc: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [doc];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  while (token.lastIndex < body.length) {
    const at = token.lastIndex;
    const m = token.exec(body);
    if (!m) throw new Error(`not well-formed at ${at}: ${JSON.stringify(body.slice(at, at + 40))}`);
    const [, close, name, attrText, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      if (top === doc && text.trim()) throw new Error('text outside the root element');
      top.text += decode(text);
    } else if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const a of attrText.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      const node: XmlNode = { name, attrs, children: [], text: '' };
      top.children.push(node);
      if (!selfClose) stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  return only(doc.children);
}
