// Runs the real binary (bin/sramlab.js) in a child process, without blocking the test's event
// loop, so that two can run side by side on two cores. NO_COLOR keeps the output plain.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'sramlab.js');

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function spawnSramlab(...args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '',
      stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
