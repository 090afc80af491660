// The five lessons of docs/lessons/, read as data: the playground shows each beside the machine
// with its preset, and tests/lessons.test.ts runs each command and finds each quoted line. A
// lesson marks its parts with fenced blocks: ```sh sramlab (a command), ```text (output it
// prints), ```playground (the preset: `key: value` lines). Pure functions, no DOM, no Node.

/** A fenced block: its info string (`sh sramlab`, `text`, `playground`) and its lines. */
export interface FencedBlock {
  info: string;
  lines: string[];
}

/** What a lesson sets in the playground, and what to watch there. */
export interface LessonPreset {
  mcu: string;
  alloc: string;
  scenario: string;
  seed: number;
  ops: number;
  heap: number;
  /** The frame to open: the one after operation N, or where the run stopped. */
  frame: number | 'last';
  watch: string;
}

/** Every fenced block of a markdown text, in order. */
export function fencedBlocks(markdown: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  let open: FencedBlock | null = null;
  for (const line of markdown.split('\n')) {
    const fence = /^```(.*)$/.exec(line);
    if (fence && !open) open = { info: fence[1]!.trim(), lines: [] };
    else if (fence && open) {
      blocks.push(open);
      open = null;
    } else open?.lines.push(line);
  }
  return blocks;
}

/** The first heading: "Lesson 1: the memory map". */
export const lessonTitle = (markdown: string): string => /^# (.+)$/m.exec(markdown)?.[1] ?? '';

/** A lesson's commands, without the `npx sramlab` a reader types. */
export const lessonCommands = (markdown: string): string[] =>
  fencedBlocks(markdown)
    .filter((b) => b.info === 'sh sramlab')
    .flatMap((b) => b.lines.filter((l) => l.trim() !== ''))
    .map((l) => l.replace(/^(npx )?sramlab /, ''));

/** The lesson's ```playground block; an unknown key or a bad number is an error naming it. */
export function lessonPreset(markdown: string): LessonPreset {
  const block = fencedBlocks(markdown).find((b) => b.info === 'playground');
  if (!block) throw new Error('no ```playground block');
  const kv = new Map<string, string>();
  for (const line of block.lines.filter((l) => l.trim() !== '')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (!m || !['mcu', 'alloc', 'scenario', 'seed', 'ops', 'heap', 'frame', 'watch'].includes(m[1]!))
      throw new Error(`playground block: '${line}' is not one of mcu, alloc, scenario, seed, ops, heap, frame, watch`);
    kv.set(m[1]!, m[2]!.trim());
  }
  const num = (key: string, fallback: number) => {
    const text = kv.get(key) ?? String(fallback);
    if (!/^\d+$/.test(text)) throw new Error(`playground block: ${key} '${text}' is not a whole number`);
    return Number(text);
  };
  const need = (key: string) => {
    const v = kv.get(key);
    if (!v) throw new Error(`playground block: no ${key}`);
    return v;
  };
  return {
    mcu: need('mcu'),
    alloc: need('alloc'),
    scenario: need('scenario'),
    seed: num('seed', 1),
    ops: num('ops', 1000),
    heap: num('heap', 16384),
    frame: kv.get('frame') === 'last' ? 'last' : num('frame', 0),
    watch: need('watch'),
  };
}
