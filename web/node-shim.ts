// What the browser bundle gets in place of Node's fs, path, os, url, module and worker_threads
// (web/build.ts). The page hands images over as bytes, so nothing here should ever run except
// the path helpers the scenarios call on names; anything else says where it was reached.

const refuse = (what: string) => (): never => {
  throw new Error(`${what} is not available in the browser playground`);
};

export const existsSync = (): boolean => false;
export const readFileSync = refuse('reading a file');
export const readdirSync = refuse('listing a folder');
export const writeFileSync = refuse('writing a file');
export const statSync = refuse('stat');

export const join = (...parts: string[]): string => parts.filter(Boolean).join('/').replace(/\/+/g, '/');
export const resolve = (...parts: string[]): string => join(...parts);
export const basename = (p: string): string =>
  p
    .replace(/[/\\]+$/, '')
    .split(/[/\\]/)
    .pop() ?? p;
export const dirname = (p: string): string => p.replace(/[/\\][^/\\]*$/, '') || '/';
export const relative = (_from: string, to: string): string => to;

export const availableParallelism = (): number => 1;
export const pathToFileURL = (p: string): URL => new URL(`file://${p}`);
export const createRequire = refuse('require');
export const parentPort = null;
export class Worker {
  constructor() {
    refuse('a worker thread')();
  }
}

export default { existsSync, readFileSync, readdirSync, writeFileSync, statSync, join, resolve, basename, dirname, relative };
