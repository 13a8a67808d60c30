import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createAuditor, endpointKey } from '@poolaudit/core';
import type { Auditor, PoolProbe } from '@poolaudit/core';
import { observeHost, readSocketTable } from '../src/index.js';
import type { HostObservation } from '../src/index.js';
import { countSsSockets, eventually, ssSockets } from '../../../test/harness/kernel-sockets.js';

jest.setTimeout(20_000);

let server: Server;
let port: number;
let endpoint: string;
let auditor: Auditor;
let observation: HostObservation;

const closed = (s: Socket): Promise<void> =>
  s.closed ? Promise.resolve() : new Promise((resolve) => s.once('close', () => resolve()));

beforeAll(async () => {
  server = createServer((s) => {
    s.on('error', () => undefined);
    s.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
  endpoint = endpointKey('127.0.0.1', port);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  auditor = createAuditor();
  observation = observeHost(auditor, { intervalMs: 60_000 });
});
afterEach(() => {
  observation.detach();
  auditor.close();
});

/** A connection as an adapter reports it: registered with its socket, closed by the pool. */
async function pooled(probe: PoolProbe, ports: Set<number>): Promise<{ socket: Socket; conn: object }> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  socket.resume();
  const conn = {};
  probe.opened(conn, { socket });
  await once(socket, 'connect');
  ports.add(socket.localPort ?? 0);
  return { socket, conn };
}

describe('the kernel-confirmed TIME_WAIT footprint', () => {
  it('confirms graceful local closes per 4-tuple and counts closes that left no TIME_WAIT as resets', async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    const ports = new Set<number>();
    // The first scan runs at attach: the queue of closes starts there.
    await observation.refresh();
    const graceful = await Promise.all(Array.from({ length: 12 }, () => pooled(probe, ports)));
    const reset = await Promise.all(Array.from({ length: 5 }, () => pooled(probe, ports)));
    for (const { socket, conn } of graceful) {
      probe.closed(conn, 'maxIdle');
      socket.end();
    }
    // A reset closes locally but sends RST: no TIME_WAIT on either side (what TLS 1.3's unread tickets cause).
    for (const { socket, conn } of reset) {
      probe.closed(conn, 'maxIdle');
      socket.resetAndDestroy();
    }
    await Promise.all([...graceful, ...reset].map((c) => closed(c.socket)));
    expect(await eventually(() => countSsSockets('time-wait', port, ports) === 12)).toBe(true);

    // Before the next scan the local closes are counted, and said to be unconfirmed.
    let pool = auditor.snapshot().pools[0]?.stats.timeWait;
    expect(pool).toMatchObject({ source: 'kernel', counted: 17, unconfirmed: 17, footprint: 17 });

    await observation.refresh();
    const ss = countSsSockets('time-wait', port, ports);
    const snapshot = auditor.snapshot();
    pool = snapshot.pools[0]?.stats.timeWait;
    expect(pool).toMatchObject({
      source: 'kernel',
      counted: 17,
      confirmed: ss,
      resets: 5,
      unconfirmed: 0,
      footprint: ss,
    });
    expect(ss).toBe(12);
    const perEndpoint = snapshot.pools[0]?.endpoints.find((e) => e.endpoint === endpoint)?.timeWait;
    expect(perEndpoint).toMatchObject({ confirmed: 12, resets: 5, counted: 17 });
    const destination = snapshot.endpoints.find((e) => e.endpoint === endpoint)?.timeWait;
    expect(destination).toMatchObject({ confirmed: 12, resets: 5, footprint: 12 });
    expect(auditor.report()).toContain('TIME_WAIT here: 12 confirmed by the kernel');
  });

  it('confirms a close booked while a scan was under way: refresh() waits for a scan that starts after it', async () => {
    observation.detach();
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    const ports = new Set<number>();
    const c = await pooled(probe, ports);
    // Attached now, with the endpoint known: the first scan starts at once in a new worker (tens of ms), and
    // the close lands while it runs. That scan took the queue of closes before this one was in it.
    const busy = observeHost(auditor, { intervalMs: 60_000, offThread: true });
    try {
      probe.closed(c.conn, 'maxIdle');
      c.socket.end();
      await closed(c.socket);
      expect(busy.table).toBeUndefined(); // the first scan has not ended yet
      await busy.refresh();
      const ss = countSsSockets('time-wait', port, ports);
      expect(ss).toBe(1);
      expect(auditor.snapshot().pools[0]?.stats.timeWait).toMatchObject({
        source: 'kernel',
        confirmed: 1,
        unconfirmed: 0,
        footprint: 1,
      });
    } finally {
      busy.detach();
    }
  });

  it('keeps the counted figure, labelled, once the observer is detached', async () => {
    const probe = auditor.register({ name: 'orders-db', kind: 'test', config: {} });
    await observation.refresh();
    const ports = new Set<number>();
    const c = await pooled(probe, ports);
    probe.closed(c.conn, 'idleTimeout');
    c.socket.end();
    await closed(c.socket);
    observation.detach();
    const t = auditor.snapshot().pools[0]?.stats.timeWait;
    expect(t).toMatchObject({ source: 'counted', counted: 1, footprint: 1, confirmed: null, resets: null });
    expect(auditor.report()).toContain('TIME_WAIT here: 1 counted');
  });
});

describe('readSocketTable({ tuples })', () => {
  it("answers each 4-tuple's state as ss lists it, in a worker and inline", async () => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const localPort = socket.localPort ?? 0;
    const local = endpointKey(socket.localAddress ?? '', localPort);
    // The same local port toward another destination is another tuple (Linux shares ports across them).
    const tuples = { local: [local, '127.0.0.1:1', local], remote: [endpoint, endpoint, '127.0.0.1:1'] };
    try {
      for (const offThread of [true, false]) {
        const table = await readSocketTable({ remote: [endpoint], tuples, offThread });
        // 1 = ESTABLISHED; the made-up tuples are not in the table.
        expect([...(table.tupleStates ?? [])]).toEqual([1, 0, 0]);
      }
    } catch (err) {
      socket.destroy();
      throw err;
    }
    socket.end();
    await closed(socket);
    expect(await eventually(() => ssSockets('time-wait', port).some((s) => s.localPort === localPort))).toBe(
      true,
    );
    const after = await readSocketTable({ states: ['listen'], tuples });
    // The tuple is found whatever the other filters: 6 = TIME_WAIT.
    expect(after.tupleStates?.[0]).toBe(6);
  });

  it('rejects tuples that are not two string lists of one length', () => {
    expect(() => readSocketTable({ tuples: { local: ['a:1'], remote: [] } })).toThrow(
      /tuples must be \{ local: string\[\], remote: string\[\] \} of the same length/,
    );
  });
});
