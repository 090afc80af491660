// Address → symbol+offset for reports ("sl_alloc+0x1c"), and name → address for the host.

import { definedSymbolsByName, type ElfSymbol, hex } from './elf.ts';
import { lastAtOrBefore } from './sorted.ts';

export interface SymbolHit {
  name: string;
  /** Bytes from the symbol's start. */
  offset: number;
}

/**
 * How far past the start of a function an address may be and still be named after it when no
 * sized symbol contains it (assembly routines without .size, padding, literal pools). Beyond
 * this, a bare hex address says more than a wild guess would.
 */
export const MAX_FALLBACK_DISTANCE = 0x1000;

interface Entry {
  name: string;
  start: number;
  /** Exclusive; equal to start for symbols of unknown size. */
  end: number;
  func: boolean;
  global: boolean;
}

export class SymbolTable {
  /** Function and object symbols, sorted by start address. */
  private readonly entries: Entry[];
  /** maxEnd[i] is the largest end among entries[0..i]: no entry at or before i contains an address ≥ it. */
  private readonly maxEnd: number[];
  /** Function symbols only, sorted by start address, for the nearest-preceding fallback. */
  private readonly functions: Entry[];
  private readonly byName: Map<string, ElfSymbol>;

  constructor(symbols: readonly ElfSymbol[]) {
    this.entries = symbols.filter(isAddressSymbol).map(toEntry).sort(byStartThenName);
    this.maxEnd = runningMax(this.entries.map((e) => e.end));
    this.functions = this.entries.filter((e) => e.func);
    this.byName = definedSymbolsByName(symbols);
  }

  /**
   * The symbol an address belongs to: the smallest function or object whose [start, start+size)
   * contains it; otherwise the nearest function starting at most MAX_FALLBACK_DISTANCE before it.
   */
  lookup(address: number): SymbolHit | undefined {
    const a = address >>> 0;
    const containing = this.smallestContaining(a);
    if (containing) return { name: containing.name, offset: a - containing.start };
    const fn = this.functions[lastAtOrBefore(this.functions, (e) => e.start, a)];
    if (fn && a - fn.start < MAX_FALLBACK_DISTANCE) return { name: fn.name, offset: a - fn.start };
    return undefined;
  }

  /** "sl_alloc+0x1c", "sl_alloc", or "0x20000010" when no symbol claims the address. */
  format(address: number): string {
    const hit = this.lookup(address);
    if (!hit) return hex(address);
    return hit.offset === 0 ? hit.name : `${hit.name}+0x${hit.offset.toString(16)}`;
  }

  /** Address of a defined symbol (Thumb bit cleared); a global beats a weak beats a local. */
  address(name: string): number | undefined {
    return this.byName.get(name)?.address;
  }

  private smallestContaining(a: number): Entry | undefined {
    let best: Entry | undefined;
    for (let i = lastAtOrBefore(this.entries, (e) => e.start, a); i >= 0 && this.maxEnd[i]! > a; i--) {
      const e = this.entries[i]!;
      if (a < e.end && (best === undefined || preferred(e, best))) best = e;
    }
    return best;
  }
}

/**
 * Named code or data. Mapping symbols ($t, $d, $a; ARM ELF 5.5.5) mark code/data boundaries
 * for disassemblers and would shadow real names, so they are left out, as are undefined ones.
 */
function isAddressSymbol(s: ElfSymbol): boolean {
  return (s.type === 'func' || s.type === 'object') && s.name !== '' && s.sectionIndex !== 0 && !/^\$[atdx](\.|$)/.test(s.name);
}

function toEntry(s: ElfSymbol): Entry {
  return {
    name: s.name,
    start: s.address,
    // Clamp so a hostile size cannot wrap the range around the address space.
    end: Math.min(s.address + s.size, 2 ** 32),
    func: s.type === 'func',
    global: s.bind !== 'local',
  };
}

function byStartThenName(a: Entry, b: Entry): number {
  return a.start - b.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Of two symbols containing an address, the more specific (smaller) wins; then global, then function. */
function preferred(a: Entry, b: Entry): boolean {
  const sizeA = a.end - a.start;
  const sizeB = b.end - b.start;
  if (sizeA !== sizeB) return sizeA < sizeB;
  if (a.global !== b.global) return a.global;
  if (a.func !== b.func) return a.func;
  return a.name < b.name;
}

function runningMax(values: number[]): number[] {
  const out: number[] = [];
  let max = -Infinity;
  for (const v of values) {
    max = Math.max(max, v);
    out.push(max);
  }
  return out;
}
