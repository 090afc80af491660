// `sramlab … | head`: the reader closes the pipe after a few lines. Every command that can
// print more than a pipe holds must then stop quietly — exit 0 (cli.ts: the reader has what it
// wanted), nothing on stderr, no EPIPE stack trace — and promptly, not after its whole run.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'sramlab.js');
const tmp = mkdtempSync(join(tmpdir(), 'sramlab-pipe-'));

/** Runs sramlab with stdout a pipe that is destroyed as soon as the first bytes arrive. */
function closedEarly(args: string[]): Promise<{ status: number | null; signal: string | null; stderr: string; got: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '',
      got = 0;
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.once('data', (d: Buffer) => {
      got = d.length;
      child.stdout.destroy();
    });
    // A command that ignored the closed pipe would run to its end (or forever): kill it, and fail.
    const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(guard);
      resolve({ status, signal, stderr, got });
    });
  });
}

/**
 * An image that prints "y\n" forever through SYS_WRITE0, like `yes`: vector table (SP, reset),
 * then movs r0,#4; adr r1,str; bkpt 0xab; b loop; str: "y\n\0".
 */
function yesElf(): string {
  const code = new Uint8Array([
    0x00,
    0x10,
    0x00,
    0x20,
    0x09,
    0x00,
    0x00,
    0x00, // SP 0x20001000, reset 0x08 | 1
    0x04,
    0x20,
    0x01,
    0xa1,
    0xab,
    0xbe,
    0xfb,
    0xe7, // movs r0,#4 · adr r1,0x10 · bkpt 0xab · b 0x08
    0x79,
    0x0a,
    0x00,
    0x00,
  ]);
  const buf = new Uint8Array(84 + code.length);
  const dv = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  dv.setUint16(16, 2, true);
  dv.setUint16(18, 40, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, 0x9, true);
  dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, 1, true);
  dv.setUint16(46, 40, true);
  dv.setUint32(52, 1, true);
  dv.setUint32(56, 84, true);
  dv.setUint32(68, code.length, true);
  dv.setUint32(72, code.length, true);
  dv.setUint32(76, 5, true);
  buf.set(code, 84);
  const path = join(tmp, 'yes.elf');
  writeFileSync(path, buf);
  return path;
}

describe('a closed pipe ends the command quietly', () => {
  it.each([
    ['run --step', ['run', 'random-actions', '--alloc', 'galloc', '--heap', '2K', '--step', '--ops', '100000']],
    ['exec of firmware that prints forever', ['exec', yesElf(), '--max-cycles', '10G']],
    ['trace', ['trace', 'random-actions', '--alloc', 'galloc', '--first', '100000', '--ops', '100000']],
    ['help', ['run', '--help']],
  ])('%s', async (_name, args) => {
    const r = await closedEarly(args as string[]);
    expect(r.got).toBeGreaterThan(0);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull(); // it ended by itself, not by the guard's SIGKILL
    expect(r.status).toBe(0);
  });
});
