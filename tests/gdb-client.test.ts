// A real client against sramlab's GDB server: Debian's gdb-multiarch in batch mode, attached to
// a committed galloc image while the host calls sl_init and sl_alloc on it. What gdb prints is
// checked against facts taken from the ELF with binutils (nm, objdump, addr2line) and from the
// host-call ABI (arguments in r0–r3, SP at __stack_top, LR = the return trap 0xdeadbeef), not
// against the server's own code. Everything is bounded: gdb is killed after 30 s, and the server
// gives up when gdb is silent for 20 s.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenForGdb } from '../debug/gdb-server.ts';
import { stopForViolation } from '../debug/gdb-stub.ts';
import type { Machine } from '../emulator/machine.ts';
import { AllocatorImage } from '../runners/image.ts';
import { runScenario } from '../scenarios/index.ts';

const hasGdb = (() => {
  try {
    execFileSync('gdb-multiarch', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const hex = (n: number) => `0x${(n >>> 0).toString(16)}`;

function nm(elf: string, name: string): number {
  const line = execFileSync('arm-none-eabi-nm', [elf], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`${name} not in ${elf}`);
  return parseInt(line.split(' ')[0], 16);
}

interface Insn {
  address: number;
  size: number;
  text: string;
}

/** The disassembly of one function (or the whole image), as objdump prints it. */
function disassemble(elf: string, fn?: string): Insn[] {
  const out = execFileSync('arm-none-eabi-objdump', [fn ? `--disassemble=${fn}` : '-d', elf], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const insns: Insn[] = [];
  for (const l of out.split('\n')) {
    const m = /^\s+([0-9a-f]+):\s+([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s+(\S.*)$/.exec(l);
    if (m && !m[4].startsWith('.word')) insns.push({ address: parseInt(m[1], 16), size: m[3] ? 4 : 2, text: m[4] });
  }
  return insns;
}

/** file:line for an address as addr2line gives it. */
function addr2line(elf: string, address: number): string {
  return execFileSync('arm-none-eabi-addr2line', ['-e', elf, hex(address)], { encoding: 'utf8' })
    .trim()
    .replace(/^.*\//, '')
    .replace(/ \(discriminator \d+\)$/, '');
}

/** Every file:line row of the DWARF line table at an address (objdump --dwarf=decodedline). */
function lineRows(elf: string, address: number): string[] {
  const out = execFileSync('arm-none-eabi-objdump', ['--dwarf=decodedline', elf], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows: string[] = [];
  for (const l of out.split('\n')) {
    const m = /^(\S+)\s+(\d+)\s+(0x[0-9a-f]+)/.exec(l);
    if (m && parseInt(m[3], 16) === address) rows.push(`${m[1].replace(/^.*\//, '')}:${m[2]}`);
  }
  return rows;
}

/** Starts gdb in batch mode against the server; resolves with everything it printed. */
function gdb(elf: string, port: number, commands: string[]): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'sramlab-gdb-')), 'out.txt');
  const fd = openSync(file, 'w');
  const args = ['-batch', '-nx', elf, '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) args.push('-ex', c);
  const child = spawn('gdb-multiarch', args, { stdio: ['ignore', fd, fd], timeout: 30_000, killSignal: 'SIGKILL' });
  closeSync(fd);
  return new Promise((resolve) => child.on('exit', () => resolve(readFileSync(file, 'utf8'))));
}

/** The text between `echo @@name` markers. */
function section(out: string, name: string): string {
  const start = out.indexOf(`@@${name}\n`);
  if (start < 0) throw new Error(`no section ${name} in:\n${out}`);
  const rest = out.slice(start + name.length + 3);
  const end = rest.indexOf('@@');
  return end < 0 ? rest : rest.slice(0, end);
}

function register(text: string, name: string): number {
  const m = new RegExp(`^${name}\\s+(0x[0-9a-f]+)`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in:\n${text}`);
  return parseInt(m[1], 16);
}

describe.skipIf(!hasGdb).each(['cortex-m0', 'cortex-m3'])('gdb-multiarch against galloc on %s', (mcu) => {
  const elf = `firmware/images/galloc-${mcu}.elf`;

  it('shows registers, stops at a breakpoint and a watchpoint, steps, and sees the run end', async () => {
    const slAlloc = nm(elf, 'sl_alloc'),
      stackTop = nm(elf, '__stack_top');
    const code = disassemble(elf, 'sl_alloc');
    const push = code.find((i) => i.text.startsWith('push'))!;
    const afterPush = push.address + push.size;
    const pushed = /\{([^}]*)\}/
      .exec(push.text)![1]
      .split(',')
      .map((r) => r.trim());
    const reset = disassemble(elf, 'Reset_Handler');
    const idle = reset.filter((i) => i.text === 'wfi').at(-1)!;

    // The word sl_alloc(16, 8) changes first in the heap, found on a separate machine.
    const probe = AllocatorImage.load('galloc', mcu);
    probe.init(4096);
    const before = probe.machine.bus.sram.slice();
    probe.alloc(16, 8);
    const heapStart = nm(elf, '__heap_start');
    let watched = -1;
    for (let a = heapStart; a < heapStart + 4096; a += 4) {
      const o = a - 0x2000_0000;
      if (
        before[o] !== probe.machine.bus.sram[o] ||
        before[o + 1] !== probe.machine.bus.sram[o + 1] ||
        before[o + 2] !== probe.machine.bus.sram[o + 2] ||
        before[o + 3] !== probe.machine.bus.sram[o + 3]
      ) {
        watched = a;
        break;
      }
    }
    expect(watched).toBeGreaterThan(0);
    const oldValue = new DataView(before.buffer).getUint32(watched - 0x2000_0000, true);

    const image = AllocatorImage.load('galloc', mcu);
    const server = listenForGdb('0', { idleTimeoutMs: 20_000 });
    const out = gdb(elf, server.port, [
      'echo @@attach\\n',
      'info registers',
      `break *${hex(slAlloc)}`,
      'echo @@entry\\n',
      'continue',
      'info registers',
      'delete',
      `break *${hex(afterPush)}`,
      'echo @@pushed\\n',
      'continue',
      'info registers',
      `x/${pushed.length}wx $sp`,
      'bt',
      'echo @@stepi\\n',
      'stepi',
      'p/x $pc',
      'info line *$pc',
      'delete',
      `watch *(unsigned int *)${hex(watched)}`,
      'echo @@watch\\n',
      'continue',
      'p/x $pc',
      'echo @@end\\n',
      'delete',
      'continue',
    ]);
    const stub = server.debug(image.machine);
    stub.start();
    image.init(4096);
    image.alloc(16, 8);
    stub.finish({ exited: 0 });
    server.close();
    const text = await out;

    // Attached where bring-up left the core: just past the WFI of the reset handler's idle loop.
    const attach = section(text, 'attach');
    expect(register(attach, 'pc')).toBe(idle.address + 2);
    expect(register(attach, 'xpsr') & (1 << 24)).not.toBe(0); // Thumb
    expect(attach).toMatch(/^primask\s/m);
    expect(/^basepri\s/m.test(attach)).toBe(mcu !== 'cortex-m0'); // ARMv7-M only

    // At sl_alloc's first instruction: the host call's ABI state.
    const entry = section(text, 'entry');
    // (On the M3, gdb names the function inlined at the entry, sramlab.h's sl_layout_ok.)
    expect(entry).toMatch(/Breakpoint 1, (sl_alloc \(size=16, align=8\)|sl_layout_ok \(align=8, size=16\)) at \S+:\d+/);
    expect(register(entry, 'pc')).toBe(slAlloc);
    expect(register(entry, 'sp')).toBe(stackTop);
    expect(register(entry, 'lr')).toBe(0xdeadbeef);
    expect(register(entry, 'r0')).toBe(16);
    expect(register(entry, 'r1')).toBe(8);

    // One instruction on from there, at the line addr2line gives for that address.
    const next = afterPush + code.find((i) => i.address === afterPush)!.size;
    const step = section(text, 'stepi');
    expect(parseInt(/\$\d+ = 0x([0-9a-f]+)/.exec(step)![1], 16)).toBe(next);
    // Where inlining puts several rows at one address, gdb and addr2line may pick different
    // ones; what gdb shows must be a row the line table has for that address.
    const line = /Line (\d+) of "(?:.*\/)?([^"]+)"/.exec(step)!;
    expect(lineRows(elf, next)).toContain(`${line[2]}:${line[1]}`);
    expect(lineRows(elf, next)).toContain(addr2line(elf, next));

    // After the PUSH: the pushed registers on the stack, LR (the return trap) on top.
    const p = section(text, 'pushed');
    const dump = /^0x2[0-9a-f]{7}(?: <[^>]*>)?:\s+(.*)$/m.exec(p)![1];
    const words = dump
      .trim()
      .split(/\s+/)
      .map((w) => parseInt(w, 16));
    expect(register(p, 'sp')).toBe(stackTop - 4 * pushed.length);
    expect(words).toEqual(pushed.map((r) => (r === 'lr' ? 0xdeadbeef : register(p, r))));
    expect(p).toMatch(/#[01] {2}(0x[0-9a-f]+ in )?sl_alloc \(size=16, align=8\) at allocators\/galloc\/galloc\.c:\d+/);
    expect(p).toMatch(/#[12] {2}0xdeadbeee in \?\? \(\)/);

    // The watchpoint stops right after the store that changed the word.
    const w = section(text, 'watch');
    expect(w).toMatch(/Hardware watchpoint \d+: \*\(unsigned int \*\)/);
    expect(w).toContain(`Old value = ${oldValue}`);
    const pc = parseInt(/\$\d+ = 0x([0-9a-f]+)/.exec(w)![1], 16);
    const store = disassemble(elf).find((i) => i.address + i.size === pc);
    expect(store?.text).toMatch(/^(str|stm)/);

    expect(section(text, 'end')).toContain('exited normally');
  }, 60_000);

  it('serves a run stopped at a broken rule: SIGSEGV at the faulting line, with a backtrace', async () => {
    const broken = `tests/broken-allocators/images/past-end-${mcu}.elf`;
    let machine: Machine | null = null;
    const r = runScenario(
      'smoke',
      'past-end',
      mcu,
      { seed: 1, ops: 50 },
      {
        elf: broken,
        observe: (s) => {
          machine = s.image.machine;
        },
      },
    );
    expect(r.violation?.rule).toBe('containment');
    const v = r.violation!;
    const server = listenForGdb('0', { idleTimeoutMs: 20_000 });
    const out = gdb(broken, server.port, ['echo @@stop\\n', 'info program', 'info registers pc', 'bt', 'echo @@end\\n', 'continue']);
    server.debug(machine!).finish(stopForViolation(v));
    server.close();
    const text = await out;
    const stop = section(text, 'stop');
    expect(register(stop, 'pc')).toBe(v.pc);
    const line = addr2line(broken, v.pc!);
    expect(stop).toMatch(new RegExp(`#0 .*sl_alloc .* at \\S*${line.replace('.', '\\.')}`));
    expect(stop).toContain('It stopped with signal SIGSEGV');
    expect(section(text, 'end')).toContain('terminated with signal SIGSEGV');
  }, 60_000);
});
