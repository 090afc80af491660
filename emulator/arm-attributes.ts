// The `.ARM.attributes` section: what an image says it was built for, so sramlab can refuse
// ARMv7-M code on a Cortex-M0 in one line instead of running it into UNDEFINED faults.
//
// Format (from "Addenda to, and Errata in, the ABI for the Arm Architecture", build
// attributes), in our words:
//   - one byte 'A' (0x41), the format version; then vendor subsections until the end;
//   - a subsection: a 4-byte little-endian length that counts itself, then the vendor name as
//     a NUL-terminated string, then vendor data. Only the "aeabi" vendor is the ABI's; other
//     vendors' subsections are skipped whole;
//   - aeabi data: sub-subsections, each a ULEB128 scope tag (1 Tag_File, 2 Tag_Section,
//     3 Tag_Symbol) and a 4-byte length counting from the tag; section and symbol scopes
//     start with a 0-terminated ULEB128 list of indices. Only Tag_File applies to the whole
//     image, so only it is read;
//   - an attribute is a ULEB128 tag and a value. Tags 4 (Tag_CPU_raw_name) and 5
//     (Tag_CPU_name) take a NUL-terminated string; 32 (Tag_compatibility) a ULEB128 flag then
//     a string; other tags up to 32 a ULEB128. Above 32, so that a reader can skip tags it
//     does not know, odd tags (65 Tag_also_compatible_with, 67 Tag_conformance, …) take a
//     string and even ones a ULEB128;
//   - a tag left out has the value 0 (or "").
//
// Images come from users: every read is bounds-checked and a malformed section is refused
// with an AttributesError whose message is one line.

import type { Arch, Profile } from './profiles.ts';

/** A malformed `.ARM.attributes` section; the message is one line. */
export class AttributesError extends Error {
  override name = 'AttributesError';
}

/** The file-scope aeabi attributes sramlab uses; a field is absent when the image does not state it. */
export interface ArmAttributes {
  /** Tag_CPU_name (5), e.g. "6S-M" or "7E-M". */
  cpuName?: string;
  /** Tag_CPU_arch (6): 10 v7, 11 v6-M, 12 v6S-M, 13 v7E-M, … (CPU_ARCH_NAMES). */
  cpuArch?: number;
  /** Tag_CPU_arch_profile (7): 0, or the character code of 'A', 'R', 'M' or 'S'. */
  cpuArchProfile?: number;
  /** Tag_THUMB_ISA_use (9): 0 none, 1 16-bit Thumb, 2 Thumb-2, 3 as Tag_CPU_arch implies. */
  thumbIsaUse?: number;
}

const FORMAT_VERSION = 0x41; // 'A'
const TAG_FILE = 1;
const TAG_SECTION = 2;
const TAG_SYMBOL = 3;
const TAG_CPU_RAW_NAME = 4;
const TAG_CPU_NAME = 5;
const TAG_CPU_ARCH = 6;
const TAG_CPU_ARCH_PROFILE = 7;
const TAG_THUMB_ISA_USE = 9;
const TAG_COMPATIBILITY = 32;

/** Tag_CPU_arch values as the addenda name them. */
export const CPU_ARCH_NAMES: readonly string[] = [
  'Pre-v4',
  'v4',
  'v4T',
  'v5T',
  'v5TE',
  'v5TEJ',
  'v6',
  'v6KZ',
  'v6T2',
  'v6K',
  'v7',
  'v6-M',
  'v6S-M',
  'v7E-M',
  'v8-A',
  'v8-R',
  'v8-M.baseline',
  'v8-M.mainline',
  'v8.1-A',
  'v8.2-A',
  'v8.3-A',
  'v8.1-M.mainline',
  'v9-A',
];

const ARCH_V7 = 10;
const ARCH_V6_M = 11;
const ARCH_V6S_M = 12;
const ARCH_V7E_M = 13;
const PROFILE_M = 0x4d;

/** Parses a `.ARM.attributes` section; throws AttributesError when it is malformed. */
export function parseArmAttributes(bytes: Uint8Array): ArmAttributes {
  const c = new Reader(bytes, 0, bytes.length, 'section');
  if (c.remaining() === 0) return {};
  const version = c.u8();
  if (version !== FORMAT_VERSION) {
    throw new AttributesError(`format version is 0x${version.toString(16)}, expected 0x41 ('A')`);
  }
  const out: ArmAttributes = {};
  while (c.remaining() > 0) {
    const start = c.pos;
    const length = c.u32('subsection length');
    if (length < 5 || length > bytes.length - start) {
      throw new AttributesError(`subsection at byte ${start} claims ${length} bytes, but ${bytes.length - start} remain`);
    }
    const sub = new Reader(bytes, c.pos, start + length, 'subsection');
    c.pos = start + length;
    const vendor = sub.string('vendor name');
    if (vendor === 'aeabi') readAeabi(sub, out);
  }
  return out;
}

/** The aeabi vendor data: sub-subsections, of which the Tag_File ones are read. */
function readAeabi(c: Reader, out: ArmAttributes): void {
  while (c.remaining() > 0) {
    const start = c.pos;
    const scope = c.uleb('scope tag');
    const length = c.u32('attribute vector length');
    if (length < c.pos - start || length > c.end - start) {
      throw new AttributesError(`attribute vector at byte ${start} claims ${length} bytes, but ${c.end - start} remain`);
    }
    const body = new Reader(c.bytes, c.pos, start + length, 'attribute vector');
    c.pos = start + length;
    if (scope === TAG_FILE) readFileAttributes(body, out);
    else if (scope !== TAG_SECTION && scope !== TAG_SYMBOL) {
      throw new AttributesError(`unknown attribute scope tag ${scope} at byte ${start}`);
    }
    // Section and symbol scopes refine parts of the image; the file scope speaks for all of it.
  }
}

function readFileAttributes(c: Reader, out: ArmAttributes): void {
  while (c.remaining() > 0) {
    const tag = c.uleb('attribute tag');
    if (tag === TAG_CPU_RAW_NAME || tag === TAG_CPU_NAME) {
      const name = c.string(`Tag ${tag} value`);
      if (tag === TAG_CPU_NAME) out.cpuName = name;
    } else if (tag === TAG_COMPATIBILITY) {
      c.uleb('Tag_compatibility flag');
      c.string('Tag_compatibility vendor');
    } else if (tag > TAG_COMPATIBILITY && tag % 2 === 1) {
      c.string(`Tag ${tag} value`);
    } else {
      const value = c.uleb(`Tag ${tag} value`);
      if (tag === TAG_CPU_ARCH) out.cpuArch = value;
      else if (tag === TAG_CPU_ARCH_PROFILE) out.cpuArchProfile = value;
      else if (tag === TAG_THUMB_ISA_USE) out.thumbIsaUse = value;
    }
  }
}

/** Bounds-checked reads inside [pos, end) of the section. */
class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number,
    /** What [pos, end) is, for messages: 'section', 'subsection' or 'attribute vector'. */
    readonly container: string,
  ) {}

  remaining(): number {
    return this.end - this.pos;
  }

  private short(what: string): AttributesError {
    return new AttributesError(`${what} at byte ${this.pos} runs past the end of its ${this.container}`);
  }

  u8(): number {
    if (this.pos >= this.end) throw this.short('a byte');
    return this.bytes[this.pos++]!;
  }

  u32(what: string): number {
    if (this.end - this.pos < 4) throw this.short(what);
    const b = this.bytes;
    const v = (b[this.pos]! | (b[this.pos + 1]! << 8) | (b[this.pos + 2]! << 16) | (b[this.pos + 3]! << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  /** ULEB128; anything beyond 32 bits is no value any attribute has. */
  uleb(what: string): number {
    const at = this.pos;
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) {
        this.pos = at;
        throw this.short(what);
      }
      const byte = this.bytes[this.pos++]!;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (value > 0xffff_ffff) break;
        return value;
      }
    }
    throw new AttributesError(`${what} at byte ${at} is not a 32-bit ULEB128 number`);
  }

  /** A NUL-terminated string (NTBS). */
  string(what: string): string {
    const length = this.bytes.subarray(this.pos, this.end).indexOf(0);
    if (length < 0) throw this.short(`${what} (a NUL-terminated string)`);
    const text = latin1.decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length + 1;
    return text;
  }
}

const latin1 = new TextDecoder('latin1');

// --- Does the image fit the MCU? --------------------------------------------------------------

/** Tag_CPU_arch values each profile's core runs: ARMv6-M code runs on ARMv7-M, not the reverse. */
const RUNS: Record<Arch, (a: ArmAttributes) => boolean> = {
  v6m: (a) => isV6M(a),
  v7m: (a) => isV6M(a) || isV7M(a),
  v7em: (a) => isV6M(a) || isV7M(a) || a.cpuArch === ARCH_V7E_M,
};

const isV6M = (a: ArmAttributes) => a.cpuArch === ARCH_V6_M || a.cpuArch === ARCH_V6S_M;
// Tag_CPU_arch v7 covers ARMv7-A, -R and -M; the profile tag tells them apart. No profile
// means the subset common to all three, which an ARMv7-M core runs.
const isV7M = (a: ArmAttributes) =>
  a.cpuArch === ARCH_V7 && (a.cpuArchProfile === undefined || a.cpuArchProfile === 0 || a.cpuArchProfile === PROFILE_M);

const ARCH_OF_PROFILE: Record<Arch, string> = { v6m: 'ARMv6-M', v7m: 'ARMv7-M', v7em: 'ARMv7E-M' };

/**
 * Why an image cannot run on a profile, or undefined when it can (or does not say what it is
 * built for: no section, or no Tag_CPU_arch). The reason reads after the image's name:
 * "is built for ARMv7E-M (Tag_CPU_arch v7E-M); cortex-m0 is ARMv6-M: rebuild with
 * -mcpu=cortex-m0 or pass --force".
 */
export function architectureMismatch(attributes: ArmAttributes | undefined, profile: Pick<Profile, 'name' | 'arch'>): string | undefined {
  const fix = `rebuild with -mcpu=${profile.name} or pass --force`;
  const mcu = `${profile.name} is ${ARCH_OF_PROFILE[profile.arch]}`;
  if (attributes === undefined) return undefined;
  if (attributes.thumbIsaUse === 0) {
    return `is built for ARM state only (Tag_THUMB_ISA_use 0); ${mcu}, which runs Thumb code only: ${fix}`;
  }
  if (attributes.cpuArch === undefined || attributes.cpuArch === 0) return undefined;
  if (RUNS[profile.arch](attributes)) return undefined;
  return `is built for ${describeArchitecture(attributes)}; ${mcu}: ${fix}`;
}

/** "ARMv7E-M (Tag_CPU_arch v7E-M)", "ARMv7-A (Tag_CPU_arch v7, Tag_CPU_arch_profile A)". */
export function describeArchitecture(a: ArmAttributes): string {
  const arch = a.cpuArch ?? 0;
  const abiName = CPU_ARCH_NAMES[arch];
  const tag = `Tag_CPU_arch ${abiName ?? arch}`;
  // The profile tag matters only for v7, where it tells ARMv7-A, -R and -M apart.
  const profile = arch === ARCH_V7 && a.cpuArchProfile ? String.fromCharCode(a.cpuArchProfile) : '';
  const profileTag = profile ? `, Tag_CPU_arch_profile ${/^[A-Z]$/.test(profile) ? profile : a.cpuArchProfile}` : '';
  if (abiName === undefined) return `an architecture sramlab does not know (${tag}${profileTag})`;
  if (arch === ARCH_V7 && /^[ARM]$/.test(profile)) return `ARMv7-${profile} (${tag}${profileTag})`;
  return `ARM${abiName === 'Pre-v4' ? ' pre-v4' : abiName} (${tag}${profileTag})`;
}
