// `npm run fuzz:elf -- --count N --seed S [--workers W] [--timeout 60] [--case K]`
// Mutations of every committed ELF image (fuzz/elf-mutate.ts) through the CLI's `exec` and
// `check` commands in-process (fuzz/elf-case.ts), on worker threads timed by this one. Prints
// the counts per outcome and per mutation kind; exit 1 when any case crashed (an exception that
// is not the project's refusal or fault, an exit status the command may not give) or hung (no
// answer within --timeout seconds), with the command that replays it; 2 on bad arguments.
// `--case K` runs case K of the seed alone, in this thread, prints its outcome in full and
// writes its ELF to --out (default fuzz-case.elf) so it can be run with `sramlab exec|check`.

import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { OutputClosed, processIo } from '../cli/io.ts';
import { type CaseResult, type Outcome, runCase } from './elf-case.ts';
import { type Entry, KINDS, type Kind, loadCorpus, makeCase } from './elf-mutate.ts';

const OUTCOMES: Outcome[] = ['ok', 'fault', 'status', 'refused', 'crash', 'hang'];
const WORKER_BOOT =
  `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
  `.then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./elf-worker.ts', import.meta.url).href)}); })`;

class BadArgs extends Error {}

interface Args {
  count: number;
  seed: number;
  workers: number;
  timeout: number;
  case?: number;
  out: string;
}

function integer(name: string, text: string | undefined, min: number, max = 0xffff_ffff): number {
  const n = Number(text?.replace(/_/g, ''));
  if (text === undefined || !/^\d[\d_]*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new BadArgs(`${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return n;
}

function parse(argv: string[]): Args {
  let values: Partial<Record<'count' | 'seed' | 'workers' | 'timeout' | 'case' | 'out', string>>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        count: { type: 'string', default: '1000' },
        seed: { type: 'string', default: '1' },
        workers: { type: 'string', default: String(Math.min(2, availableParallelism())) },
        timeout: { type: 'string', default: '60' },
        case: { type: 'string' },
        out: { type: 'string', default: 'fuzz-case.elf' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new BadArgs((e as Error).message);
  }
  return {
    count: integer('--count', values.count, 1),
    seed: integer('--seed', values.seed, 0),
    workers: integer('--workers', values.workers, 1, 64),
    timeout: integer('--timeout', values.timeout, 1, 3600),
    case: values.case === undefined ? undefined : integer('--case', values.case, 0),
    out: values.out!,
  };
}

interface Tally {
  outcomes: Record<Outcome, number>;
  byKind: Record<Kind, Record<Outcome, number>>;
  byEntry: Record<Entry, Record<Outcome, number>>;
  bad: { index: number; kind: Kind; entry: Entry; outcome: Outcome; detail: string }[];
}

const zero = () => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
function newTally(): Tally {
  return {
    outcomes: zero(),
    byKind: Object.fromEntries(KINDS.map((k) => [k, zero()])) as Tally['byKind'],
    byEntry: { exec: zero(), check: zero() },
    bad: [],
  };
}

function record(t: Tally, index: number, kind: Kind, entry: Entry, r: CaseResult): void {
  t.outcomes[r.outcome]++;
  t.byKind[kind][r.outcome]++;
  t.byEntry[entry][r.outcome]++;
  if (r.outcome === 'crash' || r.outcome === 'hang') t.bad.push({ index, kind, entry, outcome: r.outcome, detail: r.detail ?? '' });
}

/** Runs cases [0, count) on worker threads; a worker silent for `timeout` seconds is replaced and its case is a hang. */
async function campaign(a: Args, onDone: (n: number) => void): Promise<Tally> {
  const t = newTally();
  const corpus = loadCorpus(); // only to describe a hung case, which its worker cannot
  let next = 0,
    done = 0;
  await new Promise<void>((resolve, reject) => {
    let live = 0;
    const start = () => {
      const w = new Worker(WORKER_BOOT, { eval: true, stdout: true, stderr: true });
      live++;
      let current = -1,
        timer: NodeJS.Timeout | undefined;
      const feed = () => {
        if (next >= a.count) {
          w.postMessage('stop');
          return;
        }
        current = next++;
        w.postMessage({ seed: a.seed, index: current });
        timer = setTimeout(() => {
          const c = makeCase(corpus, a.seed, current);
          record(t, current, c.kind, c.entry, { outcome: 'hang', detail: `no answer within ${a.timeout} s` });
          onDone(++done);
          current = -1;
          void w.terminate();
        }, a.timeout * 1000);
      };
      w.on('message', (m: 'ready' | ({ index: number; kind: Kind; entry: Entry } & CaseResult)) => {
        if (m !== 'ready') {
          clearTimeout(timer);
          current = -1;
          record(t, m.index, m.kind, m.entry, m);
          onDone(++done);
        }
        feed();
      });
      // An exception that escaped the worker's case (a stack overflow, an async throw) is that case's crash.
      w.on('error', (e) => {
        clearTimeout(timer);
        if (current === -1) {
          reject(e);
          return;
        }
        const c = makeCase(corpus, a.seed, current);
        record(t, current, c.kind, c.entry, { outcome: 'crash', detail: `the worker died: ${e.stack ?? e.message}` });
        onDone(++done);
        current = -1;
      });
      w.on('exit', () => {
        clearTimeout(timer);
        live--;
        if (next < a.count)
          start(); // a hung worker's replacement
        else if (live === 0) resolve();
      });
    };
    for (let k = 0; k < Math.min(a.workers, a.count); k++) start();
  });
  return t;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

function report(a: Args, t: Tally, seconds: number): string[] {
  const out: string[] = [];
  const say = (line: string) => out.push(line);
  const line = (label: string, row: Record<Outcome, number>) => `${label.padEnd(10)}${OUTCOMES.map((o) => pad(row[o], 9)).join('')}`;
  say(`fuzz:elf seed ${a.seed}: ${a.count} cases in ${seconds.toFixed(1)} s (${(a.count / seconds).toFixed(1)} cases/s)`);
  say(`${''.padEnd(10)}${OUTCOMES.map((o) => pad(o, 9)).join('')}`);
  say(line('all', t.outcomes));
  for (const e of ['exec', 'check'] as const) say(line(e, t.byEntry[e]));
  for (const k of KINDS) say(line(k, t.byKind[k]));
  for (const b of t.bad.slice(0, 20)) {
    say(`${b.outcome} in case ${b.index} (${b.kind}, ${b.entry}): ${b.detail.split('\n').slice(0, 4).join(' | ')}`);
    say(`  replay: npm run fuzz:elf -- --seed ${a.seed} --case ${b.index}`);
  }
  if (t.bad.length > 20) say(`… and ${t.bad.length - 20} more`);
  return out;
}

/** Lines to stdout; a reader that closed the pipe (`| head`) ends the printing, quietly. */
function print(lines: string[]): void {
  try {
    processIo.out(lines.map((l) => `${l}\n`).join(''));
  } catch (e) {
    if (!(e instanceof OutputClosed)) throw e;
  }
}

async function one(a: Args, index: number): Promise<number> {
  const corpus = loadCorpus();
  const c = makeCase(corpus, a.seed, index);
  const r = await runCase(c.entry, a.out, c.bytes, c.args);
  print([
    `case ${index} of seed ${a.seed}: ${c.kind} mutation of ${c.base}`,
    `  sramlab ${c.entry} ${a.out} ${c.args.join(' ')}`,
    `  outcome: ${r.outcome}${r.status === undefined ? '' : ` (exit ${r.status})`}`,
    ...(r.detail ? [r.detail.replace(/^/gm, '  ')] : []),
  ]);
  return r.outcome === 'crash' || r.outcome === 'hang' ? 1 : 0;
}

async function main(): Promise<number> {
  const a = parse(process.argv.slice(2));
  if (a.case !== undefined) return one(a, a.case);
  const t0 = performance.now();
  const tty = process.stderr.isTTY === true;
  // On a terminal a counter; elsewhere (a log) a line every 5,000 cases of a long run.
  const t = await campaign(a, (n) => {
    if (tty && (n % 100 === 0 || n === a.count)) process.stderr.write(`\r${n}/${a.count}`);
    else if (!tty && n % 5000 === 0 && n < a.count) {
      process.stderr.write(`${n}/${a.count} cases, ${(n / ((performance.now() - t0) / 1000)).toFixed(1)} cases/s\n`);
    }
  });
  if (tty) process.stderr.write('\n');
  print(report(a, t, (performance.now() - t0) / 1000));
  return t.bad.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    if (e instanceof BadArgs) {
      process.stderr.write(`fuzz:elf: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`fuzz:elf: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
