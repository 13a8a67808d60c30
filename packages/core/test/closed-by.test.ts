import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { createAuditor } from '../src/index.js';
import type { Auditor, PoolProbe } from '../src/index.js';

/** A loopback server that keeps its sockets, so a test can close them from the server side. */
async function startServer(): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((s) => {
    accepted.push(s);
    s.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

describe('who closed first, read at the socket', () => {
  let server: Server;
  let port: number;
  let accepted: Socket[];
  let auditor: Auditor;
  let probe: PoolProbe;

  beforeEach(async () => {
    ({ server, port, accepted } = await startServer());
    auditor = createAuditor();
    probe = auditor.register({ name: 'p', kind: 'test', config: {} });
  });
  afterEach(async () => {
    for (const s of accepted) s.destroy();
    server.close();
    await once(server, 'close');
  });

  it('a socket we destroy is closed locally and counts toward the TIME_WAIT footprint of its endpoint', async () => {
    const socket = await connect(port);
    probe.opened(socket, { socket });
    probe.closed(socket, 'maxIdle');
    socket.destroy();
    await once(socket, 'close');
    const pool = auditor.snapshot().pools[0]!;
    expect(pool.stats.closedBy).toEqual({ local: 1, remote: 0, reset: 0, unknown: 0 });
    expect(pool.stats.timeWait.footprint).toBe(1);
    expect(pool.endpoints).toEqual([
      expect.objectContaining({ endpoint: `127.0.0.1:${port}`, created: 1, open: 0 }),
    ]);
  });

  it('a socket the server ends first is closed remotely, even when the library reports the close first', async () => {
    const socket = await connect(port);
    probe.opened(socket, { socket });
    // Like mysql2 and ioredis: the library removes the connection from its own 'end' handler.
    socket.on('end', () => probe.closed(socket));
    while (accepted.length === 0) await new Promise((r) => setImmediate(r));
    accepted[0]!.end();
    await once(socket, 'close');
    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.closed.remote).toBe(1);
    expect(stats.closedBy).toEqual({ local: 0, remote: 1, reset: 0, unknown: 0 });
    expect(stats.timeWait.footprint).toBe(0);
  });

  it('a socket reset by us leaves no TIME_WAIT', async () => {
    const socket = await connect(port);
    probe.opened(socket, { socket });
    socket.resetAndDestroy();
    await once(socket, 'close');
    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.closed.other + stats.closed.error).toBe(1);
    expect(stats.closedBy.local + stats.closedBy.reset).toBe(1);
  });

  it('a reset by the peer is counted as reset and its reason as error', async () => {
    const socket = await connect(port);
    probe.opened(socket, { socket });
    while (accepted.length === 0) await new Promise((r) => setImmediate(r));
    accepted[0]!.resetAndDestroy();
    await new Promise((resolve) => socket.once('close', resolve));
    const stats = auditor.snapshot().pools[0]!.stats;
    expect(stats.closedBy.reset).toBe(1);
    expect(stats.closed.error).toBe(1);
  });

  it('a socket opened while still connecting is counted toward its endpoint once connected', async () => {
    const socket = createConnection({ host: '127.0.0.1', port });
    probe.opened(socket, { socket, endpoint: `localhost:${port}`, connectStartedAt: probe.now() });
    await once(socket, 'connect');
    socket.end();
    await once(socket, 'close');
    const pool = auditor.snapshot().pools[0]!;
    expect(pool.endpoints.map((e) => e.endpoint)).toEqual([`127.0.0.1:${port}`]);
    expect(pool.stats.closedBy.local).toBe(1);
  });

  it('leaves no listener behind once the socket has closed or the pool is detached', async () => {
    const before = (await connect(port)).listenerCount('end');
    const socket = await connect(port);
    probe.opened(socket, { socket });
    expect(socket.listenerCount('end')).toBe(before + 1);
    probe.unregister();
    expect(socket.listenerCount('end')).toBe(before);
    expect(socket.listenerCount('close')).toBe(0);
    socket.destroy();
  });

  it('does not swallow a socket error nobody else listens to', async () => {
    const socket = createConnection({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    probe.opened(socket, { socket });
    const err = Object.assign(new Error('boom'), { code: 'ECONNRESET' });
    expect(() => socket.emit('error', err)).toThrow('boom');
    socket.destroy();
  });

  it('warns of port exhaustion when TIME_WAIT toward one destination takes a large share of a small range', async () => {
    const small = createAuditor({ portRange: { low: 60990, high: 60999 } });
    const p = small.register({ name: 'api', kind: 'test', config: {} });
    for (let i = 0; i < 3; i++) {
      const socket = await connect(port);
      p.opened(socket, { socket });
      socket.destroy();
      await once(socket, 'close');
    }
    const finding = small.findings().find((f) => f.code === 'port-exhaustion-risk');
    expect(finding?.endpoint).toBe(`127.0.0.1:${port}`);
    expect(finding?.evidence['timeWaitFootprint']).toBe(3);
    expect(finding?.severity).toBe('warning');
    expect(auditor.findings()).toEqual([]);
  });
});
