// sramlab's one source of randomness (scenarios, fuzzing, the conformance generator): Marsaglia's xorshift32, seeded through
// a multiplicative hash so that small seeds (0, 1, 2, …) start far apart. Same seed, same
// cases, on every machine.

export class Prng {
  private s: number;

  constructor(seed: number) {
    // xorshift has one forbidden state (0); the hash is a bijection, so one seed lands there.
    this.s = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5;
    for (let k = 0; k < 8; k++) this.u32(); // let the hashed seed diffuse
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }

  /** A uniform integer in [0, n), for 0 < n ≤ 2^32. */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** A uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** Fills a new array with random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k += 4) {
      const w = this.u32();
      out[k] = w & 0xff;
      if (k + 1 < n) out[k + 1] = (w >>> 8) & 0xff;
      if (k + 2 < n) out[k + 2] = (w >>> 16) & 0xff;
      if (k + 3 < n) out[k + 3] = w >>> 24;
    }
    return out;
  }
}
