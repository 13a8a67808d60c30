import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import { createAuditor } from '@poolaudit/core';
import type { Auditor, PoolSnapshot } from '@poolaudit/core';
import { observeHost } from '@poolaudit/host';
import { auditServer, detach, isAudited } from '@poolaudit/server';
import { selfSignedCertificate } from '../../../test/harness/certificates.js';
import { countLocalSockets, eventually } from '../../../test/harness/kernel-sockets.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function poolOf(auditor: Auditor, name: string): PoolSnapshot {
  const pool = auditor.snapshot().pools.find((p) => p.name === name);
  if (!pool) throw new Error(`no pool ${name} in ${auditor.poolNames().join(', ')}`);
  return pool;
}

/** GET / through `agent`, body read; resolves with the status and body. */
function get(port: number, agent: http.Agent, headers: http.OutgoingHttpHeaders = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, agent, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
      })
      .on('error', reject);
  });
}

/**
 * A client that keeps one connection open as long as the server does and ignores the server's `Keep-Alive`
 * hint, as a load balancer or reverse proxy does (Node's own agent closes first when the server hints a
 * short timeout). Opens a new connection when the server has closed the last one.
 */
class BalancerLikeClient {
  private socket: Socket | null = null;
  opened = 0;

  constructor(private readonly connect: () => Socket) {}

  async get(): Promise<string> {
    if (this.socket === null || this.socket.destroyed || this.socket.readableEnded) {
      this.socket?.destroy();
      this.socket = this.connect();
      this.opened++;
      this.socket.on('error', () => {});
    }
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1');
        const head = text.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(text);
        if (head >= 0 && length && text.length >= head + 4 + Number(length[1])) {
          socket.off('data', onData).off('close', onClose);
          resolve(`${text.slice(9, 12)} ${text.slice(head + 4)}`);
        }
      };
      const onClose = (): void => reject(new Error(`closed mid-response: ${JSON.stringify(text)}`));
      socket.on('data', onData).on('close', onClose);
      socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('an audited http.Server', () => {
  const servers: http.Server[] = [];
  const agents: http.Agent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) a.destroy();
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((resolve) => s.close(resolve));
    }
  });
  const serve = (handler: http.RequestListener, options: Partial<http.Server> = {}): http.Server => {
    const server = http.createServer(handler);
    Object.assign(server, options);
    servers.push(server);
    return server;
  };
  const agent = (options: http.AgentOptions): http.Agent => {
    const a = new http.Agent(options);
    agents.push(a);
    return a;
  };

  it('keepAliveTimeout below the gap its client leaves: server-keep-alive-race, the footprint on the server = ss', async () => {
    const auditor = createAuditor({
      detectors: { 'server-keep-alive-race': { minEvents: 2, minSeconds: 1 } },
    });
    const host = observeHost(auditor, { intervalMs: 60_000 });
    try {
      await host.refresh();
      const server = auditServer(
        serve((_req, res) => res.end('ok'), { keepAliveTimeout: 300 }),
        { auditor, loadBalancerIdleTimeoutMs: 60_000 },
      );
      const port = await listen(server);
      const name = `http-server 127.0.0.1:${port}`;
      const client = new BalancerLikeClient(() => net.connect(port, '127.0.0.1'));
      // Bounded: 5 requests 1.6 s apart (Node closes an idle connection keepAliveTimeout plus its 1 s
      // keepAliveTimeoutBuffer after the response), and one more right after the third.
      const gap = 1600;
      try {
        for (let i = 0; i < 5; i++) {
          expect(await client.get()).toBe('200 ok');
          if (i === 2) expect(await client.get()).toBe('200 ok');
          await pause(gap);
        }
      } finally {
        client.close();
      }
      expect(await eventually(() => poolOf(auditor, name).stats.open === 0)).toBe(true);
      const { stats, findings, endpoints } = poolOf(auditor, name);
      // Each gap outlasts keepAliveTimeout: a connection per gap, closed by the server.
      expect(stats.acquired).toBe(6);
      expect(stats.created).toBe(5);
      expect(stats.closed.idleTimeout).toBe(stats.created);
      expect(stats.closedDetail['keepAliveTimeout']).toBe(stats.created);
      expect(stats.closedBy.local).toBe(stats.created);
      // Grouped by the peer's address, not by each connection's port.
      expect(endpoints.map((e) => e.endpoint)).toEqual(['127.0.0.1']);
      const race = findings.find((f) => f.code === 'server-keep-alive-race');
      expect(race?.message).toContain('keepAliveTimeout=300 ms');
      expect(race?.advice).toContain('the declared load balancer idle timeout (60 s): 65 s');
      await host.refresh();
      const tw = poolOf(auditor, name).stats.timeWait;
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(countLocalSockets('time-wait', port));
      expect(tw.footprint).toBe(stats.created);
      expect(tw.portBudgetUsed).toBe(0);
    } finally {
      host.detach();
    }
  });

  it('Connection: close responses, maxRequestsPerSocket and clients that do not keep alive, each by its reason', async () => {
    const auditor = createAuditor({
      detectors: {
        'server-connection-close': { minEvents: 5, minSeconds: 1 },
        'server-no-keep-alive-clients': { minEvents: 5, minSeconds: 1 },
      },
    });
    const closing = auditServer(
      serve((_req, res) => {
        res.setHeader('Connection', 'close');
        res.end('bye');
      }),
      { auditor, name: 'closing' },
    );
    const limited = auditServer(
      serve((_req, res) => res.end('ok'), { maxRequestsPerSocket: 2 }),
      {
        auditor,
        name: 'limited',
      },
    );
    const plain = auditServer(
      serve((_req, res) => res.end('ok')),
      { auditor, name: 'plain' },
    );
    const [closingPort, limitedPort, plainPort] = [
      await listen(closing),
      await listen(limited),
      await listen(plain),
    ];
    const keepAlive = agent({ keepAlive: true, maxSockets: 1 });
    const noKeepAlive = agent({ keepAlive: false });
    for (let second = 0; second < 2; second++) {
      for (let i = 0; i < 6; i++) {
        expect(await get(closingPort, keepAlive)).toBe('200 bye');
        expect(await get(limitedPort, keepAlive)).toBe('200 ok');
        expect(await get(plainPort, noKeepAlive)).toBe('200 ok');
      }
      await pause(1000);
    }
    const settled = () =>
      ['closing', 'limited', 'plain'].every((n) => {
        const s = poolOf(auditor, n).stats;
        return s.closedBy.local + s.closedBy.remote + s.closedBy.reset === s.created - s.open;
      });
    expect(await eventually(settled)).toBe(true);
    const c = poolOf(auditor, 'closing');
    expect(c.stats).toMatchObject({ created: 12, acquired: 12 });
    expect(c.stats.closedDetail['connection-close']).toBe(12);
    expect(c.stats.closedBy.local).toBe(12);
    expect(c.findings.map((f) => f.code)).toContain('server-connection-close');
    expect(countLocalSockets('time-wait', closingPort)).toBe(12);
    const l = poolOf(auditor, 'limited');
    expect(l.stats).toMatchObject({ created: 6, acquired: 12 });
    expect(l.stats.closed.maxLifetime).toBe(6);
    expect(l.stats.closedDetail['maxRequestsPerSocket']).toBe(6);
    expect(l.stats.usesPerConnection).toBe(2);
    // Node leaves the close to the client after its Connection: close answer.
    expect(l.stats.closedBy.remote).toBe(6);
    const p = poolOf(auditor, 'plain');
    expect(p.stats.closedDetail['client-connection-close']).toBe(12);
    expect(p.findings.find((f) => f.code === 'server-no-keep-alive-clients')?.advice).toContain(
      'keepAlive: true',
    );
  });

  it("the client's FIN is remote; closeIdleConnections() is a shutdown; a request timeout is an error", async () => {
    const auditor = createAuditor();
    const server = auditServer(
      serve((_req, res) => res.end('ok')),
      { auditor, name: 'ends' },
    );
    const port = await listen(server);
    const client = agent({ keepAlive: true, maxSockets: 1 });
    await get(port, client);
    client.destroy();
    expect(await eventually(() => poolOf(auditor, 'ends').stats.closed.remote === 1)).toBe(true);
    expect(poolOf(auditor, 'ends').stats.closedBy.remote).toBe(1);
    const other = agent({ keepAlive: true, maxSockets: 1 });
    await get(port, other);
    server.closeIdleConnections();
    expect(await eventually(() => poolOf(auditor, 'ends').stats.closed.shutdown === 1)).toBe(true);
    expect(poolOf(auditor, 'ends').stats.closedDetail['closeIdleConnections']).toBe(1);
    // A request whose headers never finish: Node answers 408 and destroys the connection.
    const slow = http.createServer({
      connectionsCheckingInterval: 100,
      headersTimeout: 300,
      requestTimeout: 300,
    });
    servers.push(slow);
    auditServer(slow, { auditor, name: 'slow' });
    const slowPort = await listen(slow);
    const half = net.connect(slowPort, '127.0.0.1');
    half.on('error', () => {});
    half.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    expect(await eventually(() => poolOf(auditor, 'slow').stats.closed.error === 1, 3000)).toBe(true);
    expect(poolOf(auditor, 'slow').stats.closedDetail['ERR_HTTP_REQUEST_TIMEOUT']).toBe(1);
    half.destroy();
  });

  it('names the keepAliveTimeout in force when the server closed, set after the audit', async () => {
    const auditor = createAuditor({
      detectors: { 'server-keep-alive-race': { minEvents: 2, minSeconds: 1 } },
    });
    const server = auditServer(
      serve((_req, res) => res.end('ok')),
      { auditor, name: 'late' },
    );
    server.keepAliveTimeout = 100;
    const port = await listen(server);
    const client = new BalancerLikeClient(() => net.connect(port, '127.0.0.1'));
    try {
      for (let i = 0; i < 3; i++) {
        expect(await client.get()).toBe('200 ok');
        await pause(1300);
      }
    } finally {
      client.close();
    }
    const race = poolOf(auditor, 'late').findings.find((f) => f.code === 'server-keep-alive-race');
    expect(race?.message).toContain('keepAliveTimeout=100 ms');
    expect(race?.advice).toContain('AWS ALB and nginx keep idle connections 60 s by default');
  });

  it('is the same server audited and not: responses, listener counts, keys; detach restores it', async () => {
    const auditor = createAuditor();
    const server = serve((req, res) => res.end(`hello ${req.url}`));
    server.on('connection', () => {});
    const counts = () => ['connection', 'request', 'listening', 'close'].map((e) => server.listenerCount(e));
    const before = counts();
    const port = await listen(server);
    const keys = Object.keys(server);
    const client = agent({ keepAlive: true });
    const raw = await get(port, client);
    auditServer(server, { auditor, name: 'same' });
    expect(isAudited(server)).toBe(true);
    expect(counts()).toEqual(before);
    expect(Object.keys(server)).toEqual(keys);
    expect(await get(port, client)).toBe(raw);
    // The connection made before the audit is adopted at its next request.
    expect(poolOf(auditor, 'same').stats).toMatchObject({ open: 1, acquired: 1, inUse: 0 });
    expect(detach(server)).toBe(true);
    expect(Object.getOwnPropertyNames(server)).not.toContain('emit');
    expect(await get(port, client)).toBe(raw);
    expect(poolOf(auditor, 'same').stats.acquired).toBe(1);
  });

  it('refuses what is not an http or https server, and names a mistyped option', () => {
    expect(() => auditServer({})).toThrow(/http\.Server or https\.Server/);
    expect(() => auditServer(http.createServer(), { nam: 'x' } as never)).toThrow(/nam.*did you mean.*name/s);
  });
});

describe('an audited https.Server', () => {
  it('reads who closed first at the TLS socket; its keep-alive closes are confirmed by the kernel', async () => {
    const auditor = createAuditor();
    const host = observeHost(auditor, { intervalMs: 60_000 });
    const { key, cert } = selfSignedCertificate();
    const server = https.createServer({ key, cert }, (_req, res) => res.end('tls'));
    server.keepAliveTimeout = 200;
    auditServer(server, { auditor });
    let port = 0;
    const client = new BalancerLikeClient(() =>
      tls.connect({ host: '127.0.0.1', port, ca: cert, servername: 'localhost' }),
    );
    try {
      await host.refresh();
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
      for (let i = 0; i < 3; i++) {
        expect(await client.get()).toBe('200 tls');
        await pause(1500);
      }
      const name = `https-server 127.0.0.1:${port}`;
      const { stats } = poolOf(auditor, name);
      expect(stats.created).toBe(3);
      expect(stats.closed.idleTimeout).toBe(3);
      expect(stats.closedBy.local).toBe(3);
      await host.refresh();
      const tw = poolOf(auditor, name).stats.timeWait;
      // Node's TLS server closes with close_notify and a FIN; the client answers with its own close_notify, which
      // reaches a socket already closed here, so the kernel resets it: no TIME_WAIT is left on either side. The
      // audit counts three local closes, and the kernel says what became of them.
      expect(tw.source).toBe('kernel');
      expect(tw.footprint).toBe(countLocalSockets('time-wait', port));
      expect((tw.confirmed ?? 0) + (tw.resets ?? 0)).toBe(3);
    } finally {
      host.detach();
      client.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
