// --gdb through the real command line: bin/sramlab.js started as a user starts it, Debian's
// gdb-multiarch in batch mode attached to the port it prints. What gdb shows is checked against
// facts from elsewhere: the violating PC from the JSON of the same run without --gdb, the
// function from nm, the entry point from the ELF header (readelf). Bounded: the command is
// killed after 60 s and gdb after 30 s, so a hang fails the test instead of stalling it.
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'sramlab.js');
/** A plain ABI image (no startup code) whose sl_alloc writes past the heap: examples/c-allocator, -DBROKEN_BOUNDS. */
const BROKEN = join(ROOT, 'examples/c-allocator/bump-broken-bounds-cortex-m0.elf');

const hasGdb = (() => {
  try {
    execFileSync('gdb-multiarch', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Ended {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts sramlab, waits for its "waiting for gdb on host:port" line, runs gdb in batch mode with
 * the commands against that port, and resolves with what both printed once both have ended.
 */
async function underGdb(args: string[], elf: string, commands: string[]): Promise<{ cli: Ended; gdb: string; port: number }> {
  const cli = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  let stdout = '',
    stderr = '';
  cli.stdout.on('data', (d) => {
    stdout += d;
  });
  const ended = new Promise<Ended>((resolve) => cli.on('close', (status) => resolve({ status, stdout, stderr })));
  const port = await new Promise<number>((resolve, reject) => {
    cli.stderr.on('data', (d) => {
      stderr += d;
      const m = /waiting for gdb on 127\.0\.0\.1:(\d+)\n/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    cli.on('close', () => reject(new Error(`sramlab ended without waiting for gdb: ${stderr}`)));
  });
  const gdbArgs = ['-batch', '-nx', elf, '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', `target remote 127.0.0.1:${port}`];
  for (const c of commands) gdbArgs.push('-ex', c);
  const gdb = spawn('gdb-multiarch', gdbArgs, { timeout: 30_000, killSignal: 'SIGKILL' });
  let gdbOut = '';
  gdb.stdout.on('data', (d) => {
    gdbOut += d;
  });
  gdb.stderr.on('data', (d) => {
    gdbOut += d;
  });
  await new Promise((resolve) => gdb.on('close', resolve));
  return { cli: await ended, gdb: gdbOut, port };
}

/** The function nm says holds an address. */
function functionAt(elf: string, pc: number): string {
  for (const l of execFileSync('arm-none-eabi-nm', ['-S', elf], { encoding: 'utf8' }).split('\n')) {
    const [a, size, , name] = l.trim().split(/\s+/);
    if (name && size && pc >= (parseInt(a, 16) & ~1) && pc < (parseInt(a, 16) & ~1) + parseInt(size, 16)) return name;
  }
  throw new Error(`no function at ${pc.toString(16)} in ${elf}`);
}

/** The violation of a plain run (no --gdb), in-process: the independent reference. */
async function violationOf(args: string[]) {
  let out = '';
  const status = await main([...args, '--json'], {
    out: (t) => {
      out += t;
    },
    err: () => {},
  });
  expect(status).toBe(1);
  return JSON.parse(out);
}

const pcOf = (gdb: string) => parseInt(/^pc\s+0x([0-9a-f]+)/m.exec(gdb)![1], 16);

describe.skipIf(!hasGdb)('--gdb on the command line, with gdb-multiarch', () => {
  it('run --gdb 0: gdb attaches before sl_init, continues, and gets SIGSEGV at the violating PC, with a backtrace', async () => {
    const args = ['run', 'smoke', '--alloc', BROKEN];
    const v = (await violationOf(args)).violation;
    expect(v.rule).toBe('containment');
    const { cli, gdb, port } = await underGdb([...args, '--gdb', '0'], BROKEN, [
      'echo @@attached\\n',
      'continue',
      'echo @@stopped\\n',
      'info registers pc',
      'bt',
      'echo @@end\\n',
      'continue',
    ]);
    const stopped = gdb.slice(gdb.indexOf('@@stopped'));
    expect(gdb.slice(0, gdb.indexOf('@@stopped'))).toContain('Program received signal SIGSEGV');
    expect(pcOf(stopped)).toBe(v.pc);
    // Frame 0 is the innermost function addr2line -i gives for the PC (inlining included), at its
    // line; some frame is the function nm says holds the PC.
    const [inner, line] = execFileSync('arm-none-eabi-addr2line', ['-f', '-i', '-e', BROKEN, `0x${v.pc.toString(16)}`], {
      encoding: 'utf8',
    }).split('\n');
    expect(stopped).toMatch(
      new RegExp(
        `#0 .*\\b${inner} \\(.*\\) at ${line
          .replace(/^.*\//, '')
          .replace(/ \(discriminator \d+\)$/, '')
          .replace('.', '\\.')}\n`,
      ),
    );
    expect(stopped).toMatch(new RegExp(`#\\d+ .*\\b${functionAt(BROKEN, v.pc)} \\(`));
    expect(gdb.slice(gdb.indexOf('@@end'))).toContain('terminated with signal SIGSEGV');
    // One line on stderr, the usual report on stdout, the usual status.
    expect(cli.stderr).toBe(`sramlab: waiting for gdb on 127.0.0.1:${port}\n`);
    expect(cli.stdout).toMatch(/^FAIL smoke · bump-broken-bounds-cortex-m0\.elf on cortex-m0/m);
    expect(cli.stdout).toContain(`at pc 0x${v.pc.toString(16).padStart(8, '0')}`);
    expect(cli.status).toBe(1);
  }, 120_000);

  it('run --gdb-on-fail: runs at full speed and waits only where the rule broke, stopped at its PC', async () => {
    const args = ['run', 'smoke', '--alloc', BROKEN];
    const v = (await violationOf(args)).violation;
    const { cli, gdb, port } = await underGdb([...args, '--gdb', '0', '--gdb-on-fail'], BROKEN, [
      'info program',
      'info registers pc',
      'echo @@end\\n',
      'continue',
    ]);
    expect(gdb).toContain('It stopped with signal SIGSEGV');
    expect(pcOf(gdb)).toBe(v.pc);
    expect(cli.stderr).toBe(`sramlab: rule containment broke at operation ${v.operation}; waiting for gdb on 127.0.0.1:${port}\n`);
    expect(cli.status).toBe(1);
  }, 120_000);

  it('check --gdb stops at the first scenario that breaks a rule', async () => {
    const args = ['check', BROKEN, '--scenario', 'smoke,alignment'];
    let out = '';
    await main([...args, '--json'], {
      out: (t) => {
        out += t;
      },
      err: () => {},
    });
    const first = JSON.parse(out).scenarios[0].result.violation;
    const { cli, gdb, port } = await underGdb([...args, '--gdb', '0'], BROKEN, ['info registers pc', 'bt', 'echo @@end\\n', 'continue']);
    expect(pcOf(gdb)).toBe(first.pc);
    expect(gdb).toMatch(/#\d+ .*\bsl_alloc \(/);
    // Only the first failure waits; the second scenario runs on and is reported as usual.
    expect(cli.stderr).toBe(
      `sramlab: smoke: rule containment broke at operation ${first.operation}; waiting for gdb on 127.0.0.1:${port}\n`,
    );
    expect(cli.stdout).toMatch(/FAIL smoke[\s\S]*FAIL alignment/);
    expect(cli.status).toBe(1);
  }, 120_000);

  it('exec --gdb waits at the reset handler; the firmware\'s exit is gdb\'s "exited"', async () => {
    const elf = join(ROOT, 'tests/firmware/exceptions.elf');
    const entry = parseInt(
      /Entry point address:\s+0x([0-9a-f]+)/.exec(execFileSync('arm-none-eabi-readelf', ['-h', elf], { encoding: 'utf8' }))![1],
      16,
    );
    const { cli, gdb } = await underGdb(['exec', elf, '--gdb', '0'], elf, ['info registers pc', 'continue']);
    expect(pcOf(gdb)).toBe(entry & ~1);
    expect(gdb).toMatch(/exited (normally|with code \d+)/);
    expect(cli.status).toBe(0);
  }, 120_000);

  it('a kill from gdb ends the command in one line with status 1', async () => {
    const { cli, port } = await underGdb(['run', 'smoke', '--alloc', BROKEN, '--gdb', '0'], BROKEN, ['kill']);
    expect(cli.stderr).toBe(`sramlab: waiting for gdb on 127.0.0.1:${port}\nsramlab: killed from gdb: the run did not finish\n`);
    expect(cli.stdout).toBe('');
    expect(cli.status).toBe(1);
  }, 120_000);
});

describe('--gdb bad input: one line, status 2', () => {
  it.each([
    [['run', 'smoke', '--alloc', 'galloc', '--gdb', '0.0.0.0:0'], /is not a loopback address.*--gdb-allow-remote/],
    [['run', 'smoke', '--alloc', 'galloc', '--gdb', 'nope'], /--gdb 'nope' is not \[host:\]port/],
    [['run', 'smoke', '--alloc', 'galloc', '--gdb', '70000'], /not a TCP port/],
    [['run', 'smoke', '--alloc', 'galloc', '--gdb-on-fail'], /--gdb-on-fail needs --gdb/],
    [['exec', BROKEN, '--gdb-allow-remote'], /--gdb-allow-remote needs --gdb/],
  ])('%j', async (argv, message) => {
    let err = '';
    const status = await main(argv, {
      out: () => {},
      err: (t) => {
        err += t;
      },
    });
    expect(status).toBe(2);
    expect(err).toMatch(message);
    expect(err.split('\n').length).toBe(2);
  });
});
