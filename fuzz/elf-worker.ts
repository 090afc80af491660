// A fuzz worker thread: builds each case it is sent from (seed, index) and runs it in-process.
// The main thread (fuzz/elf.ts) times every case, so a hang costs this thread, not the run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { runCase } from './elf-case.ts';
import { loadCorpus, makeCase } from './elf-mutate.ts';

const corpus = loadCorpus();
const dir = mkdtempSync(join(tmpdir(), 'sramlab-fuzz-elf-'));
const path = join(dir, 'case.elf');
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

parentPort!.on('message', async (msg: { seed: number; index: number } | 'stop') => {
  if (msg === 'stop') {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
  const c = makeCase(corpus, msg.seed, msg.index);
  const t0 = performance.now();
  const r = await runCase(c.entry, path, c.bytes, c.args);
  parentPort!.postMessage({ index: msg.index, kind: c.kind, entry: c.entry, ...r, ms: performance.now() - t0 });
});
parentPort!.postMessage('ready');
