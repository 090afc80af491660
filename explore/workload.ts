// The thread-mode operations an exploration interrupts: a short list of allocator calls, some
// only setting the heap up (not interrupted), the others explored at every instruction boundary.
// Blocks are named by the order the workload allocated them, so a free or a realloc names its
// block whatever address it got.

import type { Block, Session } from '../checks/session.ts';

export type WorkloadOp =
  | { kind: 'alloc'; size: number; align: number; explore: boolean }
  | { kind: 'dealloc'; block: number; explore: boolean }
  | { kind: 'realloc'; block: number; newSize: number; explore: boolean };

export interface Workload {
  /** In words, for reports. */
  description: string;
  ops: readonly WorkloadOp[];
}

/**
 * isr-reentrancy's: six blocks of 40 to 80 bytes so the heap has a populated structure, then the
 * three calls interrupted — an allocation, a free of the second block, a realloc of the fourth.
 */
export const ISR_WORKLOAD: Workload = {
  description:
    'six sl_alloc(40…80, 4) to populate the heap, then explored: sl_alloc(64, 8), sl_dealloc(second block), sl_realloc(fourth block → 100)',
  ops: [
    ...[0, 1, 2, 3, 4, 5].map((k): WorkloadOp => ({ kind: 'alloc', size: 40 + 8 * k, align: 4, explore: false })),
    { kind: 'alloc', size: 64, align: 8, explore: true },
    { kind: 'dealloc', block: 1, explore: true },
    { kind: 'realloc', block: 3, newSize: 100, explore: true },
  ],
};

/** The blocks a workload made, by allocation order (null: NULL, or freed). */
export type WorkloadBlocks = (Block | null)[];

/** The call as a report names it, with the block's arguments as they are now. */
export function callText(op: WorkloadOp, blocks: WorkloadBlocks): string {
  if (op.kind === 'alloc') return `sl_alloc(${op.size}, ${op.align})`;
  const b = blocks[op.block];
  const what = b ? `0x${b.ptr.toString(16)}, ${b.size}, ${b.align}` : `block ${op.block + 1} (NULL)`;
  return op.kind === 'dealloc' ? `sl_dealloc(${what})` : `sl_realloc(${what}, ${op.newSize})`;
}

/** The function the call enters, for deadlock messages. */
export const callName = (op: WorkloadOp): string => `sl_${op.kind}`;

/**
 * Makes one operation through the session (checked as any), updating blocks. A free or realloc
 * of a block that is NULL is skipped: returns false (no operation was made).
 */
export function runOp(s: Session, op: WorkloadOp, blocks: WorkloadBlocks): boolean {
  if (op.kind === 'alloc') {
    blocks.push(s.alloc(op.size, op.align));
    return true;
  }
  const b = blocks[op.block];
  if (!b) return false;
  if (op.kind === 'dealloc') {
    s.dealloc(b);
    blocks[op.block] = null;
  } else {
    const moved = s.realloc(b, op.newSize);
    if (moved) blocks[op.block] = moved;
  }
  return true;
}
