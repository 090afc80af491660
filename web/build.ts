// Builds the playground into a folder any static host serves (default dist/web): the page, its
// styles, main.js (the page) and worker.js (the emulator, the scenarios and the checks, run in a
// Web Worker; both bundled by esbuild for the browser), and the committed allocator images with
// a catalogue.json naming them (and the images a scenario runs in their place: no-cas's CAS
// builds). The lessons of docs/lessons/ are bundled into main.js as text. Nothing is fetched
// from anywhere but that folder.
//
// The scenarios import a few Node modules for what the page never does (reading images by
// path, worker threads, a footprint script's entry point). They are bundled as web/node-shim.ts,
// whose functions refuse to run, so a path the page should not take fails loudly.

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin, stop } from 'esbuild';
import type { Rule } from '../checks/session.ts';
import { PROFILES } from '../emulator/profiles.ts';
import { discoverAllocators, IMAGES_DIR, imageName } from '../firmware/allocators.ts';
import { type Expectation, SCENARIOS } from '../scenarios/index.ts';

const WEB_DIR = import.meta.dirname;
const REPO = resolve(WEB_DIR, '..');
export const DEFAULT_OUT = join(REPO, 'dist', 'web');

/** What the page offers, written to catalogue.json: the same lists `sramlab list` prints. */
export interface Catalogue {
  profiles: { name: string; summary: string }[];
  allocators: { name: string; description: string }[];
  scenarios: { name: string; description: string }[];
  /**
   * Per scenario, per `<allocator>-<mcu>`: the image it runs instead of the committed one (a
   * path under the build folder) and what must catch it there, as Scenario.variant says.
   */
  variants: Record<string, Record<string, { file: string; expect: Rule | Expectation }>>;
}

const NODE_BUILTINS = /^(node:)?(fs|path|os|url|module|worker_threads)$/;

/** Every Node built-in the scenarios import resolves to the shim; each import is recorded. */
const nodeShim = (seen: string[]): Plugin => ({
  name: 'node-shim',
  setup(b) {
    b.onResolve({ filter: NODE_BUILTINS }, (args) => {
      seen.push(`${relative(REPO, args.importer)} imports ${args.path}`);
      return { path: join(WEB_DIR, 'node-shim.ts') };
    });
  },
});

export interface WebBuild {
  out: string;
  /** "runners/image.ts imports node:fs": what the bundle took from the shim, sorted. */
  nodeImports: string[];
}

/** Builds the page into out (emptied first). */
export async function buildWeb(out = DEFAULT_OUT): Promise<WebBuild> {
  const nodeImports: string[] = [];
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'images'), { recursive: true });
  // esbuild's service process is stopped after the build, so a server that built the page ends when it closes.
  await build({
    // The page, and the worker the machine runs in (so a long run never blocks the page).
    entryPoints: { main: join(WEB_DIR, 'main.ts'), worker: join(WEB_DIR, 'worker.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'error',
    plugins: [nodeShim(nodeImports)],
    loader: { '.md': 'text' },
    // firmware/allocators.ts places the repository by its own folder; in the page nothing is read from there.
    define: { 'import.meta.dirname': '"/sramlab/firmware"', 'process.argv': '[]' },
  }).finally(() => stop());
  for (const f of ['index.html', 'styles.css']) copyFileSync(join(WEB_DIR, f), join(out, f));
  const allocators = discoverAllocators().map(({ name, description }) => ({ name, description }));
  const profiles = Object.values(PROFILES).map(({ name, summary }) => ({ name, summary }));
  for (const a of allocators) {
    for (const p of profiles) {
      const file = join(IMAGES_DIR, imageName(a.name, p.name));
      if (existsSync(file)) copyFileSync(file, join(out, 'images', imageName(a.name, p.name)));
    }
  }
  const offered = new Set(readdirSync(join(out, 'images')).filter((f) => f.endsWith('.elf')));
  const variants: Catalogue['variants'] = {};
  for (const s of SCENARIOS.filter((x) => x.variant)) {
    variants[s.name] = {};
    for (const a of allocators) {
      for (const p of profiles) {
        const v = offered.has(imageName(a.name, p.name)) ? s.variant!(a.name, p.name) : undefined;
        if (!v) continue;
        const file = `images/${basename(dirname(v.elf))}/${basename(v.elf)}`;
        mkdirSync(dirname(join(out, file)), { recursive: true });
        copyFileSync(v.elf, join(out, file));
        variants[s.name]![`${a.name}-${p.name}`] = { file, expect: v.expect };
      }
    }
  }
  const catalogue: Catalogue = {
    profiles,
    allocators: allocators.filter((a) => profiles.some((p) => offered.has(imageName(a.name, p.name)))),
    scenarios: SCENARIOS.map(({ name, description }) => ({ name, description })),
    variants,
  };
  writeFileSync(join(out, 'catalogue.json'), `${JSON.stringify(catalogue, null, 2)}\n`);
  return { out, nodeImports: [...new Set(nodeImports)].sort() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { out } = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUT);
  console.log(`playground built in ${out}`);
}
