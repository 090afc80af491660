// The lessons of docs/lessons/, bundled into the page at build time (no fetch at run time).
import memoryMap from '../docs/lessons/01-memory-map.md';
import firstFit from '../docs/lessons/02-first-fit-heap.md';
import fragmentation from '../docs/lessons/03-fragmentation.md';
import heapMeetsStack from '../docs/lessons/04-heap-meets-stack.md';
import interrupts from '../docs/lessons/05-interrupts-locks-no-cas.md';

/** Each lesson's file name (how lessons link to each other) and its markdown, in order. */
export const LESSON_TEXTS: readonly { file: string; markdown: string }[] = [
  { file: '01-memory-map.md', markdown: memoryMap },
  { file: '02-first-fit-heap.md', markdown: firstFit },
  { file: '03-fragmentation.md', markdown: fragmentation },
  { file: '04-heap-meets-stack.md', markdown: heapMeetsStack },
  { file: '05-interrupts-locks-no-cas.md', markdown: interrupts },
];
