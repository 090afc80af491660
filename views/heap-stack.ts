// The heap grid with the stack drawn beside it, for `run --show heap`, `--step` and `demo`.

import { type HeapGridOptions, type HeapMap, renderHeapMap } from './heap-map.ts';
import { besideEachOther, renderStack, type StackPaint, type StackState } from './stack-view.ts';
import { displayWidth, wrapWords } from './text-width.ts';

export interface HeapStackOptions extends HeapGridOptions {
  /** Columns of the screen: 64 cells a row from 120 columns on, 32 below (the stack needs 26 beside them). */
  width: number;
  stackPaint?: StackPaint;
}

/** The heap's title line, its grid rows with the stack bar beside them, then the heap's summary. */
export function renderHeapAndStack(map: HeapMap, stack: StackState, opts: HeapStackOptions): string[] {
  const columns = opts.columns ?? (opts.width >= 120 ? 64 : 32);
  const lines = renderHeapMap(map, { ...opts, columns });
  const gridEnd = lines.findIndex((l, i) => i > 0 && !/^0x[0-9a-f]{8} \+/.test(l));
  const bar = renderStack(stack, 8, opts.stackPaint);
  // The summary under the grid (a violation's message can be long) wrapped to the screen.
  const summary = lines.slice(gridEnd).flatMap((l) => (displayWidth(l) <= opts.width ? [l] : wrapWords(l.split(' '), opts.width, '    ')));
  return [lines[0]!, ...besideEachOther(lines.slice(1, gridEnd), bar, displayWidth), ...summary];
}
