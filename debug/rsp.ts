// The GDB remote serial protocol on the wire (GDB manual, appendix E "Overview"): packets are
// `$payload#cc` with cc the sum of the payload bytes modulo 256 as two hex digits; '}' escapes
// '#', '$', '}' and '*' in binary data by XOR 0x20; `x*n` repeats x (n - 29) more times.
// Everything here is a pure function of bytes, so the codec is tested without a socket.

/** The byte gdb sends to interrupt a running target. */
export const INTERRUPT = 0x03;

/** Sum of the bytes modulo 256. */
export function checksum(payload: Uint8Array): number {
  let sum = 0;
  for (const b of payload) sum = (sum + b) & 0xff;
  return sum;
}

/** `$payload#cc` for a payload already escaped as needed. */
export function framePacket(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  out[0] = 0x24; // '$'
  out.set(payload, 1);
  out[payload.length + 1] = 0x23; // '#'
  const cc = checksum(payload).toString(16).padStart(2, '0');
  out[payload.length + 2] = cc.charCodeAt(0);
  out[payload.length + 3] = cc.charCodeAt(1);
  return out;
}

/** Bytes that cannot appear raw in a payload. */
function needsEscape(b: number): boolean {
  return b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a; // # $ } *
}

/** Binary data for a payload (X, qXfer replies): '}' then the byte XOR 0x20. */
export function escapeBinary(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of data) {
    if (needsEscape(b)) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Uint8Array.from(out);
}

export function unescapeBinary(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x7d && i + 1 < data.length) out.push(data[++i] ^ 0x20);
    else out.push(data[i]);
  }
  return Uint8Array.from(out);
}

/**
 * Expands run-length encoding: `x*c` stands for x followed by (c - 29) more copies of x, where c
 * is a printable character. Only replies may be encoded; gdb never encodes what it sends, but
 * the decoder is here so the codec is whole and can check what encodeRunLength makes.
 */
export function decodeRunLength(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x2a && out.length > 0 && i + 1 < data.length) {
      const n = data[++i] - 29;
      const last = out[out.length - 1];
      for (let k = 0; k < n; k++) out.push(last);
    } else {
      out.push(data[i]);
    }
  }
  return Uint8Array.from(out);
}

/**
 * Run-length encodes a payload of printable text (not binary data): a run of 4 or more becomes
 * `x*c`; counts that would make c '#' or '$' are split, as the manual requires
 * (repeat counts giving '#' or '$' are forbidden; the longest run is 97 = '~' - 29).
 */
export function encodeRunLength(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    let run = 1;
    while (i + run < data.length && data[i + run] === b && run < 98) run++;
    out.push(b);
    let extra = run - 1;
    // Each `*c` saves bytes only for 3 or more repeats; counts 6 and 7 would give '#' and '$'.
    while (extra >= 3) {
      let n = Math.min(extra, 97);
      if (n === 6 || n === 7) n = 5;
      out.push(0x2a, n + 29);
      extra -= n;
    }
    for (let k = 0; k < extra; k++) out.push(b);
    i += run;
  }
  return Uint8Array.from(out);
}

// ---- the stream reader -----------------------------------------------------------------------

export type Incoming =
  | { type: 'packet'; payload: Uint8Array } // a packet whose checksum held (payload still escaped)
  | { type: 'bad-checksum' } // a packet to be NAKed ('-')
  | { type: 'ack' } // '+'
  | { type: 'nak' } // '-': resend the last packet
  | { type: 'interrupt' }; // 0x03 outside a packet

/**
 * Splits the byte stream from gdb into packets, acknowledgements and interrupts. Bytes arrive in
 * any chunking; feed() returns what each chunk completes. Noise between packets is dropped.
 */
export class PacketReader {
  private state: 'idle' | 'payload' | 'sum1' | 'sum2' = 'idle';
  private payload: number[] = [];
  private sum = '';

  feed(chunk: Uint8Array): Incoming[] {
    const events: Incoming[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'idle':
          if (b === 0x24) {
            this.state = 'payload';
            this.payload = [];
          } else if (b === 0x2b) events.push({ type: 'ack' });
          else if (b === 0x2d) events.push({ type: 'nak' });
          else if (b === INTERRUPT) events.push({ type: 'interrupt' });
          break;
        case 'payload':
          if (b === 0x23) {
            this.state = 'sum1';
            this.sum = '';
          } else this.payload.push(b);
          break;
        case 'sum1':
          this.sum = String.fromCharCode(b);
          this.state = 'sum2';
          break;
        case 'sum2': {
          this.sum += String.fromCharCode(b);
          this.state = 'idle';
          const payload = Uint8Array.from(this.payload);
          const ok = /^[0-9a-fA-F]{2}$/.test(this.sum) && parseInt(this.sum, 16) === checksum(payload);
          events.push(ok ? { type: 'packet', payload } : { type: 'bad-checksum' });
          break;
        }
      }
    }
    return events;
  }
}

// ---- hex helpers -------------------------------------------------------------------------

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Decodes an even-length hex string; null if it is not one. */
export function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A 32-bit register value in target (little-endian) byte order, as g/p replies carry it. */
export function word32Hex(v: number): string {
  const u = v >>> 0;
  return toHex(Uint8Array.of(u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24));
}

export function word32FromHex(hex: string): number | null {
  const b = fromHex(hex);
  if (b === null || b.length !== 4) return null;
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
}

export const textBytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const bytesText = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);
