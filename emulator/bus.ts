// The bus: one access path for instruction fetch, load and store. Flash and SRAM are typed
// arrays reached by one range-and-alignment test; the System Control Space and the DWT are
// devices on a page table; every other address is unmapped and raises a MemFault.
// Checkers (the traps) see every data access with the PC of the instruction that made it.
// Typed arrays use the host's byte order; sramlab only runs on little-endian hosts, as the
// Cortex-M images it runs are little-endian too.

import { type AccessKind, MemFault } from './fault.ts';
import { FLASH_BASE, isExecuteNever, type RegionName, SRAM_BASE } from './memory-map.ts';
import type { Profile } from './profiles.ts';

/** SRAM pages are 2^PAGE_SHIFT = 256 bytes for the dirty map machine snapshots restore by. */
export const PAGE_SHIFT = 8;

/**
 * A data-access trap: (pc, address, size in bytes, 'load' | 'store', value). pc is the address of
 * the instruction, or CORE_PC (0xffffffff) for the core's own exception stacking and unstacking.
 * During the call the core's SP, flags and cycle and instruction counters are current; r0–r12
 * and LR may not be (the translator keeps them in locals): a checker must not read them. It may
 * throw (the access faults) or halt the core (the run stops at the next instruction boundary).
 */
export type Checker = ((pc: number, address: number, size: number, kind: AccessKind, value: number) => void) & {
  shortcut?: CheckerShortcut;
};

/**
 * What a checker may say of itself as plain data, so that compiled code (emulator/translator.ts)
 * can decide the common case without calling it: an access by an instruction outside
 * [pcStart, pcStart + pcLen) is not its business; inside, an access wholly within the heap or
 * state range, a load within the code range, or an access between SP and stackTop passes (and
 * is recorded in `last` when given). Anything else calls the checker, which decides.
 */
export interface CheckerShortcut {
  pcStart: number;
  pcLen: number;
  heapStart: number;
  heapEnd: number;
  stateStart: number;
  stateEnd: number;
  stackTop: number;
  last: { pc: number; address: number; kind: AccessKind | null } | null;
}

/** A memory-mapped device: offsets are relative to its base; sizes 1, 2 or 4. */
export interface Device {
  readonly name: RegionName;
  read(offset: number, size: number): number;
  write(offset: number, size: number, value: number): void;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('sramlab needs a little-endian host');
}

export class Bus {
  readonly flash: Uint8Array;
  readonly sram: Uint8Array;
  readonly flashSize: number;
  readonly sramSize: number;
  private readonly flash16: Uint16Array;
  private readonly flash32: Int32Array;
  private readonly sram16: Uint16Array;
  private readonly sram32: Int32Array;
  /**
   * One byte per SRAM page, set by every store into it (the firmware's and the host's) and
   * cleared by snapshot.ts, which copies back only the pages set. Set unconditionally: one
   * byte store costs less than asking whether a snapshot is active (docs/snapshots.md).
   */
  readonly dirty: Uint8Array;
  /** 4 KiB page (address >>> 12) → device, for the few device pages that exist. */
  private readonly devices = new Map<number, { base: number; dev: Device }>();

  /** Address of the instruction being executed; the CPU keeps it current for checkers and faults. */
  pc = 0;
  /** Unaligned halfword/word loads and stores fault (ARMv6-M always; ARMv7-M with CCR.UNALIGN_TRP). */
  alignTrap = true;
  /** The installed checkers, composed into one function (null when there are none). */
  checker: Checker | null = null;
  private checkers: Checker[] = [];
  /** Host loads into flash so far: code caches (the block translator) flush when it changes. */
  codeLoads = 0;
  /** End of the highest host load into flash (flash above it is still all zero). */
  flashLoadedEnd = 0;

  /**
   * shareMemoryWith: another core's bus whose flash, SRAM and dirty map this one uses too (a
   * two-core machine, emulator/dual.ts); devices and checkers stay per bus.
   */
  constructor(profile: Profile, shareMemoryWith?: Bus) {
    // pc reaches 0xFFFFFFFF (the core's own accesses): a double from the start (see Cpu's constructor).
    this.pc = 0.5;
    this.pc = 0;
    this.flashSize = profile.flashSize;
    this.sramSize = profile.sramSize;
    this.flash = shareMemoryWith?.flash ?? new Uint8Array(profile.flashSize);
    this.sram = shareMemoryWith?.sram ?? new Uint8Array(profile.sramSize);
    this.flash16 = new Uint16Array(this.flash.buffer);
    this.flash32 = new Int32Array(this.flash.buffer);
    this.sram16 = new Uint16Array(this.sram.buffer);
    this.sram32 = new Int32Array(this.sram.buffer);
    // A whole number of 32-bit words, so snapshot.ts can read four pages at a time.
    this.dirty = shareMemoryWith?.dirty ?? new Uint8Array(4 * Math.ceil(profile.sramSize / (4 << PAGE_SHIFT))).fill(1);
  }

  // ---- checkers -------------------------------------------------------------------------

  addChecker(c: Checker): void {
    this.checkers.push(c);
    this.composeCheckers();
  }

  removeChecker(c: Checker): void {
    this.checkers = this.checkers.filter((x) => x !== c);
    this.composeCheckers();
  }

  private composeCheckers(): void {
    const list = this.checkers.slice();
    if (list.length === 0) this.checker = null;
    else if (list.length === 1) this.checker = list[0];
    else
      this.checker = (pc, a, s, k, v) => {
        for (const c of list) c(pc, a, s, k, v);
      };
  }

  // ---- devices and regions ----------------------------------------------------------------

  mapDevice(base: number, size: number, dev: Device): void {
    for (let p = base >>> 12; p < (base + size) >>> 12; p++) this.devices.set(p, { base, dev });
  }

  regionOf(address: number): RegionName {
    const a = address >>> 0;
    if (a - FLASH_BASE < this.flashSize) return 'flash';
    if (a - SRAM_BASE >= 0 && a - SRAM_BASE < this.sramSize) return 'sram';
    return this.devices.get(a >>> 12)?.dev.name ?? 'unmapped';
  }

  // ---- instruction fetch ----------------------------------------------------------------

  fetch16(address: number): number {
    if (address >>> 0 < this.flashSize) return this.flash16[address >>> 1];
    const o = (address - SRAM_BASE) >>> 0;
    if (o < this.sramSize) return this.sram16[o >>> 1];
    throw new MemFault(isExecuteNever(address) ? 'exec-never' : 'unmapped', address >>> 0, 2, 'fetch');
  }

  // ---- loads ------------------------------------------------------------------------------

  read32(a: number): number {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 3) === 0) {
      const v = this.sram32[o >>> 2];
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 4, 'load', v);
      return v;
    }
    return this.readSlow(a, 4);
  }

  read16(a: number): number {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 1) === 0) {
      const v = this.sram16[o >>> 1];
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 2, 'load', v);
      return v;
    }
    return this.readSlow(a, 2);
  }

  read8(a: number): number {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize) {
      const v = this.sram[o];
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 1, 'load', v);
      return v;
    }
    return this.readSlow(a, 1);
  }

  private readSlow(address: number, size: number): number {
    const a = address >>> 0;
    if (a & (size - 1)) {
      if (this.alignTrap) throw new MemFault('unaligned', a, size, 'load');
      let v = 0;
      for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.readRaw((a + i) >>> 0, 1, a, size);
      v = size === 4 ? v | 0 : v;
      if (this.checker !== null) this.checker(this.pc, a, size, 'load', v);
      return v;
    }
    const v = this.readRaw(a, size, a, size);
    if (this.checker !== null) this.checker(this.pc, a, size, 'load', v);
    return v;
  }

  /** An aligned access without checkers; faultAddress/size name the whole access in reports. */
  private readRaw(a: number, size: number, faultAddress: number, faultSize: number): number {
    if (a < this.flashSize) {
      return size === 4 ? this.flash32[a >>> 2] : size === 2 ? this.flash16[a >>> 1] : this.flash[a];
    }
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize) {
      return size === 4 ? this.sram32[o >>> 2] : size === 2 ? this.sram16[o >>> 1] : this.sram[o];
    }
    const d = this.devices.get(a >>> 12);
    if (d) return d.dev.read(a - d.base, size);
    throw new MemFault('unmapped', faultAddress, faultSize, 'load');
  }

  // ---- stores -----------------------------------------------------------------------------

  write32(a: number, v: number): void {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 3) === 0) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 4, 'store', v | 0);
      this.sram32[o >>> 2] = v;
      this.dirty[o >>> PAGE_SHIFT] = 1;
      return;
    }
    this.writeSlow(a, 4, v);
  }

  write16(a: number, v: number): void {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize && (a & 1) === 0) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 2, 'store', v & 0xffff);
      this.sram16[o >>> 1] = v;
      this.dirty[o >>> PAGE_SHIFT] = 1;
      return;
    }
    this.writeSlow(a, 2, v);
  }

  write8(a: number, v: number): void {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize) {
      if (this.checker !== null) this.checker(this.pc, a >>> 0, 1, 'store', v & 0xff);
      this.sram[o] = v;
      this.dirty[o >>> PAGE_SHIFT] = 1;
      return;
    }
    this.writeSlow(a, 1, v);
  }

  private writeSlow(address: number, size: number, value: number): void {
    const a = address >>> 0;
    const v = size === 4 ? value | 0 : value & (size === 2 ? 0xffff : 0xff);
    if (a & (size - 1)) {
      if (this.alignTrap) throw new MemFault('unaligned', a, size, 'store');
      // Check the whole access first so a fault leaves memory untouched.
      for (let i = 0; i < size; i++) this.probeWrite((a + i) >>> 0, a, size);
      if (this.checker !== null) this.checker(this.pc, a, size, 'store', v);
      for (let i = 0; i < size; i++) this.writeRaw((a + i) >>> 0, 1, (v >>> (8 * i)) & 0xff);
      return;
    }
    this.probeWrite(a, a, size);
    if (this.checker !== null) this.checker(this.pc, a, size, 'store', v);
    this.writeRaw(a, size, v);
  }

  private probeWrite(a: number, faultAddress: number, size: number): void {
    if (a < this.flashSize) throw new MemFault('flash-write', faultAddress, size, 'store');
    if ((a - SRAM_BASE) >>> 0 < this.sramSize) return;
    if (!this.devices.has(a >>> 12)) throw new MemFault('unmapped', faultAddress, size, 'store');
  }

  private writeRaw(a: number, size: number, v: number): void {
    const o = (a - SRAM_BASE) >>> 0;
    if (o < this.sramSize) {
      if (size === 4) this.sram32[o >>> 2] = v;
      else if (size === 2) this.sram16[o >>> 1] = v;
      else this.sram[o] = v;
      this.dirty[o >>> PAGE_SHIFT] = 1;
      return;
    }
    const d = this.devices.get(a >>> 12)!;
    d.dev.write(a - d.base, size, v);
  }

  // ---- host side (loader, host calls, reports): no checkers, no faults on flash writes ----

  /** Copies bytes into flash or SRAM; throws an Error naming the range if it is not all memory. */
  load(address: number, bytes: Uint8Array): void {
    const a = address >>> 0;
    const end = a + bytes.length;
    if (end <= this.flashSize) {
      this.flash.set(bytes, a);
      this.codeLoads++;
      if (end > this.flashLoadedEnd) this.flashLoadedEnd = end;
      return;
    }
    const o = a - SRAM_BASE;
    if (o >= 0 && o + bytes.length <= this.sramSize) {
      this.sram.set(bytes, o);
      if (bytes.length > 0) this.dirty.fill(1, o >>> PAGE_SHIFT, ((o + bytes.length - 1) >>> PAGE_SHIFT) + 1);
      return;
    }
    throw new Error(`0x${a.toString(16)}–0x${(end - 1).toString(16)} is not inside flash or SRAM`);
  }

  /** Reads bytes from flash or SRAM for the host; throws if the range is not all memory. */
  peek(address: number, length: number): Uint8Array {
    const a = address >>> 0;
    if (a + length <= this.flashSize) return this.flash.slice(a, a + length);
    const o = a - SRAM_BASE;
    if (o >= 0 && o + length <= this.sramSize) return this.sram.slice(o, o + length);
    throw new Error(`0x${a.toString(16)} (+${length}) is not inside flash or SRAM`);
  }

  peek32(address: number): number {
    const b = this.peek(address, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  poke32(address: number, value: number): void {
    this.load(address, new Uint8Array([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]));
  }
}
