// The allocators in the tree: every folder `allocators/<name>/` that holds `<name>.c`.
// Shared by the build (which compiles them) and the scenarios (which list them), so both
// always see the same set. See firmware/README.md "Adding an allocator".

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const ALLOCATORS_DIR = join(REPO_ROOT, 'allocators');
/** The committed images, firmware/images/<allocator>-<profile>.elf. */
export const IMAGES_DIR = join(REPO_ROOT, 'firmware', 'images');
export const imageName = (allocator: string, profile: string): string => `${allocator}-${profile}.elf`;

export interface AllocatorSource {
  /** Folder name, the allocator's name everywhere (images, CLI, reports). */
  name: string;
  /** One line, from the README title "# <name> — <description>". */
  description: string;
  /** `<dir>/<name>/<name>.c` (e.g. allocators/galloc/galloc.c), relative to the repository root. */
  source: string;
  /** Extra -D defines from the optional build.json. */
  defines: Record<string, string>;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Every allocator folder, sorted by name; throws one line for a malformed build.json. */
export function discoverAllocators(dir = ALLOCATORS_DIR): AllocatorSource[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && NAME.test(e.name) && existsSync(join(dir, e.name, `${e.name}.c`)))
    .map((e) => e.name)
    .sort()
    .map((name) => ({
      name,
      description: describe(join(dir, name, 'README.md')),
      source: relative(REPO_ROOT, join(dir, name, `${name}.c`)),
      defines: readDefines(join(dir, name, 'build.json')),
    }));
}

/** The README's title after its dash ("# chunk — fixed 256-byte chunks …"), else its first prose line. */
function describe(readme: string): string {
  if (!existsSync(readme)) return '';
  const lines = readFileSync(readme, 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const title = lines.find((l) => l.startsWith('# '));
  const dash = title?.match(/^#\s+\S+\s+[—–-]\s+(.+)$/);
  if (dash) return dash[1]!;
  return lines.find((l) => l && !l.startsWith('#')) ?? '';
}

/** build.json: `{ "defines": { "NAME": "value" | number | true } }`, nothing else. */
function readDefines(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${relative(REPO_ROOT, file)} is not JSON: ${(e as Error).message}`);
  }
  const bad = (why: string) => new Error(`${relative(REPO_ROOT, file)}: ${why} (expected { "defines": { "NAME": "value" } })`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not an object');
  for (const key of Object.keys(json)) if (key !== 'defines') throw bad(`unknown key '${key}'`);
  const defines = (json as { defines?: unknown }).defines ?? {};
  if (typeof defines !== 'object' || defines === null || Array.isArray(defines)) throw bad('"defines" is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(defines)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw bad(`'${k}' is not a C identifier`);
    if (v === true) out[k] = '1';
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'string' && !/[\s'"\\]/.test(v)) out[k] = v;
    else throw bad(`the value of '${k}' must be a number, true, or a string without spaces or quotes`);
  }
  return out;
}
