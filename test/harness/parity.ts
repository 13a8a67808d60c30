/**
 * The parity harness: does an audited object behave exactly like the same object unaudited?
 *
 * For one adapter, `observeParity(spec)` runs the same workload twice against a real server — once on a
 * raw library object, once on one handed to the adapter's `audit…()` — and records for each run:
 *
 * - the object's own property keys (with whether each is enumerable) and its prototype, right after the
 *   audit and again after the workload (`Object.keys`, `hasOwnProperty`, spread and serializers see these);
 * - the listener count of every event on every emitter the application can see (`spec.emitters`: the
 *   object itself, the connections or clients it hands out), at the same two moments;
 * - what the server received: the TCP connections it accepted and the bytes sent to it, counted by a
 *   loopback proxy in front of the server (an extra connection, a `CLIENT SETNAME`, a `CONFIG GET` or a
 *   probe query all show up as a difference).
 *
 * The two observations must be equal. Use it once per adapter, with a workload that exercises the
 * library's pooling (acquire, release, a queued acquire, close):
 *
 * ```ts
 * const { raw, audited } = await observeParity({
 *   serverPort: 3306,
 *   create: (port) => mysql.createPool({ host: '127.0.0.1', port, user: 'root', connectionLimit: 2 }),
 *   audit: (pool) => auditPool(pool, { auditor }),
 *   workload: (pool) => runQueries(pool),
 *   emitters: (pool) => ({ pool, ...connectionsOf(pool) }),
 *   close: (pool) => pool.promise().end(),
 * });
 * expect(parityDifferences(raw, audited)).toEqual([]);
 * ```
 *
 * The workload must be deterministic (the same commands in the same number of connections each run).
 * Listeners on the raw TCP sockets are not compared: who closed first is read there by design.
 */
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** Anything with listener counts (an `EventEmitter`, or a library's look-alike). */
export interface CountsListeners {
  eventNames(): (string | symbol)[];
  listenerCount(event: string | symbol): number;
}

/** How to build, audit, use and close one library object. */
export interface ParitySpec<T extends object> {
  /** The real server's port on 127.0.0.1; the object is pointed at a counting proxy in front of it. */
  readonly serverPort: number;
  /** Creates the library object, talking to 127.0.0.1:`port`. */
  create(port: number): T | Promise<T>;
  /** Hands the object to the adapter (called on the audited run only). */
  audit(target: T): unknown;
  /** The same work on both runs. */
  workload(target: T): Promise<void>;
  /** The emitters the application can see, by a stable label (the object itself, its connections, …). */
  emitters(target: T): Readonly<Record<string, CountsListeners | undefined>>;
  /** Shuts the object down; the server's counts are read once it has. */
  close(target: T): Promise<unknown>;
}

/** What one run showed. */
export interface ParityObservation {
  /** Own keys right after creation (and audit), as `key` or `key (non-enumerable)`. */
  readonly keysBefore: readonly string[];
  readonly keysAfter: readonly string[];
  readonly prototype: object | null;
  /** `label.event` → listener count, right after creation (and audit). */
  readonly listenersBefore: Readonly<Record<string, number>>;
  readonly listenersAfter: Readonly<Record<string, number>>;
  /** TCP connections the server accepted. */
  readonly connections: number;
  /** Bytes the object sent to the server. */
  readonly bytesToServer: number;
}

/** Runs `spec` unaudited, then audited, and returns both observations. */
export async function observeParity<T extends object>(
  spec: ParitySpec<T>,
): Promise<{ raw: ParityObservation; audited: ParityObservation }> {
  const raw = await observe(spec, false);
  const audited = await observe(spec, true);
  return { raw, audited };
}

/** Each way `audited` differs from `raw`, one line per difference (empty when they behave the same). */
export function parityDifferences(raw: ParityObservation, audited: ParityObservation): string[] {
  const out: string[] = [];
  if (raw.prototype !== audited.prototype) out.push('prototype differs');
  for (const moment of ['Before', 'After'] as const) {
    const rawKeys = new Set(raw[`keys${moment}`]);
    const auditedKeys = new Set(audited[`keys${moment}`]);
    for (const k of auditedKeys)
      if (!rawKeys.has(k)) out.push(`own key added (${moment.toLowerCase()}): ${k}`);
    for (const k of rawKeys)
      if (!auditedKeys.has(k)) out.push(`own key lost (${moment.toLowerCase()}): ${k}`);
    const rawListeners = raw[`listeners${moment}`];
    const auditedListeners = audited[`listeners${moment}`];
    for (const key of new Set([...Object.keys(rawListeners), ...Object.keys(auditedListeners)])) {
      const a = rawListeners[key] ?? 0;
      const b = auditedListeners[key] ?? 0;
      if (a !== b) out.push(`listeners (${moment.toLowerCase()}) ${key}: ${a} unaudited, ${b} audited`);
    }
  }
  if (raw.connections !== audited.connections) {
    out.push(`server connections: ${raw.connections} unaudited, ${audited.connections} audited`);
  }
  if (raw.bytesToServer !== audited.bytesToServer) {
    out.push(`bytes to the server: ${raw.bytesToServer} unaudited, ${audited.bytesToServer} audited`);
  }
  return out;
}

async function observe<T extends object>(spec: ParitySpec<T>, audited: boolean): Promise<ParityObservation> {
  const proxy = await startCountingProxy(spec.serverPort);
  try {
    const target = await spec.create(proxy.port);
    if (audited) spec.audit(target);
    const keysBefore = ownKeys(target);
    const listenersBefore = listenerCounts(spec.emitters(target));
    await spec.workload(target);
    const keysAfter = ownKeys(target);
    const listenersAfter = listenerCounts(spec.emitters(target));
    await spec.close(target);
    await proxy.settled();
    return {
      keysBefore,
      keysAfter,
      prototype: Object.getPrototypeOf(target) as object | null,
      listenersBefore,
      listenersAfter,
      connections: proxy.connections,
      bytesToServer: proxy.bytesToServer,
    };
  } finally {
    await proxy.close();
  }
}

function ownKeys(target: object): string[] {
  return Reflect.ownKeys(target).map((key) => {
    const enumerable = Object.getOwnPropertyDescriptor(target, key)?.enumerable === true;
    return `${String(key)}${enumerable ? '' : ' (non-enumerable)'}`;
  });
}

function listenerCounts(
  emitters: Readonly<Record<string, CountsListeners | undefined>>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [label, emitter] of Object.entries(emitters)) {
    if (!emitter) continue;
    for (const event of emitter.eventNames()) {
      counts[`${label}.${String(event)}`] = emitter.listenerCount(event);
    }
  }
  return counts;
}

/** A loopback TCP proxy in front of 127.0.0.1:`targetPort` that counts connections and bytes sent on. */
interface CountingProxy {
  readonly port: number;
  readonly connections: number;
  readonly bytesToServer: number;
  /** Resolves once every proxied connection has closed on both sides (bounded: 5 s). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let connections = 0;
  let bytesToServer = 0;
  let open = 0;
  const sockets = new Set<Socket>();
  let onQuiet: (() => void) | undefined;
  const server: Server = createServer((client) => {
    connections++;
    open++;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      bytesToServer += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    let closed = 0;
    const done = (): void => {
      if (++closed < 2) return;
      open--;
      if (open === 0) onQuiet?.();
    };
    for (const [socket, peer] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      socket.on('error', () => peer.destroy());
      socket.on('close', () => {
        sockets.delete(socket);
        peer.end();
        done();
      });
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    get bytesToServer() {
      return bytesToServer;
    },
    settled: () =>
      open === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 5000);
            onQuiet = () => {
              clearTimeout(timer);
              resolve();
            };
          }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
