// An allocator image in a Machine, ready for host calls: load the ELF built for an allocator
// and a profile, run reset until the firmware idles (run() stops with 'sleep'), read the ABI
// symbols into a layout, and wrap the four entry points. Every call reports what it cost and
// throws an AllocatorCallError, with the fault report, when it does not return cleanly.

import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Layout, Range } from '../checks/checkers.ts';
import { architectureMismatch } from '../emulator/arm-attributes.ts';
import { ElfError, type ElfImage, hex, parseElf } from '../emulator/elf.ts';
import type { FaultReport } from '../emulator/fault.ts';
import { type CallResult, DEFAULT_CALL_BUDGET, Machine } from '../emulator/machine.ts';
import { SRAM_BASE } from '../emulator/memory-map.ts';
import { getProfile, type Profile, type ProfileOverrides } from '../emulator/profiles.ts';
import { discoverAllocators, IMAGES_DIR, imageName } from '../firmware/allocators.ts';

/** The allocators in allocators/, each with the line its README gives it. */
export const ALLOCATORS: readonly { name: string; description: string }[] = discoverAllocators().map(({ name, description }) => ({
  name,
  description,
}));

/**
 * Where an allocator name goes, a path to an image built to the ABI may go instead. A path is
 * told from a name by its form alone, never by looking at the disk: it contains a '/' (or a
 * '\\') or ends in '.elf'. No built-in name has either (firmware/allocators.ts: [a-z0-9_-]).
 */
export const isElfPath = (spec: string): boolean => /[/\\]/.test(spec) || spec.endsWith('.elf');

/** What tables and reports call an allocator: a built-in's name, or the image's file name. */
export const allocatorName = (spec: string): string => (isElfPath(spec) ? basename(spec) : spec);

/** A word as the shell reads it back unchanged: quoted only when it needs to be. */
export const shellWord = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Where the ABI puts things, read from the image's symbols. Ranges are [start, end). */
export interface ImageLayout {
  /** Allocator code: .alloc_text. */
  code: Range;
  /** Allocator state: .alloc_data and .alloc_bss (the linker script puts them in one span). */
  state: Range;
  /** The whole heap array; sl_init is given a prefix of it. */
  heapRegion: Range;
  stackTop: number;
  stackLimit: number;
}

/** What one call cost. value: the returned pointer (0 is NULL), or 0 for void calls. */
export interface CallCost {
  value: number;
  cycles: number;
  instructions: number;
  /** Bytes of stack below the entry SP that the call used. */
  stackBytes: number;
}

export class ImageError extends Error {
  override name = 'ImageError';
}

/** A call that faulted, ran out of budget or otherwise did not return. */
export class AllocatorCallError extends Error {
  override name = 'AllocatorCallError';
  constructor(
    message: string,
    readonly result: CallResult,
    readonly fault?: FaultReport,
  ) {
    super(message);
  }
}

/** The symbols an image must define; how to add each one is the hint in the refusal. */
const LINKER = 'define it in the linker script (firmware/README.md, "The sramlab ABI")';
const REQUIRED_SYMBOLS: readonly [string, string][] = [
  ['__alloc_text_start', LINKER],
  ['__alloc_text_end', LINKER],
  ['__alloc_data_start', LINKER],
  ['__alloc_data_end', LINKER],
  ['__alloc_bss_start', LINKER],
  ['__alloc_bss_end', LINKER],
  ['__heap_start', LINKER],
  ['__heap_end', LINKER],
  ['__stack_limit', LINKER],
  ['__stack_top', LINKER],
  ['sl_init', 'export it from the allocator (void sl_init(void *heap, uint32_t heap_size))'],
  ['sl_alloc', 'export it from the allocator (void *sl_alloc(uint32_t size, uint32_t align))'],
  ['sl_dealloc', 'export it from the allocator (void sl_dealloc(void *ptr, uint32_t size, uint32_t align))'],
  ['sl_realloc', 'export it from the allocator (void *sl_realloc(void *ptr, uint32_t size, uint32_t align, uint32_t new_size))'],
];

/** The attributes of an image the machine refused, when it parses at all. */
function attributesOf(elf: Uint8Array): ElfImage['attributes'] {
  try {
    return parseElf(elf).attributes;
  } catch {
    return undefined;
  }
}

/** Cycles the reset handler may take to reach its idle loop (it copies and zeroes a few KiB). */
const READY_BUDGET = 5_000_000;

/** Path of the committed image for an allocator and a profile; throws one line when unknown. */
export function imagePath(allocator: string, profile: string): string {
  if (!ALLOCATORS.some((a) => a.name === allocator)) {
    throw new ImageError(`unknown allocator '${allocator}' (known: ${ALLOCATORS.map((a) => a.name).join(', ')})`);
  }
  const file = join(IMAGES_DIR, imageName(allocator, profile));
  if (!existsSync(file)) throw new ImageError(`no image ${imageName(allocator, profile)}: run npm run firmware`);
  return file;
}

export interface LoadOptions extends ProfileOverrides {
  /** Cycle budget of each call (default DEFAULT_CALL_BUDGET). */
  maxCycles?: number;
  /**
   * How the image comes up. 'reset' (the default): run its reset handler to the idle WFI, as
   * the images of firmware/ need. 'segments': an image with no startup code (a plain linked
   * ELF): place each segment where it runs and call nothing, so sl_init is the first call.
   * 'auto': 'reset' when address 0 holds a vector table, 'segments' otherwise.
   */
  boot?: 'reset' | 'segments' | 'auto';
  /**
   * Run an image whose .ARM.attributes say it is built for an architecture the profile lacks
   * (ARMv7-M code on a Cortex-M0), e.g. to see the UNDEFINED fault. Without it such an image
   * is refused with an ImageError before anything runs.
   */
  force?: boolean;
}

export class AllocatorImage {
  readonly machine: Machine;
  readonly layout: ImageLayout;
  /** Where the heap in use starts and ends, once init() has run. */
  heap: Range | null = null;
  maxCycles: number;
  /**
   * SP at the entry of every call; null (the default) is the stack top. The stack-collision
   * scenario sets it just above __stack_limit, so the allocator's own frame crosses the limit.
   */
  entrySP: number | null = null;
  /** How the image came up: from its reset handler, or placed from its segments with no startup. */
  readonly boot: 'reset' | 'segments';

  /**
   * Loads firmware/images/<allocator>-<profile>.elf and brings it up; an allocator given as a
   * path (isElfPath) is that file, brought up as `sramlab check` does (boot 'auto').
   */
  static load(allocator: string, profile: string, opts: LoadOptions = {}): AllocatorImage {
    getProfile(profile); // an unknown profile is refused before the file name is
    if (isElfPath(allocator)) return AllocatorImage.fromElfFile(allocator, profile, opts);
    return AllocatorImage.fromElf(readFileSync(imagePath(allocator, profile)), profile, opts, `${allocator}-${profile}`);
  }

  /** A user's ELF by its path; unreadable or malformed, it is refused in one line naming the path. */
  static fromElfFile(path: string, profile: string, opts: LoadOptions = {}): AllocatorImage {
    let elf: Uint8Array;
    try {
      elf = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ImageError(
        `cannot read '${path}': ${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder' : err.message}`,
      );
    }
    try {
      return AllocatorImage.fromElf(elf, profile, { boot: 'auto', ...opts }, path);
    } catch (e) {
      if (e instanceof ElfError) throw new ImageError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /** Brings up any ELF that follows the ABI (a user's own), on a profile. */
  static fromElf(elf: Uint8Array, profile: string | Profile, opts: LoadOptions = {}, label = 'image'): AllocatorImage {
    const p = typeof profile === 'string' ? getProfile(profile, opts) : profile;
    const m = new Machine(p);
    let image: ElfImage;
    try {
      image = m.loadElf(elf);
    } catch (e) {
      // An M4 image is refused on an M3 by its SRAM too; the architecture is the real reason.
      const attributes = e instanceof ElfError ? attributesOf(elf) : undefined;
      const mismatch = opts.force ? undefined : architectureMismatch(attributes, p);
      if (mismatch) throw new ImageError(`${label} ${mismatch}`);
      throw e;
    }
    const mismatch = opts.force ? undefined : architectureMismatch(image.attributes, p);
    if (mismatch) throw new ImageError(`${label} ${mismatch}`);
    return new AllocatorImage(m, label, opts.maxCycles ?? DEFAULT_CALL_BUDGET, opts.boot ?? 'reset');
  }

  private constructor(
    machine: Machine,
    readonly label: string,
    maxCycles: number,
    boot: NonNullable<LoadOptions['boot']>,
  ) {
    this.machine = machine;
    this.maxCycles = maxCycles;
    this.layout = this.readLayout();
    this.boot = boot === 'auto' ? (this.hasVectorTable() ? 'reset' : 'segments') : boot;
    if (this.boot === 'reset') this.bringUp();
    else this.placeSegments();
  }

  private sym(name: string): number {
    const a = this.machine.symbol(name);
    if (a === undefined) {
      const hint = REQUIRED_SYMBOLS.find(([n]) => n === name)?.[1] ?? 'define it';
      throw new ImageError(`${this.label}: no symbol '${name}': ${hint}`);
    }
    return a;
  }

  private readLayout(): ImageLayout {
    for (const [name] of REQUIRED_SYMBOLS) this.sym(name);
    const range = (s: string, e: string): Range => {
      const r = { start: this.sym(s), end: this.sym(e) };
      if (r.end < r.start) throw new ImageError(`${this.label}: '${e}' (${hex(r.end)}) is below '${s}' (${hex(r.start)})`);
      return r;
    };
    const data = range('__alloc_data_start', '__alloc_data_end');
    const bss = range('__alloc_bss_start', '__alloc_bss_end');
    const state =
      data.start === data.end
        ? bss
        : bss.start === bss.end
          ? data
          : { start: Math.min(data.start, bss.start), end: Math.max(data.end, bss.end) };
    const layout: ImageLayout = {
      code: range('__alloc_text_start', '__alloc_text_end'),
      state,
      heapRegion: range('__heap_start', '__heap_end'),
      stackTop: this.sym('__stack_top'),
      stackLimit: this.sym('__stack_limit'),
    };
    if (layout.stackLimit >= layout.stackTop) {
      throw new ImageError(`${this.label}: __stack_limit (${hex(layout.stackLimit)}) is not below __stack_top (${hex(layout.stackTop)})`);
    }
    // The host fills and verifies blocks in the heap array: it must be SRAM.
    const { heapRegion: h } = layout;
    const sramEnd = SRAM_BASE + this.machine.profile.sramSize;
    if (h.start < SRAM_BASE || h.end > sramEnd) {
      throw new ImageError(
        `${this.label}: the heap array ${hex(h.start)}–${hex(h.end)} (__heap_start to __heap_end) is not inside SRAM ` +
          `(${hex(SRAM_BASE)}–${hex(sramEnd)})`,
      );
    }
    // Check 2 at load: the heap array and the stack must not share a byte.
    if (h.start < layout.stackTop && layout.stackLimit < h.end) {
      throw new ImageError(
        `${this.label}: the heap array ${hex(h.start)}–${hex(h.end - 1)} overlaps the stack ` +
          `${hex(layout.stackLimit)}–${hex(layout.stackTop - 1)}: move __stack_limit to __heap_end or above`,
      );
    }
    return layout;
  }

  /**
   * Whether address 0 holds a vector table: an initial SP inside SRAM and a Thumb reset vector
   * into loaded executable code. A `.vectors` section that fails this is refused, since its
   * author meant it to boot the image.
   */
  private hasVectorTable(): boolean {
    const m = this.machine,
      image = m.image!;
    const sp = m.bus.peek32(0) >>> 0,
      reset = m.bus.peek32(4) >>> 0;
    const spOk = sp > SRAM_BASE && sp <= SRAM_BASE + m.profile.sramSize;
    const resetOk =
      (reset & 1) === 1 && image.segments.some((s) => (s.flags & 1) !== 0 && reset - 1 >= s.vaddr && reset - 1 < s.vaddr + s.fileSize);
    if (spOk && resetOk) return true;
    if (image.sections.some((s) => s.name === '.vectors')) {
      throw new ImageError(
        `${this.label}: '.vectors' holds no ${spOk ? 'reset vector' : 'initial SP'}: ` +
          (spOk ? 'put the Thumb address of the reset handler at offset 4' : 'put __stack_top at offset 0') +
          ', or leave .vectors out to run the image without startup code (sl_init is called first)',
      );
    }
    return false;
  }

  /** No startup code: nothing copies .data to where it runs, so the host does (SRAM starts zeroed). */
  private placeSegments(): void {
    for (const s of this.machine.image!.segments) {
      if (s.fileSize > 0 && s.vaddr !== s.paddr) this.machine.bus.load(s.vaddr, s.data.subarray(0, s.fileSize));
    }
  }

  /** Reset and run to the idle WFI: 'sleep' in Thread mode is "ready". */
  private bringUp(): void {
    const m = this.machine;
    m.reset();
    const r = m.run({ maxCycles: READY_BUDGET });
    if (r.stop === 'sleep' && m.cpu.ipsr === 0) return;
    const why = r.fault
      ? `: ${r.fault.message}`
      : r.stop === 'sleep'
        ? `: it took exception ${m.cpu.ipsr} during startup`
        : r.stop === 'budget'
          ? ` within ${READY_BUDGET} cycles`
          : ` (stopped: ${r.stop})`;
    throw new ImageError(`${this.label}: reset did not reach the idle loop${why}`);
  }

  /** Runs one entry point from the stack top (or entrySP); throws AllocatorCallError unless it returned. */
  call(fn: 'sl_init' | 'sl_alloc' | 'sl_dealloc' | 'sl_realloc', args: number[]): CallCost {
    const m = this.machine;
    const sp = this.entrySP ?? this.layout.stackTop;
    const r = m.call(
      this.sym(fn),
      args.map((a) => a >>> 0),
      { maxCycles: this.maxCycles, sp },
    );
    if (r.stop !== 'returned' || m.cpu.ipsr !== 0) {
      const call = `${fn}(${args.map((a) => (a >>> 0 > 0xffff ? hex(a) : String(a >>> 0))).join(', ')})`;
      let why: string;
      if (r.fault) {
        const f = r.fault;
        const at = [f.symbol, f.source].filter(Boolean).join(' ');
        // An UNDEFINED word means little by itself: say what it disassembles to.
        const insn = f.kind === 'undefined' && f.disassembly ? ` (${f.disassembly})` : '';
        why = `${f.kind} fault at ${hex(f.pc)}${at ? ` (${at})` : ''}: ${f.message}${insn}`;
      } else if (r.stop === 'budget') {
        why = `still running after ${this.maxCycles} cycles (a deadlock or an endless loop?)`;
      } else if (r.stop === 'sleep') {
        why = `the core went to sleep in exception ${m.cpu.ipsr}`;
      } else {
        why = `stopped: ${r.stop}`;
      }
      throw new AllocatorCallError(`${this.label}: ${call} did not return: ${why}`, r, r.fault);
    }
    return { value: r.r0 >>> 0, cycles: r.cycles, instructions: r.instructions, stackBytes: r.stackBytes };
  }

  /** sl_init on the first heapSize bytes of the heap region (default: all of it). */
  init(heapSize = this.layout.heapRegion.end - this.layout.heapRegion.start): CallCost {
    const { start, end } = this.layout.heapRegion;
    if (heapSize < 0 || start + heapSize > end) {
      throw new ImageError(`${this.label}: heap of ${heapSize} bytes does not fit the heap region (${end - start} bytes)`);
    }
    const r = this.call('sl_init', [start, heapSize]);
    this.heap = { start, end: start + heapSize };
    return r;
  }

  alloc(size: number, align: number): CallCost {
    return this.call('sl_alloc', [size, align]);
  }

  dealloc(ptr: number, size: number, align: number): CallCost {
    return this.call('sl_dealloc', [ptr, size, align]);
  }

  realloc(ptr: number, size: number, align: number, newSize: number): CallCost {
    return this.call('sl_realloc', [ptr, size, align, newSize]);
  }

  /** The layout the checkers of checks/checkers.ts take, for the heap init() set up. */
  checkLayout(): Layout {
    if (!this.heap) throw new ImageError(`${this.label}: init() first: the checks need the heap in use`);
    const { code, state, stackTop, stackLimit } = this.layout;
    return { code, state, heap: this.heap, stackTop, stackLimit };
  }

  /** Address of a symbol of the image (allocator state the tests inspect); throws when absent. */
  address(name: string): number {
    return this.sym(name);
  }

  read32(address: number): number {
    return this.machine.bus.peek32(address);
  }
  write32(address: number, value: number): void {
    this.hostWrite(address, 4, () => this.machine.bus.poke32(address, value >>> 0));
  }
  read8(address: number): number {
    return this.machine.bus.peek(address, 1)[0]!;
  }
  write8(address: number, value: number): void {
    this.hostWrite(address, 1, () => this.machine.bus.load(address, new Uint8Array([value & 0xff])));
  }

  /** The host writes only variables the image names (sl_slab_slot_size, sl_isr_request): one outside memory is a broken image. */
  private hostWrite(address: number, size: number, write: () => void): void {
    try {
      write();
    } catch {
      throw new ImageError(`${this.label}: the variable at ${hex(address)} (${size} bytes) that sramlab sets is outside flash and SRAM`);
    }
  }
}
