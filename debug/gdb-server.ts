// The TCP side of `--gdb [host:]port`. The emulator thread blocks while the target is stopped
// (see gdb-stub.ts), so the socket lives in a worker thread: it accepts one client at a time
// and forwards what arrives through a MessagePort, with a shared counter the emulator thread
// waits on (Atomics.wait) and polls between instructions (for gdb's interrupt, Ctrl-C). Bound
// to 127.0.0.1 unless told otherwise: whoever reaches the port can read and write the machine.

import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Machine } from '../emulator/machine.ts';
import { GdbStub, type Transport } from './gdb-stub.ts';

/** Bad --gdb input or a port that cannot be listened on: one line for the user, exit 2. */
export class GdbUsageError extends Error {
  override name = 'GdbUsageError';
}

/** The client said nothing for longer than the server's idleTimeoutMs (tests set it; a person has no limit). */
export class GdbTimeout extends Error {
  override name = 'GdbTimeout';
}

export interface GdbAddress {
  host: string;
  port: number;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i;

/**
 * Parses `--gdb [host:]port` (`3333`, `:3333`, `127.0.0.1:3333`, `[::1]:3333`; port 0 picks a
 * free one). A host that is not loopback is refused unless allowRemote (`--gdb-allow-remote`).
 */
export function parseGdbAddress(spec: string, allowRemote = false): GdbAddress {
  const m = /^(?:(\[[^\]]*\]|[^:]*):)?(\d+)$/.exec(spec.trim());
  if (!m) throw new GdbUsageError(`--gdb '${spec}' is not [host:]port (e.g. 3333 or 127.0.0.1:3333)`);
  const port = Number(m[2]);
  if (port > 65535) throw new GdbUsageError(`--gdb port ${port} is not a TCP port (0–65535)`);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '') || '127.0.0.1';
  if (!LOOPBACK.test(host) && !allowRemote) {
    throw new GdbUsageError(
      `--gdb ${host}:${port} is not a loopback address: anyone who reaches it could read and write the machine (add --gdb-allow-remote to mean it)`,
    );
  }
  return { host, port };
}

export interface GdbServerOptions {
  /** Throw GdbTimeout when a client is silent, or none connects, for this long (default: wait forever). */
  idleTimeoutMs?: number;
}

// The worker: plain JavaScript (it runs without the TypeScript loader). One client at a time; a
// second connection is closed at once. Every message to the emulator thread bumps signal[0].
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const { port, signal: sab, host, portNumber } = workerData;
const signal = new Int32Array(sab);
const post = (m) => { port.postMessage(m); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
let client = null, id = 0;
const server = net.createServer((sock) => {
  if (client) { sock.destroy(); return; }
  client = sock; const me = ++id;
  sock.setNoDelay(true);
  post({ type: 'connect', id: me });
  sock.on('data', (d) => post({ type: 'data', id: me, bytes: new Uint8Array(d) }));
  sock.on('error', () => {});
  sock.on('close', () => { if (client === sock) client = null; post({ type: 'close', id: me }); });
});
server.on('error', (e) => post({ type: 'error', message: e.code || e.message }));
server.listen(portNumber, host, () => post({ type: 'listening', port: server.address().port }));
parentPort.on('message', (m) => {
  if (m.type === 'write') { if (client && m.id === id) client.write(m.bytes); }
  else if (m.type === 'hang-up') {
    const c = client && m.id === id ? client : null;
    client = null;
    if (c) c.end(() => post({ type: 'flushed', id: m.id })); else post({ type: 'flushed', id: m.id });
  }
  else if (m.type === 'shutdown') { if (client) client.destroy(); server.close(); parentPort.close(); port.close(); }
});
`;

type WorkerMessage =
  | { type: 'listening'; port: number }
  | { type: 'error'; message: string }
  | { type: 'connect'; id: number }
  | { type: 'data'; id: number; bytes: Uint8Array }
  | { type: 'close'; id: number }
  | { type: 'flushed'; id: number };

const EMPTY = new Uint8Array(0);

export class GdbServer implements Transport {
  readonly host: string;
  /** The port listened on (the one the system picked, for port 0). */
  readonly port: number;
  private readonly worker: Worker;
  private readonly inbox: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;
  /** The connected client's id, 0 when none; -1 after it went away (until the next accept). */
  private client = 0;
  private readonly idleTimeoutMs: number;

  /** Listens now (synchronously); throws GdbUsageError naming the address when it cannot. */
  constructor(address: GdbAddress, opts: GdbServerOptions = {}) {
    this.host = address.host;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? Infinity;
    const { port1, port2 } = new MessageChannel();
    this.inbox = port1;
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { port: port2, signal: this.signal.buffer, host: address.host, portNumber: address.port },
      transferList: [port2],
    });
    this.worker.unref();
    this.inbox.unref();
    const first = this.wait(10_000);
    if (first === null || first.type !== 'listening') {
      this.close();
      const why = first === null ? 'no answer' : first.type === 'error' ? first.message : first.type;
      throw new GdbUsageError(`--gdb: cannot listen on ${fmt(address.host, address.port)}: ${why}`);
    }
    this.port = first.port;
  }

  /** host:port as gdb's `target remote` takes it. */
  get address(): string {
    return fmt(this.host, this.port);
  }

  /** Debugs a machine through this server (one at a time). */
  debug(machine: Machine): GdbStub {
    return new GdbStub(machine, this);
  }

  close(): void {
    this.worker.postMessage({ type: 'shutdown' });
    void this.worker.terminate();
  }

  // ---- Transport ---------------------------------------------------------------------------------

  accept(): void {
    this.client = 0;
    for (;;) {
      const m = this.wait(this.idleTimeoutMs);
      if (m === null) throw new GdbTimeout(`no gdb connected to ${this.address} within ${this.idleTimeoutMs} ms`);
      if (m.type === 'connect') {
        this.client = m.id;
        return;
      }
    }
  }

  read(): Uint8Array | null {
    for (;;) {
      if (this.client <= 0) return null;
      const m = this.wait(this.idleTimeoutMs);
      if (m === null) throw new GdbTimeout(`gdb said nothing for ${this.idleTimeoutMs} ms`);
      const bytes = this.take(m);
      if (bytes !== EMPTY) return bytes;
    }
  }

  poll(): Uint8Array | null {
    const now = Atomics.load(this.signal, 0);
    if (now === this.seen) return this.client > 0 ? EMPTY : null;
    this.seen = now;
    const chunks: Uint8Array[] = [];
    for (let m = this.receive(); m !== null; m = this.receive()) {
      const b = this.take(m);
      if (b !== EMPTY && b !== null) chunks.push(b);
    }
    if (this.client <= 0 && chunks.length === 0) return null;
    return chunks.length === 1 ? chunks[0] : Uint8Array.from(chunks.flatMap((c) => [...c]));
  }

  write(bytes: Uint8Array): void {
    if (this.client > 0) this.worker.postMessage({ type: 'write', id: this.client, bytes });
  }

  /** Ends the connection once what was written has gone out (a closing W or X must reach gdb). */
  hangUp(): void {
    const id = this.client;
    this.client = -1;
    if (id <= 0) return;
    this.worker.postMessage({ type: 'hang-up', id });
    for (;;) {
      const m = this.wait(5_000);
      if (m === null || ((m.type === 'flushed' || m.type === 'close') && m.id === id)) return;
    }
  }

  // ---- messages from the worker ---------------------------------------------------------------

  /** Data of the current client (EMPTY for anything else); a close of the current client ends it. */
  private take(m: WorkerMessage): Uint8Array {
    if (m.type === 'data' && m.id === this.client) return m.bytes;
    if (m.type === 'close' && m.id === this.client) this.client = -1;
    return EMPTY;
  }

  private receive(): WorkerMessage | null {
    const r = receiveMessageOnPort(this.inbox);
    return r ? (r.message as WorkerMessage) : null;
  }

  /** The next message, blocking up to timeoutMs; null on timeout. */
  private wait(timeoutMs: number): WorkerMessage | null {
    const end = Date.now() + timeoutMs;
    for (;;) {
      this.seen = Atomics.load(this.signal, 0);
      const m = this.receive();
      if (m !== null) return m;
      const left = end - Date.now();
      if (left <= 0) return null;
      Atomics.wait(this.signal, 0, this.seen, Math.min(left, 2 ** 31 - 1));
    }
  }
}

function fmt(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Listens for gdb as `--gdb [host:]port` asks (one line, GdbUsageError, for bad input). */
export function listenForGdb(spec: string, opts: GdbServerOptions & { allowRemote?: boolean } = {}): GdbServer {
  return new GdbServer(parseGdbAddress(spec, opts.allowRemote), opts);
}
