// sramlab merge: the JSON of every shard of a sharded check, fuzz or compare joined into the report
// the unsharded command would print, and its exit status (shard/merge.ts).

import { Command } from 'commander';
import { MERGERS, mergeDocs, readShard } from '../shard/merge.ts';
import { MergeError } from '../shard/merge-parts.ts';
import { type Ctx, checkReportPath, EXAMPLES, parseNonEmpty, UsageError, writeReportAtomically } from './common.ts';
import { type Io, println } from './io.ts';

interface MergeCliOptions {
  json?: boolean;
  junit?: string;
  html?: string;
  quiet?: boolean;
  wide?: boolean;
}

function merge(files: string[], opts: MergeCliOptions, io: Io): number {
  if (opts.junit !== undefined) checkReportPath(opts.junit, '--junit');
  if (opts.html !== undefined) checkReportPath(opts.html, '--html');
  let joined: ReturnType<typeof mergeDocs>;
  try {
    joined = mergeDocs(files, files.map(readShard));
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.message);
    throw e;
  }
  const { merger, merged, run } = joined;
  if (opts.junit !== undefined && !merger.junit) throw new UsageError(`--junit: ${merger.schema} has no JUnit report (check's has)`);
  if (opts.html !== undefined && !merger.html) throw new UsageError(`--html: ${merger.schema} has no HTML report (compare's has)`);
  if (opts.junit !== undefined) writeReportAtomically(opts.junit, merger.junit!(merged), '--junit');
  if (opts.json) io.out(`${JSON.stringify(merged, null, 2)}\n`);
  else merger.print(merged, opts, (line) => println(io, line));
  if (opts.html !== undefined) merger.html!(merged, run, opts.html, opts, io);
  return merger.status(merged);
}

export function mergeCommand(ctx: Ctx): Command {
  return new Command('merge')
    .description('Join the JSON of every shard of one sharded run (--shard 1/n … n/n) into the report the unsharded run prints.')
    .argument('<shard.json...>', `the shards' --json output, in any order: ${MERGERS.map((m) => m.schema).join(', ')}`)
    .option('--json', 'print the merged document (the schema of the shards, without their shard member)')
    .option('--junit <file>', 'also write the JUnit XML report (check)', parseNonEmpty)
    .option('--html <file>', 'also write the HTML report (compare)', parseNonEmpty)
    .option('--wide', 'compare: the full table, a column per scenario, however wide the screen')
    .option('--quiet', 'check: print only failures and the final count; compare: no note of the file written')
    .addHelpText(
      'after',
      `${EXAMPLES([
        'sramlab check fw.elf --shard 1/2 --json > s1.json; sramlab check fw.elf --shard 2/2 --json > s2.json',
        'sramlab merge s1.json s2.json --junit sramlab.xml',
        'sramlab merge shard-*.json --json > compare.json',
        'sramlab merge shard-*.json --html report.html          # compare shards',
      ])}
Every shard of the run must be given once (any order), all made by one sramlab version with the
same command and options; the merged JSON equals the unsharded run's (docs/shards.md).
Exit status: 0 every check held in every shard, 1 a check failed in some shard, 2 bad input (an
unreadable or foreign file, shards of different runs, a shard missing or given twice).
`,
    )
    .action((files: string[], opts: MergeCliOptions) => {
      ctx.status = merge(files, opts, ctx.io);
    });
}
