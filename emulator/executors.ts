// Choosing an executor (executor.ts): the interpreter or the block translator (translator.ts).
// SRAMLAB_EXECUTOR=interpreter|translator picks the default for every new Cpu (the differential
// tests and benchmarks run both); where a page forbids `new Function` the translator cannot
// compile, and the interpreter is used.

import { type Executor, interpreter } from './executor.ts';
import { createTranslator, type TranslatorOptions } from './translator.ts';

export type ExecutorName = 'interpreter' | 'translator';
export const EXECUTOR_NAMES: readonly ExecutorName[] = ['interpreter', 'translator'];

/** The executor every new Cpu starts with unless SRAMLAB_EXECUTOR says otherwise. */
export const DEFAULT_EXECUTOR: ExecutorName = 'interpreter';

let canCompile: boolean | null = null;

/** True when generated code can run here (a Content-Security-Policy may forbid `new Function`). */
export function translatorAvailable(): boolean {
  if (canCompile === null) {
    try {
      canCompile = new Function('return 1')() === 1;
    } catch {
      canCompile = false;
    }
  }
  return canCompile;
}

/** A fresh executor of that name (the translator's code cache belongs to one Cpu). */
export function makeExecutor(name: ExecutorName, options: TranslatorOptions = {}): Executor {
  if (name === 'translator' && translatorAvailable()) return createTranslator(options);
  return interpreter;
}

/** SRAMLAB_EXECUTOR names no executor: bad input, which the CLI reports in one line (exit 2). */
export class ExecutorChoiceError extends Error {
  override name = 'ExecutorChoiceError';
}

/** The default, or SRAMLAB_EXECUTOR when set (Node; a browser has no environment). */
export function defaultExecutor(): Executor {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SRAMLAB_EXECUTOR;
  if (env !== undefined && env !== '') {
    if (!(EXECUTOR_NAMES as readonly string[]).includes(env)) {
      throw new ExecutorChoiceError(`SRAMLAB_EXECUTOR must be ${EXECUTOR_NAMES.join(' or ')}, not '${env}'`);
    }
    return makeExecutor(env as ExecutorName);
  }
  return makeExecutor(DEFAULT_EXECUTOR);
}
