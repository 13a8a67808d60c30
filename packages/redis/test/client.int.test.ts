import { TLSSocket } from 'node:tls';
import { createClient } from 'redis';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditClient, detach, isAudited } from '@poolaudit/redis';
import { certificateFiles } from '../../../test/harness/certificates.js';
import type { CertificateFiles } from '../../../test/harness/certificates.js';
import { freePort } from '../../../test/harness/free-port.js';
import { countSsSockets, eventually } from '../../../test/harness/kernel-sockets.js';
import { startRedis } from '../../../test/harness/redis.js';
import type { RedisServer } from '../../../test/harness/redis.js';
import type { ClientSelf } from '../src/internal/shapes.js';
import { socketOf } from '../src/internal/socket-of.js';

/** The real instance behind what node-redis hands out (a private member in its types). */
const selfOf = (x: object): ClientSelf => (x as unknown as { _self: ClientSelf })._self;

type Client = ReturnType<typeof createClient>;

function poolOf(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return pool;
}

const portOf = (client: Client): number => socketOf(selfOf(client))?.localPort ?? 0;

let server: RedisServer;
let tlsPort: number;
let cert: CertificateFiles;
beforeAll(async () => {
  cert = certificateFiles();
  tlsPort = await freePort();
  server = await startRedis([
    '--tls-port',
    String(tlsPort),
    '--tls-cert-file',
    cert.certPath,
    '--tls-key-file',
    cert.keyPath,
    '--tls-auth-clients',
    'no',
  ]);
});
afterAll(async () => {
  await server?.close();
  cert?.remove();
});

describe('a node-redis client', () => {
  const open: Client[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) if (c.isOpen) c.destroy();
  });
  const client = (options: Parameters<typeof createClient>[0] = {}): Client => {
    const c = createClient({ socket: { host: '127.0.0.1', port: server.port }, ...options });
    c.on('error', () => {});
    open.push(c);
    return c;
  };

  it('audited before connect: its connection, connect time, commands in use, and close() as shutdown', async () => {
    const auditor = createAuditor();
    const c = client();
    expect(auditClient(c, { auditor })).toBe(c);
    await c.connect();
    const name = `node-redis 127.0.0.1:${server.port}`;
    expect(poolOf(auditor, name).stats).toMatchObject({ open: 1, created: 1, inUse: 0, acquired: 0 });
    expect(poolOf(auditor, name).stats.timings.connect.count).toBe(1);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.set(`poolaudit:node-redis:${i}`, String(i))),
    );
    expect(replies.every((r) => r === 'OK')).toBe(true);
    await c.multi().get('poolaudit:node-redis:1').get('poolaudit:node-redis:2').exec();
    const stats = poolOf(auditor, name).stats;
    // One multiplexed connection: 20 commands written before the first reply are uses of one acquire.
    expect(stats.acquired).toBe(21);
    expect(stats.inUse).toBe(0);
    const port = portOf(c);
    await c.close();
    expect(await eventually(() => poolOf(auditor, name).stats.open === 0)).toBe(true);
    const after = poolOf(auditor, name).stats;
    expect(after.closed.shutdown).toBe(1);
    expect(after.closedDetail['close']).toBe(1);
    expect(after.closedBy.local).toBe(1);
    expect(countSsSockets('time-wait', server.port, new Set([port]))).toBe(1);
  });

  it('audited once connected: adopted as it stands, unref() kept, the same replies and keys; detach restores', async () => {
    const auditor = createAuditor();
    const c = client();
    await c.connect();
    c.unref();
    const self = selfOf(c);
    const keys = Object.getOwnPropertyNames(self);
    await c.set('poolaudit:node-redis:a', '1');
    const raw = await c.get('poolaudit:node-redis:a');
    auditClient(c, { auditor, name: 'cache' });
    // Reading the socket did not undo the application's unref().
    const socket = socketOf(selfOf(c));
    expect((socket as unknown as { _handle: { hasRef(): boolean } })._handle.hasRef()).toBe(false);
    expect(await c.get('poolaudit:node-redis:a')).toBe(raw);
    expect(poolOf(auditor, 'cache').stats).toMatchObject({ open: 1, created: 1, acquired: 1, inUse: 0 });
    expect(poolOf(auditor, 'cache').stats.timings.connect.count).toBe(0);
    expect(isAudited(c)).toBe(true);
    expect(detach(c)).toBe(true);
    expect(Object.getOwnPropertyNames(self)).toEqual(keys);
    expect(await c.get('poolaudit:node-redis:a')).toBe(raw);
    expect(poolOf(auditor, 'cache').stats.acquired).toBe(1);
    c.ref();
  });

  it('a client per request is client-per-request, and its TIME_WAIT footprint is what the kernel holds', async () => {
    const auditor = createAuditor({ detectors: { 'client-per-request': { minEvents: 20, minSeconds: 1 } } });
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const ports = new Set<number>();
    try {
      await host.refresh();
      // Bounded: 60 requests, in 3 waves 400 ms apart.
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const c = auditClient(client(), { auditor });
            await c.connect();
            await c.set(`poolaudit:node-redis:cpr:${wave}:${i}`, 'x', { EX: 30 });
            ports.add(portOf(c));
            await c.close();
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      const name = `node-redis 127.0.0.1:${server.port}`;
      expect(await eventually(() => poolOf(auditor, name).stats.closedBy.local === 60)).toBe(true);
      const { stats, findings } = poolOf(auditor, name);
      expect(stats.created).toBe(60);
      const finding = findings.find((f) => f.code === 'client-per-request');
      expect(finding?.message).toContain('node-redis clients');
      await host.refresh();
      const tw = poolOf(auditor, name).stats.timeWait;
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(countSsSockets('time-wait', server.port, ports));
      // A new connection may reuse a TIME_WAIT socket's port toward the same server (tcp_tw_reuse): nearly all.
      expect(tw.footprint).toBeGreaterThanOrEqual(54);
    } finally {
      host.detach();
    }
  });

  it('the server closing it (CLIENT KILL, and its idle timeout) is remote; the reconnect is a new connection', async () => {
    const auditor = createAuditor();
    const c = auditClient(client(), { auditor, name: 'killed' });
    await c.connect();
    await c.clientSetName('poolaudit-killed');
    await server.cli('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    expect(await eventually(() => poolOf(auditor, 'killed').stats.created === 2 && c.isReady, 5000)).toBe(
      true,
    );
    const stats = poolOf(auditor, 'killed').stats;
    expect(stats.closed.remote).toBe(1);
    expect(stats.closedBy.remote).toBe(1);
    expect(stats.open).toBe(1);
    expect(stats.timings.connect.count).toBe(2);
    expect(stats.events['reconnect']).toBe(1);
    expect(await c.ping()).toBe('PONG');
    // The server's own idle timeout: it closes the idle client, node-redis dials again.
    await server.cli('CONFIG', 'SET', 'timeout', '1');
    try {
      expect(await eventually(() => poolOf(auditor, 'killed').stats.created === 3 && c.isReady, 8000)).toBe(
        true,
      );
    } finally {
      await server.cli('CONFIG', 'SET', 'timeout', '0');
    }
    const idle = poolOf(auditor, 'killed').stats;
    expect(idle.closed.remote).toBe(2);
    expect(idle.closedBy.remote).toBe(2);
    expect(await c.ping()).toBe('PONG');
  });

  it('a connect that fails is a connect error, not a connection', async () => {
    const auditor = createAuditor();
    const port = await freePort();
    const c = auditClient(client({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } }), {
      auditor,
    });
    await expect(c.connect()).rejects.toThrow(/ECONNREFUSED/);
    const stats = poolOf(auditor, `node-redis 127.0.0.1:${port}`).stats;
    expect(stats.created).toBe(0);
    expect(stats.connectErrors).toBe(1);
  });

  it('over TLS: the TLS socket is the connection, closed here, confirmed by the kernel', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const ports = new Set<number>();
    try {
      await host.refresh();
      for (let i = 0; i < 4; i++) {
        const c = auditClient(
          client({ socket: { host: '127.0.0.1', port: tlsPort, tls: true, ca: cert.cert } }),
          {
            auditor,
            name: 'tls',
          },
        );
        await c.connect();
        expect(socketOf(selfOf(c))).toBeInstanceOf(TLSSocket);
        expect(await c.ping()).toBe('PONG');
        ports.add(portOf(c));
        c.destroy();
      }
      expect(await eventually(() => poolOf(auditor, 'tls').stats.closed.shutdown === 4)).toBe(true);
      const s = poolOf(auditor, 'tls').stats;
      expect(s.created).toBe(4);
      expect(s.closedBy.local + s.closedBy.reset).toBe(4);
      await host.refresh();
      const tw = poolOf(auditor, 'tls').stats.timeWait;
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(countSsSockets('time-wait', tlsPort, ports));
    } finally {
      host.detach();
    }
  });

  it('refuses what is not a node-redis client, and says what to use for a pool', () => {
    expect(() => auditClient({})).toThrow(/node-redis 5 or 6 client/);
    expect(() => auditClient(client(), { nam: 'x' } as never)).toThrow(/nam.*did you mean.*name/s);
  });
});
