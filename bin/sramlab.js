#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx compiles it on the fly, so there is no build step.
// Everything else, exit status included, is cli.ts's main().
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
const { processIo } = await import('../cli/io.ts');
process.exitCode = await main(process.argv.slice(2), processIo);
