// The packet codec against the GDB manual's own examples (appendix E, "Overview" and "Binary
// data"), and the stub against a scripted client: interrupt, breakpoints, no-ack mode and the
// target description, without a socket.

import { describe, expect, it } from 'vitest';
import { parseGdbAddress } from '../debug/gdb-server.ts';
import { GdbKilled, GdbStub, type Transport } from '../debug/gdb-stub.ts';
import {
  bytesText,
  checksum,
  decodeRunLength,
  encodeRunLength,
  escapeBinary,
  framePacket,
  PacketReader,
  textBytes,
  unescapeBinary,
} from '../debug/rsp.ts';
import { AllocatorImage } from '../runners/image.ts';

const frame = (s: string) => bytesText(framePacket(textBytes(s)));

describe('packet codec', () => {
  it('frames with the modulo-256 sum of the payload', () => {
    // Worked by hand: 'g' = 0x67; 'O' + 'K' = 0x4f + 0x4b = 0x9a; an empty payload sums to 0.
    expect(frame('g')).toBe('$g#67');
    expect(frame('OK')).toBe('$OK#9a');
    expect(frame('')).toBe('$#00');
    // 'm' 0x6d + '0' 0x30 + ',' 0x2c + '4' 0x34 = 0xfd.
    expect(frame('m0,4')).toBe('$m0,4#fd');
    expect(checksum(textBytes('vCont?'))).toBe((0x76 + 0x43 + 0x6f + 0x6e + 0x74 + 0x3f) & 0xff);
  });

  it('escapes # $ } * as 0x7d then the byte xor 0x20 (the manual: 0x7d goes as 0x7d 0x5d)', () => {
    expect([...escapeBinary(Uint8Array.of(0x7d))]).toEqual([0x7d, 0x5d]);
    expect([...escapeBinary(Uint8Array.of(0x23, 0x24, 0x2a, 0x41))]).toEqual([0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x0a, 0x41]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect([...unescapeBinary(escapeBinary(all))]).toEqual([...all]);
  });

  it('run-length: "0* " is "0000" (the manual\'s example); counts giving # or $ are never made', () => {
    expect(bytesText(decodeRunLength(textBytes('0* ')))).toBe('0000');
    for (let n = 1; n <= 120; n++) {
      const text = `x${'0'.repeat(n)}y`;
      const enc = encodeRunLength(textBytes(text));
      expect(bytesText(decodeRunLength(enc))).toBe(text);
      expect(bytesText(enc)).not.toMatch(/\*[#$]/);
    }
  });

  it('reads packets, acks and interrupts from any chunking, and flags a bad checksum', () => {
    const stream = textBytes('+$g#67\x03$m0,4#fd-$OK#00');
    const r = new PacketReader();
    const events = [...stream].flatMap((b) => r.feed(Uint8Array.of(b)));
    expect(events.map((e) => e.type)).toEqual(['ack', 'packet', 'interrupt', 'packet', 'nak', 'bad-checksum']);
    expect(bytesText((events[3] as { payload: Uint8Array }).payload)).toBe('m0,4');
  });
});

describe('--gdb address', () => {
  it('binds loopback by default and refuses another host unless asked', () => {
    expect(parseGdbAddress('3333')).toEqual({ host: '127.0.0.1', port: 3333 });
    expect(parseGdbAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseGdbAddress('[::1]:3333')).toEqual({ host: '::1', port: 3333 });
    expect(() => parseGdbAddress('0.0.0.0:3333')).toThrow(/not a loopback address.*--gdb-allow-remote/);
    expect(parseGdbAddress('0.0.0.0:3333', true)).toEqual({ host: '0.0.0.0', port: 3333 });
    expect(() => parseGdbAddress('70000')).toThrow(/not a TCP port/);
    expect(() => parseGdbAddress('abc')).toThrow(/not \[host:\]port/);
  });
});

/** A client that says what it is given, in order; polls while running see `whileRunning`. */
class Script implements Transport {
  out = '';
  constructor(
    private readonly stopped: string[],
    private readonly whileRunning: string[] = [],
  ) {}
  accept(): void {}
  read(): Uint8Array | null {
    const s = this.stopped.shift();
    return s === undefined ? null : textBytes(s);
  }
  poll(): Uint8Array | null {
    const s = this.whileRunning.shift();
    return textBytes(s ?? '');
  }
  write(b: Uint8Array): void {
    this.out += bytesText(b);
  }
  hangUp(): void {}
  /** The payloads we sent. */
  replies(): string[] {
    return [...this.out.matchAll(/\$([^#]*)#[0-9a-f]{2}/g)].map((m) => m[1]);
  }
}

describe('the stub against a scripted client', () => {
  it("stops at a breakpoint before the instruction runs, with r0/r1 the call's arguments", () => {
    const image = AllocatorImage.load('galloc', 'cortex-m0');
    image.init(4096);
    const slAlloc = image.machine.symbol('sl_alloc')!;
    const t = new Script([
      frame('QStartNoAckMode'),
      frame(`Z0,${slAlloc.toString(16)},2`),
      frame('c'),
      frame('p0'),
      frame('p1'),
      frame('pf'),
      frame('D'),
    ]);
    const stub = new GdbStub(image.machine, t);
    stub.start();
    const r = image.alloc(24, 4);
    expect(r.value).not.toBe(0);
    const replies = t.replies();
    expect(t.out.startsWith('+$OK#9a')).toBe(true); // the OK to QStartNoAckMode is still acked
    expect(t.out.slice(7)).not.toContain('+'); // and nothing after it
    const stop = replies.find((x) => x.startsWith('T05'))!;
    expect(stop).toContain(`0f:${le(slAlloc)};`);
    expect(replies.slice(-4)).toEqual([le(24), le(4), le(slAlloc), 'OK']);
    expect(stub.detached).toBe(true);
  });

  it('Ctrl-C (0x03) while running stops with SIGINT; k ends the run', () => {
    const image = AllocatorImage.load('galloc', 'cortex-m3');
    const t = new Script([frame('c'), frame('k')], ['', '', '\x03']);
    const stub = new GdbStub(image.machine, t);
    stub.start();
    expect(() => image.init(4096)).toThrow(GdbKilled);
    expect(t.replies().some((x) => x.startsWith('T02'))).toBe(true);
  });

  it('serves target.xml in pieces, m for an unmapped address is an error, unknown packets are empty', () => {
    const image = AllocatorImage.load('galloc', 'cortex-m4');
    const t = new Script([
      frame('qSupported:multiprocess+;swbreak+'),
      frame('qXfer:features:read:target.xml:0,40'),
      frame('qXfer:features:read:target.xml:40,4000'),
      frame('m40000000,4'),
      frame('vMustReplyEmpty'),
      frame('D'),
    ]);
    new GdbStub(image.machine, t).start();
    const [sup, first, rest, mem, empty] = t.replies();
    expect(sup).toContain('qXfer:features:read+');
    expect(sup).toContain('PacketSize=');
    expect(first[0]).toBe('m');
    expect(rest[0]).toBe('l');
    const xml = first.slice(1) + rest.slice(1);
    expect(xml).toContain('<feature name="org.gnu.gdb.arm.m-profile">');
    expect(xml).toContain('<architecture>armv7e-m</architecture>');
    expect(xml).toMatch(/<reg name="xpsr" bitsize="32" regnum="25"/);
    expect(xml).toContain('name="basepri"');
    expect(mem).toBe('E01');
    expect(empty).toBe('');
  });
});

function le(v: number): string {
  const u = v >>> 0;
  return [u & 0xff, (u >>> 8) & 0xff, (u >>> 16) & 0xff, u >>> 24].map((b) => b.toString(16).padStart(2, '0')).join('');
}
