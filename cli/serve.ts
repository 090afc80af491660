// sramlab serve: the playground (web/) on 127.0.0.1. By default the page is built on the fly
// into a temporary folder, so it is always the code in this tree; --dir serves a folder built
// before (npm run web:build writes dist/web), which is also what any static host can serve.
// Only files under that folder are served, and the page may fetch nothing from elsewhere.

import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type Ctx, EXAMPLES, parseNonEmpty, UsageError } from './common.ts';
import { println } from './io.ts';

interface ServeOptions {
  port: number;
  dir?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.elf': 'application/octet-stream',
};

/** The page needs nothing but its own origin, and no eval: the browser enforces both. */
const POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError(`'${value}' is not a port: a whole number from 0 to 65535 (0 picks a free one)`);
  return Number(value);
}

/** The file a request path names inside root, or null when it names nothing there. */
function fileFor(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (file !== root && !file.startsWith(root + sep)) return null;
  return existsSync(file) && statSync(file).isFile() ? file : null;
}

function listen(root: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(root, req.url ?? '/') : null;
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': POLICY,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      fail(new UsageError(`--port ${port}: ${e.code === 'EADDRINUSE' ? 'already in use' : e.message}`)),
    );
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

async function serve(opts: ServeOptions, ctx: Ctx): Promise<number> {
  let root: string,
    temporary: string | null = null;
  if (opts.dir !== undefined) {
    root = resolve(opts.dir);
    if (!existsSync(join(root, 'index.html')))
      throw new UsageError(`--dir ${opts.dir}: no index.html there (build it with npm run web:build)`);
  } else {
    let buildWeb: typeof import('../web/build.ts').buildWeb;
    try {
      ({ buildWeb } = await import('../web/build.ts'));
    } catch {
      throw new UsageError('building the page needs esbuild (npm install --save-dev esbuild), or serve a built one with --dir');
    }
    temporary = mkdtempSync(join(tmpdir(), 'sramlab-web-'));
    root = (await buildWeb(temporary)).out;
  }
  const server = await listen(root, opts.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  println(ctx.io, `sramlab playground on http://127.0.0.1:${port}/ (Ctrl-C stops it)`);
  await new Promise<void>((done) => {
    const stop = () => {
      server.close(() => done());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (temporary) rmSync(temporary, { recursive: true, force: true });
  return 0;
}

export function serveCommand(ctx: Ctx): Command {
  return new Command('serve')
    .description(
      'Serve the browser playground on 127.0.0.1: choose an MCU, allocator and scenario, step through the heap, check your own ELF.',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 8080)
    .option(
      '--dir <folder>',
      'serve a playground built before (npm run web:build writes dist/web) instead of building it now',
      parseNonEmpty,
    )
    .addHelpText('after', EXAMPLES(['sramlab serve', 'sramlab serve --port 0', 'npm run web:build && sramlab serve --dir dist/web']))
    .action(async (opts: ServeOptions) => {
      ctx.status = await serve(opts, ctx);
    });
}
